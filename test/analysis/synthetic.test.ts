import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { syntheticEvaluation } from '../../src/analysis/synthetic.js';
import { Results } from '../../src/schema/results.js';
import { makeBank, makeItem, makeScore } from './fixtures.js';

describe('analyze on a synthetic evaluation with planted structure', () => {
  const data = syntheticEvaluation({ models: 6, humans: 2, items: 250, seed: 3 });
  const results = analyze({ ...data, options: { bootstrap: 300, generatedAt: 'fixed' } });

  it('finds the planted knees and no knee where the decline is linear', () => {
    const verdict = (name: string) => results.depth.curves.find((c) => c.respondent === name)!.knee;
    // Respondent r: r % 3 == 0 declines linearly, 1 collapses past depth 3, 2 past depth 4.
    expect(verdict('model-01').status).toBe('no-knee');
    expect(verdict('model-02')).toMatchObject({ status: 'knee', knot: 3 });
    expect(verdict('model-03')).toMatchObject({ status: 'knee', knot: 4 });
    expect(verdict('model-04').status).toBe('no-knee');
  });

  it('keeps every answer and every respondent', () => {
    expect(Results.safeParse(results).success).toBe(true);
    expect(results.respondents.map((r) => r.kind).sort()).toEqual(['human', 'human', 'model', 'model', 'model', 'model', 'model', 'model']);
    expect(results.items.reduce((n, item) => n + item.answers.length, 0)).toBe(data.scores.length);
    expect(results.leaderboard.pairs).toHaveLength((8 * 7) / 2);
    expect(results.humans_vs_models.available).toBe(true);
    expect(results.humans_vs_models.rows).toHaveLength(6);
  });

  it('sees the planted distraction drop and multi-turn erosion', () => {
    for (const stat of results.distraction.kinds.filter((k) => k.kind !== 'multi-turn')) {
      // Planted: -8 points on every distracted prompt.
      expect(stat.delta.ci!.low).toBeLessThan(-8 + 6);
      expect(stat.delta.ci!.high).toBeGreaterThan(-8 - 6);
    }
    for (const multi of results.distraction.multi_turn) {
      expect(multi.turns.map((t) => t.turn)).toEqual([0, 1, 2]);
      expect(multi.turns[2].score.mean!).toBeLessThan(multi.turns[0].score.mean!);
    }
  });
});

describe('analyze on arbitrary small score sets', () => {
  const bank = makeBank([makeItem('a', 1), makeItem('b', 2), makeItem('c', 3), makeItem('d', 3, 'staging')]);
  const spec = fc.record({
    respondent: fc.constantFrom('m1', 'm2', 'h1'),
    item: fc.constantFrom('a', 'b', 'c', 'd'),
    score: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
    sample: fc.integer({ min: 0, max: 2 }),
    veto: fc.option(fc.constant('unsafe sentence'), { nil: undefined }),
  });

  it('always yields a valid Results object whose leaderboard matches the clean means', () => {
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 30 }), (specs) => {
        const scores = specs.map((s) => makeScore({ ...s, kind: s.respondent === 'h1' ? 'human' : 'model', depth: { a: 1, b: 2, c: 3, d: 3 }[s.item] }));
        const results = analyze({ bank, scores, responses: [], options: { bootstrap: 100, generatedAt: 'fixed' } });
        expect(Results.safeParse(results).success).toBe(true);
        // Reference computation: latest score per key, complete ones, samples averaged per item, then items averaged.
        const latest = new Map(scores.map((s) => [s.key, s]));
        const perItem = new Map<string, Map<string, number[]>>();
        for (const s of latest.values()) {
          if (s.caps_score === null) continue;
          const items = perItem.get(s.respondent) ?? new Map<string, number[]>();
          items.set(s.item, [...(items.get(s.item) ?? []), s.caps_score]);
          perItem.set(s.respondent, items);
        }
        for (const row of results.leaderboard.rows) {
          const itemMeans = [...(perItem.get(row.respondent)?.values() ?? [])].map((v) => v.reduce((a, b) => a + b, 0) / v.length);
          if (itemMeans.length === 0) expect(row.score.mean).toBeNull();
          else expect(row.score.mean).toBeCloseTo(itemMeans.reduce((a, b) => a + b, 0) / itemMeans.length, 9);
          expect(row.score.n_items).toBe(itemMeans.length);
          const ci = row.score.ci;
          if (ci) {
            expect(ci.low).toBeLessThanOrEqual(row.score.mean! + 1e-9);
            expect(ci.high).toBeGreaterThanOrEqual(row.score.mean! - 1e-9);
          }
          expect(row.score.mean === null || (row.score.mean >= 0 && row.score.mean <= 100)).toBe(true);
        }
      }),
      { numRuns: 60, seed: 17 },
    );
  });
});
