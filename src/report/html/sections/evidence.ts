/** Evidence coverage (证据等级) by scheme and level, per respondent. */
import type { EvidenceCell, Results } from '../../../schema/results.js';
import { renderChart } from '../../charts/render.js';
import { heatmapChart } from '../../charts/kinds.js';
import { percent, proportion, respondentLabel } from '../../format.js';
import { figure, note, section, table, type Html } from '../markup.js';

const columnOf = (c: EvidenceCell) => (c.scheme === 'all' ? 'all evidence-tagged' : c.level === 'all' ? `${c.scheme} (all)` : `${c.scheme} ${c.level}`);

export function evidenceSection(results: Results): Html {
  const cells = results.evidence;
  const explanation =
    'Scoring points tagged with an evidence level (guideline category, trial level) and how many of them each respondent covered in its clean answers. ' +
    'Low coverage of strong-evidence points means answers miss what the guidelines most firmly recommend.';
  if (cells.length === 0) return section('evidence', 'Evidence coverage (证据等级)', explanation, note('No scoring point in the bank carries an evidence tag.'));
  const columns = [...new Set(cells.map(columnOf))];
  const respondents = [...new Map(cells.map((c) => [c.respondent, c.respondent_kind])).entries()];
  const rowIndex = new Map(respondents.map(([name], i) => [name, i]));
  const chart = renderChart(
    heatmapChart({
      title: 'Coverage of evidence-tagged scoring points',
      xLabels: columns,
      yLabels: respondents.map(([name, kind]) => respondentLabel(name, kind)),
      cells: cells.map((c) => [columns.indexOf(columnOf(c)), rowIndex.get(c.respondent)!, c.coverage.rate, percent(c.coverage.rate), c.coverage.total]),
      scale: 'sequential',
      min: 0,
      max: 1,
      xName: 'evidence scheme and level',
    }),
  );
  return section(
    'evidence',
    'Evidence coverage (证据等级)',
    explanation,
    figure(chart, 'Share of evidence-tagged points met, with the number of such points decided (n); darker = better covered; hatched = no such point answered.'),
    table(cells, [
      { header: 'Respondent', cell: (c) => respondentLabel(c.respondent, c.respondent_kind) },
      { header: 'Evidence', cell: columnOf },
      { header: 'Points met [Wilson CI]', cell: (c) => proportion(c.coverage), numeric: true },
    ]),
  );
}
