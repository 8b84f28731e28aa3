/** Bank provenance: the review rounds that admitted the bank's items, and who reviewed them. */
import type { Results } from '../../../schema/results.js';
import { renderChart } from '../../charts/render.js';
import { curveChart } from '../../charts/kinds.js';
import { percent } from '../../format.js';
import { el, figure, note, raw, section, table, type Html } from '../markup.js';

const EXPLANATION =
  'How the items of this bank were admitted: experts reviewed each other\'s items in rounds, and a round admits its items only when the share of items ' +
  'for which a reviewer requested revision (the revision rate) is below the bank\'s threshold. Drafted items are items a model wrote and experts reviewed.';

export function provenanceSection(results: Results): Html {
  const p = results.provenance;
  const statuses = results.bank.statuses;
  // A bank that records neither statuses nor a review history has no provenance to show.
  if (!p && !statuses) return raw('');
  const statusLine = statuses
    ? el('p', {}, `Items by status: ${statuses.admitted} admitted, ${statuses['in-review']} in review, ${statuses.draft} draft, ${statuses.retired} retired${statuses.unset ? `, ${statuses.unset} without a status` : ''}. Only admitted items are asked by default.`)
    : '';
  if (!p) return section('provenance', 'Bank provenance', EXPLANATION, statusLine, note('No review history was found beside the bank (review-history.jsonl) or given with --review-history.'));
  const closed = p.rounds.filter((r) => r.revision_rate !== null);
  const chart =
    closed.length > 0
      ? figure(
          renderChart(
            curveChart({
              title: 'Revision rate per round',
              curves: [{ name: 'revision rate', points: closed.map((r) => ({ x: r.round, value: r.revision_rate! * 100, lo: null, hi: null })) }],
              levels: closed.map((r) => r.round),
              xName: 'round',
              yName: 'items with a revision request (%)',
              min: 0,
              max: 100,
              width: 520,
              height: 260,
            }),
          ),
          `Share of the round's items with at least one revision request; a round passes below ${percent(closed.at(-1)!.threshold, 1)}.`,
        )
      : '';
  return section(
    'provenance',
    'Bank provenance',
    EXPLANATION,
    statusLine,
    el('p', {}, `${p.rounds.length} round(s), ${p.reviewers.length} reviewer(s). ${p.admitted_items} admitted item(s), of which ${p.admitted_drafted} drafted by a model (${percent(p.drafted_share, 1)}). History: ${p.history}.`),
    chart,
    table(
      p.rounds,
      [
        { header: 'round', cell: (r) => r.round, numeric: true },
        { header: 'items', cell: (r) => r.items, numeric: true },
        { header: 'with revision request', cell: (r) => r.with_requests, numeric: true },
        { header: 'revision rate', cell: (r) => (r.revision_rate === null ? 'open' : percent(r.revision_rate, 1)), numeric: true },
        { header: 'threshold', cell: (r) => percent(r.threshold, 1), numeric: true },
        { header: 'passed', cell: (r) => (r.passed === null ? 'open' : r.passed ? 'yes' : 'no') },
        { header: 'admitted', cell: (r) => r.admitted, numeric: true },
        { header: 'reviewers', cell: (r) => r.reviewers, numeric: true },
      ],
      'Review rounds',
    ),
    table(
      p.reviewers,
      [
        { header: 'reviewer', cell: (r) => r.reviewer },
        { header: 'decisions', cell: (r) => r.decisions, numeric: true },
        { header: 'revision requests', cell: (r) => r.revision_requests, numeric: true },
        { header: 'revision rate', cell: (r) => percent(r.revision_rate, 1), numeric: true },
        { header: 'rounds', cell: (r) => r.rounds.join(', ') },
      ],
      'Reviewers',
    ),
  );
}
