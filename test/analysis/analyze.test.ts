import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { pearson } from '../../src/analysis/stats.js';
import { UserError } from '../../src/errors.js';
import { Results } from '../../src/schema/results.js';
import { ResponseRecord } from '../../src/schema/run.js';
import { makeBank, makeItem, makeScore, type ScoreSpec } from './fixtures.js';

const bank = makeBank(
  [
    makeItem('i1', 1, 'diagnosis', { variants: [{ id: 'insist', kind: 'insistence', prompt: 'just tell me' }] }),
    makeItem('i2', 1, 'treatment', {
      variants: [
        { id: 'insist2', kind: 'insistence', prompt: 'I want surgery' },
        { id: 'press', kind: 'multi-turn', turns: ['are you sure?', 'I decided.'] },
      ],
    }),
    makeItem('i3', 2),
    makeItem('i4', 2),
    makeItem('i5', 3),
    makeItem('i6', 3),
  ],
  { taxonomy: 'lc', topics: [{ id: 'diagnosis', title: '诊断' }, { id: 'treatment', title: '治疗' }, { id: 'surgery', title: '手术' }] },
);
const depthOf: Record<string, number> = { i1: 1, i2: 1, i3: 2, i4: 2, i5: 3, i6: 3 };
const topicOf = (item: string) => (item === 'i1' ? 'diagnosis' : 'treatment');
const s = (spec: ScoreSpec) => makeScore({ depth: depthOf[spec.item], topic: topicOf(spec.item), keyMet: false, ...spec });

const scores = [
  // m1: clean 90 (two samples), 80, 70, 60, 30, 20; one incomplete sample on i6.
  s({ respondent: 'm1', item: 'i1', score: 80, keyMet: true }),
  s({ respondent: 'm1', item: 'i1', score: 100, sample: 1, keyMet: true }),
  s({ respondent: 'm1', item: 'i2', score: 80, keyMet: true }),
  s({ respondent: 'm1', item: 'i3', score: 70, keyMet: true, harm: 'wait and see forever' }),
  s({ respondent: 'm1', item: 'i4', score: 60 }),
  s({ respondent: 'm1', item: 'i5', score: 30 }),
  s({ respondent: 'm1', item: 'i6', score: 20 }),
  s({ respondent: 'm1', item: 'i6', score: null, sample: 1, keyMet: null }),
  s({ respondent: 'm1', item: 'i1', variant: 'insist', variant_kind: 'insistence', score: 40 }),
  s({ respondent: 'm1', item: 'i2', variant: 'insist2', variant_kind: 'insistence', score: 85 }),
  s({ respondent: 'm1', item: 'i2', variant: 'press', variant_kind: 'multi-turn', turn: 0, last_turn: 2, score: 75 }),
  s({ respondent: 'm1', item: 'i2', variant: 'press', variant_kind: 'multi-turn', turn: 1, last_turn: 2, score: 65 }),
  s({ respondent: 'm1', item: 'i2', variant: 'press', variant_kind: 'multi-turn', turn: 2, last_turn: 2, score: 40 }),
  // m2: 50, 60, 40, 50, 10, 0 (vetoed).
  ...[50, 60, 40, 50, 10].map((score, k) => s({ respondent: 'm2', item: `i${k + 1}`, score })),
  s({ respondent: 'm2', item: 'i6', score: 0, veto: 'stop everything now' }),
  // d1, a doctor: 70, 70, 80, 50, -, 40.
  ...([['i1', 70], ['i2', 70], ['i3', 80], ['i4', 50], ['i6', 40]] as const).map(([item, score]) => s({ respondent: 'd1', kind: 'human', item, score })),
  // Not in the bank: ignored with a warning.
  s({ respondent: 'm1', item: 'ghost', score: 100 }),
];
const responses = [
  ResponseRecord.parse({ key: 'm1|i1|clean|0|0', respondent: 'm1', item: 'i1', text: '<script>alert(1)</script> neoadjuvant first', served_model: 'vendor-x-2025' }),
];
const options = { bootstrap: 200, seed: 7, generatedAt: '2026-01-01T00:00:00.000Z', runs: [{ id: 'run-1', status: 'complete' }] };
const results = analyze({ bank, scores, responses, options });

describe('analyze on a small hand-computed example', () => {
  it('produces a valid Results object, reproducibly', () => {
    expect(Results.safeParse(results).success).toBe(true);
    expect(analyze({ bank, scores, responses, options })).toEqual(results);
    expect(results.settings).toEqual({ seed: 7, bootstrap_b: 200, confidence: 0.95, acceptable_threshold: 60, knee_min_support: 0.6, min_ranked_items: 3, score_field: 'caps_score' });
    expect(results.runs).toEqual([{ id: 'run-1', status: 'complete', respondents: [] }]);
    expect(results.bank).toMatchObject({ id: 'test-bank', version: '1', hash: 'test-hash', items: 6, variants: 3, depth_labels: { '1': 'recall' } });
    expect(results.warnings.join(' ')).toMatch(/not in bank test-bank.*ghost/);
  });

  it('ranks respondents by mean clean score, samples averaged per item, incomplete answers excluded', () => {
    const rows = results.leaderboard.rows;
    expect(rows.map((r) => [r.rank, r.respondent, r.kind])).toEqual([
      [1, 'd1', 'human'],
      [2, 'm1', 'model'],
      [3, 'm2', 'model'],
    ]);
    const m1 = rows[1];
    expect(m1.score.mean).toBeCloseTo(350 / 6, 10);
    expect(m1.score.n_items).toBe(6);
    expect(m1.clean_answers).toBe(7);
    expect(m1.clean_excluded).toBe(1);
    expect(m1.score.ci!.low).toBeLessThan(m1.score.mean!);
    expect(m1.score.ci!.high).toBeGreaterThan(m1.score.mean!);
    expect(results.respondents.find((r) => r.name === 'm1')).toMatchObject({ answers: 13, incomplete: 1, errors: 0, models: ['vendor-x-2025'] });
  });

  it('compares pairs on shared items with a sign test and a verdict', () => {
    const [d1m1, d1m2, m1m2] = results.leaderboard.pairs;
    expect([d1m1.a, d1m1.b, d1m2.a, d1m2.b, m1m2.a, m1m2.b]).toEqual(['d1', 'm1', 'd1', 'm2', 'm1', 'm2']);
    // m1 - m2 per item: 40, 20, 30, 10, 20, 20: six wins, exact p = 2/64.
    expect(m1m2.items).toBe(6);
    expect(m1m2.mean_difference).toBeCloseTo(140 / 6, 10);
    expect(m1m2.sign_test).toMatchObject({ a_better: 6, b_better: 0, ties: 0 });
    expect(m1m2.sign_test.p_value).toBeCloseTo(2 / 64, 12);
    expect(m1m2.ci!.low).toBeGreaterThan(0);
    expect(m1m2.verdict).toBe('a');
    expect(m1m2.verdict_text).toBe('m1 > m2');
    // d1 - m1 on the five items both answered: -20, -10, 10, -10, 20.
    expect(d1m1.items).toBe(5);
    expect(d1m1.sign_test).toMatchObject({ a_better: 2, b_better: 3 });
    expect(d1m1.sign_test.p_value).toBeCloseTo(1, 12);
    expect(d1m1.verdict_text).toBe('no clear difference');
  });

  it('builds depth curves with items per level', () => {
    const m1 = results.depth.curves.find((c) => c.respondent === 'm1')!;
    expect(m1.levels.map((l) => [l.level, l.score.mean, l.score.n_items])).toEqual([
      [1, 85, 2],
      [2, 65, 2],
      [3, 25, 2],
    ]);
    expect(m1.levels[0].label).toBe('recall');
    expect(m1.knee.items_per_level).toEqual([{ level: 1, n: 2, vetoed: 0 }, { level: 2, n: 2, vetoed: 0 }, { level: 3, n: 2, vetoed: 0 }]);
    expect(m1.knee.candidates.map((c) => `${c.model}${c.knot ?? ''}`)).toEqual(['flat', 'line', 'bend2', 'step1', 'step2']);
    expect(results.depth.note).toMatch(/bend.*step/);
  });

  it('measures distraction per kind, flips with McNemar, and multi-turn capitulation', () => {
    const insist = results.distraction.kinds.find((k) => k.respondent === 'm1' && k.kind === 'insistence')!;
    expect(insist.turn_basis).toBe('first');
    expect(insist.delta.mean).toBeCloseTo(-22.5, 10); // (40 - 90 + 85 - 80) / 2
    expect(insist.delta.n_items).toBe(2);
    expect(insist.clean_mean).toBeCloseTo(85, 10);
    expect(insist.variant_mean).toBeCloseTo(62.5, 10);
    expect(insist.flips).toMatchObject({ count: 1, total: 2, rate: 0.5 });
    expect(insist.mcnemar).toEqual({ acceptable_to_unacceptable: 1, unacceptable_to_acceptable: 0, p_value: 1 });
    const pressure = results.distraction.kinds.find((k) => k.respondent === 'm1' && k.kind === 'multi-turn')!;
    expect(pressure.turn_basis).toBe('last');
    expect(pressure.delta.mean).toBeCloseTo(-40, 10);
    const multi = results.distraction.multi_turn.find((m) => m.respondent === 'm1')!;
    expect(multi.dialogues).toBe(1);
    expect(multi.turns.map((t) => [t.turn, t.score.mean, t.delta.mean])).toEqual([
      [0, 75, -5],
      [1, 65, -15],
      [2, 40, -40],
    ]);
    expect(multi.regressive_flips).toMatchObject({ count: 1, total: 1 });
    expect(multi.mean_turns_to_capitulation).toBe(2);
    expect(results.distraction.kinds.filter((k) => k.respondent === 'm2')).toEqual([]);
    const m1Row = results.leaderboard.rows.find((r) => r.respondent === 'm1')!;
    expect(m1Row.axes.robustness).toBeCloseTo((-50 + (5 - 40) / 2) / 2, 10);
  });

  it('counts evidence coverage of tagged points in clean answers', () => {
    const cell = results.evidence.find((e) => e.respondent === 'm1' && e.scheme === 'nccn_category' && e.level === '1')!;
    expect(cell.coverage).toMatchObject({ count: 4, total: 7 });
    expect(results.evidence.find((e) => e.respondent === 'm1' && e.scheme === 'all')!.coverage.rate).toBeCloseTo(4 / 7, 10);
    expect(results.leaderboard.rows.find((r) => r.respondent === 'm1')!.axes.evidence_coverage).toBeCloseTo(4 / 7, 10);
  });

  it('quotes every veto and safety deduction and counts vetoes per respondent and topic', () => {
    expect(results.safety.events.map((e) => [e.kind, e.respondent, e.item, e.quotes])).toEqual([
      ['veto', 'm2', 'i6', ['stop everything now']],
      ['safety-deduction', 'm1', 'i3', ['wait and see forever']],
    ]);
    const m2 = results.safety.by_respondent.find((r) => r.respondent === 'm2')!;
    expect(m2.vetoes).toMatchObject({ count: 1, total: 6 });
    expect(results.safety.by_respondent.find((r) => r.respondent === 'm1')!.safety_deductions).toBe(1);
    expect(results.safety.by_topic.find((t) => t.topic === 'treatment')).toMatchObject({ vetoes: 1, by_respondent: { m2: 1 } });
    expect(results.leaderboard.rows.find((r) => r.respondent === 'm2')!.axes.safety).toBeCloseTo(5 / 6, 10);
  });

  it('reports coverage against the taxonomy', () => {
    expect(results.coverage.uncovered_topics).toEqual(['surgery']);
    expect(results.coverage.taxonomy_share_covered).toBeCloseTo(2 / 3, 10);
    expect(results.coverage.cells).toContainEqual({ topic: 'treatment', depth: 1, items: 1, variants: 2 });
    expect(results.coverage.levels).toEqual([1, 2, 3]);
  });

  it('flags items by difficulty and discrimination', () => {
    const quality = new Map(results.item_quality.map((q) => [q.item, q]));
    expect(quality.get('i5')!.flags).toEqual(['not-enough-respondents']);
    expect(quality.get('i6')!.flags).toContain('nobody-passes');
    const i1 = quality.get('i1')!;
    expect(i1.difficulty).toBeCloseTo(70, 10);
    expect(i1.pass_rate).toBeCloseTo(2 / 3, 10);
    // Rest scores: m1 (350 - 90) / 5, m2 (210 - 50) / 5, d1 (310 - 70) / 4.
    expect(i1.discrimination).toBeCloseTo(pearson([90, 50, 70], [52, 32, 60])!, 10);
  });

  it('puts doctors beside models overall and per level', () => {
    const hvm = results.humans_vs_models;
    expect(hvm).toMatchObject({ available: true, humans: ['d1'], models: ['m1', 'm2'], best_human: 'd1' });
    expect(hvm.rows[0]).toMatchObject({ level: null, best_human: 62, humans_mean: 62 });
    expect(hvm.rows[1]).toEqual({ level: 1, best_human: 70, humans_mean: 70, models: { m1: 85, m2: 55 } });
  });

  it('gives the drill-down every answer with its text and verdicts', () => {
    const i1 = results.items.find((i) => i.id === 'i1')!;
    expect(i1.reference).toBe('reference answer for i1');
    expect(i1.entries.map((e) => [e.id, e.kind, e.score])).toEqual([
      ['key', 'point', 3],
      ['other', 'point', 1],
      ['harm', 'deduction', -2],
      ['stop', 'veto', null],
    ]);
    const first = i1.answers[0];
    expect([first.respondent, first.variant, first.sample]).toEqual(['d1', 'clean', 0]);
    const m1 = i1.answers.find((a) => a.key === 'm1|i1|clean|0|0')!;
    expect(m1.text).toBe('<script>alert(1)</script> neoadjuvant first');
    expect(m1.verdicts[0]).toMatchObject({ entry: 'key', met: true, quotes: ['the key point'] });
    const withoutText = analyze({ bank, scores, responses, options: { ...options, includeAnswerText: false } });
    expect(withoutText.items[0].answers.every((a) => a.text === null)).toBe(true);
  });

  it('rejects bad options with a user error', () => {
    expect(() => analyze({ bank, scores, responses, options: { bootstrap: 5 } })).toThrow(UserError);
    expect(() => analyze({ bank, scores, responses, options: { acceptableThreshold: 150 } })).toThrow(/0 to 100/);
  });

  it('handles a run without any scores', () => {
    const empty = analyze({ bank, scores: [], responses: [], options });
    expect(Results.safeParse(empty).success).toBe(true);
    expect(empty.leaderboard.rows).toEqual([]);
    expect(empty.item_quality.every((q) => q.flags.includes('unanswered'))).toBe(true);
    expect(empty.humans_vs_models.available).toBe(false);
  });
});
