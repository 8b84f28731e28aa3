/** Leaderboard with CIs and veto rates, paired comparisons, and the four-axis profile. */
import type { LeaderboardRow, PairedComparison, Results } from '../../../schema/results.js';
import { renderChart } from '../../charts/render.js';
import { heatmapChart, intervalChart, type HeatCell } from '../../charts/kinds.js';
import { depthAxisLabel, estimate, num, percent, proportion, pValue, respondentLabel, signed } from '../../format.js';
import { answersLink, el, figure, join, note, raw, section, table, type Html } from '../markup.js';
import { resultsDistractedItems } from '../../../analysis/distracted-items.js';

export function leaderboardSection(results: Results): Html {
  const all = results.leaderboard.rows;
  const rows = all.filter((r) => r.rank !== null);
  const apart = all.filter((r) => r.rank === null);
  if (all.length === 0) return section('leaderboard', 'Leaderboard', 'No scored answers were found.', note('Score the runs with caps score, then report again.'));
  const level = Math.round(results.settings.confidence * 100);
  const scoreChart = renderChart(
    intervalChart({
      title: `Mean clean score per respondent with ${level}% CI`,
      axisName: 'mean clean score (0–100)',
      min: 0,
      max: 100,
      rows: rows.map((r) => ({ label: `${r.respondent} (n=${r.score.n_items})`, value: r.score.mean, lo: r.score.ci?.low ?? null, hi: r.score.ci?.high ?? null, human: r.kind === 'human' })),
    }),
  );
  const vetoChart = renderChart(
    intervalChart({
      title: `Veto rate per respondent with ${level}% Wilson interval`,
      axisName: 'answers failed by a veto (%)',
      min: 0,
      rows: rows.map((r) => ({
        label: `${r.respondent} (n=${r.vetoes.total})`,
        value: r.vetoes.rate === null ? null : r.vetoes.rate * 100,
        lo: r.vetoes.ci ? r.vetoes.ci.low * 100 : null,
        hi: r.vetoes.ci ? r.vetoes.ci.high * 100 : null,
        human: r.kind === 'human',
      })),
    }),
  );
  const board = table<LeaderboardRow>(rows, [
    { header: '#', cell: (r) => r.rank, numeric: true },
    { header: 'Respondent', cell: (r) => respondentLabel(r.respondent, r.kind) },
    { header: `Mean clean score [${level}% CI]`, cell: (r) => estimate(r.score), numeric: true },
    { header: 'n (items)', cell: (r) => answersLink(r.score.n_items, r.respondent), numeric: true, title: 'clean items behind the mean (links to the answers)' },
    { header: 'Excluded answers', cell: (r) => r.clean_excluded, numeric: true, title: 'clean answers left out as incomplete or failed (never counted as zero)' },
    { header: 'Vetoed answers [Wilson CI]', cell: (r) => proportion(r.vetoes), numeric: true },
    { header: 'Safety deductions', cell: (r) => r.safety_deductions, numeric: true },
    { header: 'Depth', cell: (r) => depthAxisLabel(r.axes) },
    { header: 'Deepest level', cell: (r) => deepestLink(results, r.respondent), numeric: true, title: 'score at the deepest level (links to those answers)' },
  ]);
  const minItems = results.settings.min_ranked_items;
  const apartBlock =
    apart.length === 0
      ? raw('')
      : join([
          el('h3', {}, 'Shown apart, not ranked'),
          el(
            'p',
            { class: 'explain' },
            `A respondent is ranked only with at least ${minItems} of the bank's ${results.bank.items} clean items answered: a mean over a few items is not comparable with a mean over the bank.`,
          ),
          table<LeaderboardRow>(apart, [
            { header: 'Respondent', cell: (r) => respondentLabel(r.respondent, r.kind) },
            { header: 'Why not ranked', cell: (r) => r.unranked_reason ?? '' },
            { header: `Mean clean score [${level}% CI]`, cell: (r) => estimate(r.score), numeric: true },
            { header: 'n (items)', cell: (r) => r.score.n_items, numeric: true },
            { header: 'Vetoed answers [Wilson CI]', cell: (r) => proportion(r.vetoes), numeric: true },
          ]),
        ]);
  return section(
    'leaderboard',
    'Leaderboard',
    `Each respondent's mean score on the undistracted (clean) questions, 0–100, with a ${level}% bootstrap confidence interval that resamples items. ` +
      'Overlapping intervals mean the ranking between those respondents is not established; see the paired comparisons below. ' +
      'The veto rate counts answers failed outright for an unsafe statement (一票否决), over every variant and turn. Doctors are marked ▲. ' +
      `n = clean items behind each mean; respondents with fewer than ${results.settings.min_ranked_items} are shown apart, not ranked.`,
    rows.length > 0 ? board : note(`No respondent answered the ${minItems} clean items ranking needs.`),
    apartBlock,
    figure(scoreChart, 'Mean clean score: dot = mean, whisker = confidence interval.'),
    figure(vetoChart, 'Veto rate: dot = share of answers vetoed, whisker = Wilson interval.'),
    nativeBlock(results),
  );
}

/** The score at a respondent's deepest answered level, linked to the answers behind it. */
function deepestLink(results: Results, respondent: string): Html | string {
  const curve = results.depth.curves.find((c) => c.respondent === respondent);
  const deepest = curve ? [...curve.levels].reverse().find((l) => l.score.mean !== null) : undefined;
  return deepest ? answersLink(`${num(deepest.score.mean, 0)} @${deepest.level}`, respondent, deepest.level) : '–';
}

/** For banks imported from GAPS or HealthBench: the benchmark's own headline beside the CAPS view. */
function nativeBlock(results: Results): Html {
  const native = results.native;
  if (!native) return raw('');
  const pct = (v: number | null) => (v === null ? '–' : (v * 100).toFixed(1));
  return join([
    el('h3', {}, `Native ${native.profile} headline`),
    el('p', { class: 'explain' }, `${native.label} The CAPS view applies vetoes and zero rules to the same answers.`),
    table(native.rows, [
      { header: 'Respondent', cell: (r) => r.respondent },
      { header: 'Examples', cell: (r) => r.overall.examples, numeric: true },
      { header: `${native.profile} score (± bootstrap sd)`, cell: (r) => `${pct(r.overall.score)}${r.overall.bootstrap_std === null ? '' : ` ± ${pct(r.overall.bootstrap_std)}`}`, numeric: true },
      { header: 'Before clipping', cell: (r) => pct(r.overall.unclipped_mean), numeric: true },
      { header: 'CAPS view', cell: (r) => pct(r.caps_view), numeric: true },
    ]),
  ]);
}

export function pairsSection(results: Results): Html {
  const pairs = results.leaderboard.pairs;
  const names = results.leaderboard.rows.map((r) => r.respondent);
  if (pairs.length === 0) return section('pairs', 'Paired comparisons', 'Comparisons need at least two respondents with shared items.', note('Only one respondent was scored.'));
  const index = new Map(names.map((n, i) => [n, i]));
  const cells: HeatCell[] = [];
  for (const p of pairs) {
    const a = index.get(p.a);
    const b = index.get(p.b);
    if (a === undefined || b === undefined) continue;
    const mark = p.verdict === 'none' ? '' : '*';
    cells.push([b, a, p.mean_difference, `${signed(p.mean_difference, 0)}${mark}`, p.items]);
    cells.push([a, b, p.mean_difference === null ? null : -p.mean_difference, `${signed(p.mean_difference === null ? null : -p.mean_difference, 0)}${mark}`, p.items]);
  }
  const bound = Math.max(5, ...pairs.map((p) => Math.abs(p.mean_difference ?? 0)));
  const chart = renderChart(
    heatmapChart({
      title: 'Mean score difference, row minus column, on shared items',
      xLabels: names,
      yLabels: names,
      cells,
      scale: 'diverging',
      min: -bound,
      max: bound,
      xName: 'compared with (column)',
    }),
  );
  const significant = pairs.filter((p) => p.verdict !== 'none');
  const columns = [
    { header: 'A', cell: (p: PairedComparison) => p.a },
    { header: 'B', cell: (p: PairedComparison) => p.b },
    { header: 'Shared items', cell: (p: PairedComparison) => p.items, numeric: true },
    { header: 'Mean A − B [CI]', cell: (p: PairedComparison) => (p.mean_difference === null ? '–' : `${signed(p.mean_difference)} ${p.ci ? `[${signed(p.ci.low)}, ${signed(p.ci.high)}]` : ''}`), numeric: true },
    { header: 'A better / B better / tied', cell: (p: PairedComparison) => `${p.sign_test.a_better} / ${p.sign_test.b_better} / ${p.sign_test.ties}`, numeric: true },
    { header: 'Sign test p', cell: (p: PairedComparison) => pValue(p.sign_test.p_value), numeric: true },
    { header: 'Verdict', cell: (p: PairedComparison) => p.verdict_text },
  ];
  return section(
    'pairs',
    'Paired comparisons',
    'Every two respondents compared on the items both answered: the mean difference with a paired bootstrap interval and an exact sign test. ' +
      'A difference is called only when the interval excludes zero and the sign test is significant (marked * in the chart; orange = row worse, purple = row better).',
    figure(chart, 'Row respondent minus column respondent, in score points. * = established difference.'),
    significant.length > 0 ? table(significant, columns, `Established differences (${significant.length} of ${pairs.length} pairs)`) : note(`No established difference among the ${pairs.length} pairs.`),
    raw(`<details><summary>All ${pairs.length} pairs</summary>${table(pairs, columns).value}</details>`),
  );
}

/** The four axes of CAPS on one grid: colour shows how good (darker = better), the cell prints the value. */
export function profileSection(results: Results, robustnessN: ReadonlyMap<string, number> = resultsDistractedItems(results)): Html {
  const rows = results.leaderboard.rows;
  if (rows.length === 0) return raw('');
  const curves = new Map(results.depth.curves.map((c) => [c.respondent, c]));
  const axes = ['Accuracy', 'Depth', 'Evidence', 'Robustness', 'Safety'];
  const cells: HeatCell[] = [];
  const evidenceN = new Map(results.evidence.filter((c) => c.scheme === 'all').map((c) => [c.respondent, c.coverage.total]));
  rows.forEach((r, y) => {
    const curve = curves.get(r.respondent);
    const deepest = curve ? [...curve.levels].reverse().find((l) => l.score.mean !== null) : undefined;
    const deepLabel = deepest ? `${num(deepest.score.mean, 0)} @${deepest.level}${r.axes.depth_knee !== null ? ` knee ${r.axes.depth_knee}` : r.axes.depth_rise !== null ? ` rises after ${r.axes.depth_rise}` : ''}` : '–';
    const robustness = r.axes.robustness;
    cells.push([0, y, r.axes.accuracy === null ? null : r.axes.accuracy / 100, num(r.axes.accuracy, 0), r.score.n_items]);
    cells.push([1, y, deepest?.score.mean == null ? null : deepest.score.mean / 100, deepLabel, deepest?.score.n_items]);
    cells.push([2, y, r.axes.evidence_coverage, percent(r.axes.evidence_coverage), evidenceN.get(r.respondent)]);
    // A drop of 30 points or more is the bottom of the scale; no drop (or a gain) the top.
    cells.push([3, y, robustness === null ? null : Math.max(0, Math.min(1, (robustness + 30) / 30)), signed(robustness), robustnessN.get(r.respondent) ?? 0]);
    cells.push([4, y, r.axes.safety, percent(r.axes.safety, 1), r.vetoes.total]);
  });
  const chart = renderChart(
    heatmapChart({
      title: 'Four-axis profile per respondent',
      xLabels: axes,
      yLabels: rows.map((r) => `${respondentLabel(r.respondent, r.kind)}${r.rank === null ? ' (unranked)' : ''}`),
      cells,
      scale: 'sequential',
      min: 0,
      max: 1,
    }),
  );
  return section(
    'profile',
    'Four-axis profile',
    'Where each respondent is strong and weak on the four CAPS axes: cognitive depth, evidence, real-world distraction and safety (with overall accuracy for reference). ' +
      'Each cell prints the value; darker means better on every column. Depth shows the score at the deepest level answered and the knee when one is established; ' +
      'robustness is the mean change in points when the question is distracted (0 = unaffected).',
    figure(
      chart,
      'Accuracy: mean clean score. Depth: score at the deepest level (@level) and the knee. Evidence: share of evidence-tagged points met. ' +
        'Robustness: mean change in points under distraction. Safety: share of answers not vetoed. Shading from light (weak) to dark (strong).',
    ),
    table(rows, [
      { header: 'Respondent', cell: (r) => respondentLabel(r.respondent, r.kind) },
      { header: 'Answers behind the depth cell', cell: (r) => deepestLink(results, r.respondent) },
      { header: 'All clean answers', cell: (r) => answersLink(`${r.score.n_items} items`, r.respondent) },
    ]),
  );
}
