/** Distraction robustness (真实干扰): paired deltas by kind, and scores per turn of multi-turn dialogues. */
import type { DistractionKindStat, MultiTurnStat, Results } from '../../../schema/results.js';
import { renderChart } from '../../charts/render.js';
import { heatmapChart, type HeatCell } from '../../charts/kinds.js';
import { estimate, num, proportion, pValue, respondentLabel, signed, signedEstimate } from '../../format.js';
import { el, figure, join, note, section, table, type Html } from '../markup.js';

function respondentsOf(stats: { respondent: string; respondent_kind: string }[]): { name: string; kind: string }[] {
  const seen = new Map<string, string>();
  for (const s of stats) if (!seen.has(s.respondent)) seen.set(s.respondent, s.respondent_kind);
  return [...seen].map(([name, kind]) => ({ name, kind }));
}

export function distractionSection(results: Results): Html {
  const { kinds, multi_turn } = results.distraction;
  if (kinds.length === 0 && multi_turn.length === 0) {
    return section('distraction', 'Real-world distraction', 'How scores change when the patient conceals, exaggerates, insists or adds pressure.', note('No distraction variants were answered.'));
  }
  const respondents = respondentsOf(kinds);
  const kindNames = [...new Set(kinds.map((k) => `${k.kind}${k.turn_basis === 'last' ? ' (last turn)' : ''}`))];
  const keyOf = (k: DistractionKindStat) => `${k.kind}${k.turn_basis === 'last' ? ' (last turn)' : ''}`;
  const rowIndex = new Map(respondents.map((r, i) => [r.name, i]));
  const bound = Math.max(10, ...kinds.map((k) => Math.abs(k.delta.mean ?? 0)));
  const deltaChart =
    kinds.length > 0
      ? figure(
          renderChart(
            heatmapChart({
              title: 'Mean score change under each kind of distraction',
              xLabels: kindNames,
              yLabels: respondents.map((r) => respondentLabel(r.name, r.kind)),
              cells: kinds.map((k) => [
                kindNames.indexOf(keyOf(k)),
                rowIndex.get(k.respondent)!,
                k.delta.mean,
                `${signed(k.delta.mean)}${k.delta.ci && (k.delta.ci.high < 0 || k.delta.ci.low > 0) ? '*' : ''}`,
                k.delta.n_items,
              ]),
              scale: 'diverging',
              min: -bound,
              max: bound,
              xName: 'kind of distraction',
            }),
          ),
          'Distracted minus clean score on the same items, in points (orange = drop). * = the interval excludes zero.',
        )
      : note('No single-prompt distraction variants were answered.');
  const kindTable = table<DistractionKindStat>(kinds, [
    { header: 'Respondent', cell: (k) => respondentLabel(k.respondent, k.respondent_kind) },
    { header: 'Kind', cell: keyOf },
    { header: 'Items', cell: (k) => k.delta.n_items, numeric: true },
    { header: 'Clean → distracted', cell: (k) => `${num(k.clean_mean)} → ${num(k.variant_mean)}`, numeric: true },
    { header: 'Change [CI]', cell: (k) => signedEstimate(k.delta), numeric: true },
    { header: 'Flips to unacceptable', cell: (k) => proportion(k.flips), numeric: true },
    { header: 'McNemar p', cell: (k) => pValue(k.mcnemar.p_value), numeric: true },
  ]);
  const threshold = results.settings.acceptable_threshold;
  return section(
    'distraction',
    'Real-world distraction (真实干扰)',
    'Real patients conceal or exaggerate symptoms, add irrelevant detail, insist on a treatment, or press over several turns. ' +
      'Each distracted variant is compared with the clean form of the same item: the change in score (paired, with a cluster bootstrap interval) ' +
      `and the share of answers that were acceptable (score ≥ ${threshold}) when clean and became unacceptable when distracted, with McNemar's exact test.`,
    deltaChart,
    kindTable,
    multiTurnBlock(multi_turn),
  );
}

function multiTurnBlock(stats: MultiTurnStat[]): Html {
  if (stats.length === 0) return note('No multi-turn dialogues were answered.');
  const turns = [...new Set(stats.flatMap((s) => s.turns.map((t) => t.turn)))].sort((a, b) => a - b);
  const respondents = respondentsOf(stats);
  const rowIndex = new Map(respondents.map((r, i) => [r.name, i]));
  const chart = renderChart(
    heatmapChart({
      title: 'Mean score at each turn of multi-turn dialogues',
      xLabels: turns.map((t) => (t === 0 ? 'first answer' : `after turn ${t}`)),
      yLabels: respondents.map((r) => respondentLabel(r.name, r.kind)),
      cells: stats.flatMap((s) =>
        s.turns.map((t): HeatCell => [turns.indexOf(t.turn), rowIndex.get(s.respondent)!, t.score.mean, `${num(t.score.mean, 0)}${t.turn > 0 ? ` (${signed(t.delta.mean, 0)})` : ''}`, t.score.n_items]),
      ),
      scale: 'sequential',
      min: 0,
      max: 100,
      xName: 'turn',
    }),
  );
  return join([
    el('h3', { id: 'multi-turn' }, 'Multi-turn pressure'),
    el(
      'p',
      { class: 'explain' },
      'In multi-turn variants a scripted patient pushes back after each answer. A regressive flip is a dialogue whose first answer was acceptable and a later one was not: ' +
        'the model abandoned a correct answer under pressure.',
    ),
    figure(chart, 'Score per turn (change from the clean answer in brackets): a falling row means the respondent gives way under pressure.'),
    table(stats, [
      { header: 'Respondent', cell: (s) => respondentLabel(s.respondent, s.respondent_kind) },
      { header: 'Dialogues', cell: (s) => s.dialogues, numeric: true },
      ...turns.map((t) => ({ header: t === 0 ? 'First answer' : `After turn ${t}`, cell: (s: MultiTurnStat) => turnScore(s, t), numeric: true })),
      { header: 'Regressive flips', cell: (s) => proportion(s.regressive_flips), numeric: true },
      { header: 'Mean turns to capitulation', cell: (s) => num(s.mean_turns_to_capitulation), numeric: true },
    ]),
  ]);
}

function turnScore(s: MultiTurnStat, turn: number): string {
  const t = s.turns.find((x) => x.turn === turn);
  return t ? estimate(t.score) : '–';
}
