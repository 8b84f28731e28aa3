/** The bank itself: topic x depth coverage and item-quality flags. */
import type { ItemQuality, Results } from '../../../schema/results.js';
import { renderChart } from '../../charts/render.js';
import { heatmapChart, scatterChart } from '../../charts/kinds.js';
import { num, percent } from '../../format.js';
import { anchorId } from '../../escape.js';
import { el, figure, note, section, table, type Html } from '../markup.js';

export function coverageSection(results: Results): Html {
  const { topics, levels, cells, uncovered_topics, taxonomy_share_covered } = results.coverage;
  const explanation =
    'How the question bank covers the body of knowledge: items per topic and depth level. Empty rows are topics of the taxonomy with no item; ' +
    'a bank concentrated on low depths or a few topics cannot show where models fail on treatment decisions or complications.';
  if (topics.length === 0) return section('coverage', 'Bank coverage: topic × depth', explanation, note('The bank has no items.'));
  const rowIndex = new Map(topics.map((t, i) => [t.id, i]));
  const counts = new Map(cells.map((c) => [`${c.topic}\u0000${c.depth}`, c]));
  const max = Math.max(1, ...cells.map((c) => c.items));
  const chart = renderChart(
    heatmapChart({
      title: 'Items per topic and depth level',
      xLabels: levels.map((l) => `depth ${l}`),
      yLabels: topics.map((t) => (t.title && t.title !== t.id ? `${t.id} ${t.title}` : t.id)),
      cells: topics.flatMap((t) =>
        levels.map((l, x): [number, number, number | null, string] => {
          const cell = counts.get(`${t.id}\u0000${l}`);
          return [x, rowIndex.get(t.id)!, cell?.items ?? 0, cell ? `${cell.items}${cell.variants ? ` +${cell.variants}v` : ''}` : '0'];
        }),
      ),
      scale: 'sequential',
      min: 0,
      max,
      counts: true,
    }),
  );
  const summary =
    taxonomy_share_covered === null
      ? `${topics.length} topics, no taxonomy declared (add topics: to the bank to see uncovered topics).`
      : `${percent(taxonomy_share_covered)} of the taxonomy's topics have at least one item.${uncovered_topics.length ? ` Uncovered: ${uncovered_topics.join(', ')}.` : ''}`;
  return section('coverage', 'Bank coverage: topic × depth', explanation, el('p', {}, summary), figure(chart, 'Items per cell (+Nv = distraction variants of those items); darker = more items.'));
}

export function qualitySection(results: Results): Html {
  const quality = results.item_quality;
  const explanation =
    'Per item: difficulty (mean clean score across respondents, higher = easier) and discrimination (item-rest correlation: do respondents who do well overall also do well here). ' +
    'Items nobody passes, everybody passes, or that discriminate negatively often have a broken rubric: review them before trusting their scores.';
  if (quality.length === 0) return section('quality', 'Item quality', explanation, note('No item was answered.'));
  const flagged = quality.filter((q) => q.flags.length > 0);
  const groups = new Map<string, { x: number; y: number; label?: string }[]>([['no flag', []]]);
  for (const q of quality) {
    if (q.difficulty === null || q.discrimination === null) continue;
    const group = q.flags.find((f) => f !== 'not-enough-respondents') ?? 'no flag';
    const point = { x: q.difficulty, y: q.discrimination, label: q.item };
    const members = groups.get(group);
    if (members) members.push(point);
    else groups.set(group, [point]);
  }
  const chart =
    [...groups.values()].some((g) => g.length > 0)
      ? figure(
          renderChart(
            scatterChart({
              title: 'Item difficulty and discrimination',
              groups: [...groups].map(([name, points]) => ({ name, points, labelled: name !== 'no flag' })),
              xName: 'difficulty: mean clean score (0–100)',
              yName: 'discrimination',
              xMin: 0,
              xMax: 100,
              yMin: -1,
              yMax: 1,
              yRefs: [0],
            }),
          ),
          'One marker per item; flagged items have their own shape and colour and are named. Below the dotted line: negative discrimination.',
        )
      : note('Discrimination needs at least three respondents with complete answers.');
  return section(
    'quality',
    'Item quality',
    explanation,
    chart,
    flagged.length > 0
      ? table<ItemQuality>(flagged, [
          { header: 'Item', cell: (q) => el('a', { href: `#${anchorId('item', q.item)}`, class: 'item-link', 'data-item': q.item }, q.item) },
          { header: 'Topic', cell: (q) => q.topic },
          { header: 'Depth', cell: (q) => q.depth, numeric: true },
          { header: 'Respondents', cell: (q) => q.respondents, numeric: true },
          { header: 'Difficulty', cell: (q) => num(q.difficulty), numeric: true },
          { header: 'Pass rate', cell: (q) => percent(q.pass_rate), numeric: true },
          { header: 'Discrimination', cell: (q) => num(q.discrimination, 2), numeric: true },
          { header: 'Flags', cell: (q) => q.flags.join(', ') },
        ], `Flagged items (${flagged.length} of ${quality.length})`)
      : note(`No item is flagged among ${quality.length}.`),
  );
}
