import { describe, expect, it } from 'vitest';
import { analysisSettings } from '../../src/analysis/analyze.js';
import { PlanCache } from '../../src/analysis/bootstrap.js';
import { cleanBootstrap, cleanScores, leaderboardRows, pairedComparisons } from '../../src/analysis/leaderboard.js';
import { buildScoreTable } from '../../src/analysis/score-table.js';
import { percentileInterval } from '../../src/analysis/stats.js';
import { makeBank, makeItem, makeScore } from './fixtures.js';
import { normalGenerator } from './simulate.js';

describe('paired comparisons with gaps', () => {
  const items = Array.from({ length: 40 }, (_, i) => makeItem(`q${i}`, 1 + (i % 3)));
  const bank = makeBank(items);
  const normal = normalGenerator(4);
  const missing: Record<string, number[]> = { a: [3, 17, 30], b: [5, 22], c: Array.from({ length: 30 }, (_, i) => i + 10) };
  const scores = ['a', 'b', 'c'].flatMap((who, w) =>
    items
      .map((_, i) => i)
      .filter((i) => !missing[who].includes(i))
      .map((i) => makeScore({ respondent: who, item: `q${i}`, score: Math.min(100, Math.max(0, 60 + 10 * w + 15 * normal())) })),
  );
  const settings = analysisSettings({ bootstrap: 400, seed: 3 });
  const table = buildScoreTable(bank, scores, settings);
  const bootstrap = cleanBootstrap(table);
  const rows = leaderboardRows(table, cleanScores(table, bootstrap));
  const pairs = pairedComparisons(table, bootstrap, rows.map((r) => r.respondent));

  /** The paired replicate computed the plain way: the count-weighted mean difference over the shared items drawn. */
  function bruteForce(x: string, y: string) {
    const plan = new PlanCache(3, 400).plan(Array.from({ length: 40 }, (_, i) => i));
    const vx = table.clean[table.respondents.findIndex((r) => r.name === x)];
    const vy = table.clean[table.respondents.findIndex((r) => r.name === y)];
    const replicates = new Float64Array(plan.b);
    for (let r = 0; r < plan.b; r++) {
      let sum = 0;
      let count = 0;
      for (let i = 0; i < 40; i++) {
        if (Number.isNaN(vx[i]) || Number.isNaN(vy[i])) continue;
        sum += plan.counts[r * 40 + i] * (vx[i] - vy[i]);
        count += plan.counts[r * 40 + i];
      }
      replicates[r] = count > 0 ? sum / count : NaN;
    }
    return percentileInterval(replicates, 0.95)!;
  }

  it('gives the same interval through totals minus gaps as summed over the shared items', () => {
    for (const pair of pairs) {
      const expected = bruteForce(pair.a, pair.b);
      expect(pair.ci!.low).toBeCloseTo(expected.low, 9);
      expect(pair.ci!.high).toBeCloseTo(expected.high, 9);
    }
    const ab = pairs.find((p) => [p.a, p.b].sort().join() === 'a,b')!;
    expect(ab.items).toBe(35);
    const ac = pairs.find((p) => [p.a, p.b].sort().join() === 'a,c')!;
    expect(ac.items).toBe(9); // c answered q0..q9 only, a lacks q3
  });

  /** Whether every respondent's replicate totals, made together, are bit for bit those of one respondent's loop over every item. */
  function totalsMatchOneByOne(clean: Float64Array[]) {
    const bootstrap = cleanBootstrap({ ...table, clean });
    const plan = bootstrap.plan;
    return clean.every((values, k) => {
      const { sums, counts } = bootstrap.totals(k);
      for (let r = 0; r < plan.b; r++) {
        let sum = 0;
        let count = 0;
        for (let i = 0; i < plan.n; i++) {
          if (Number.isNaN(values[i])) continue;
          sum += plan.counts[r * plan.n + i] * values[i];
          count += plan.counts[r * plan.n + i];
        }
        if (!Object.is(sums[r], sum) || !Object.is(counts[r], count)) return false;
      }
      return true;
    });
  }

  it("gives every respondent's replicate totals, made together, bit for bit as one respondent's loop over the items", () => {
    expect(totalsMatchOneByOne(table.clean)).toBe(true);
  });

  it('gives the same totals bit for bit when a value is infinite, -0 or NaN (an item not drawn adds 0 x value)', () => {
    const special = [Infinity, -Infinity, NaN, -0, Number.MAX_VALUE];
    const clean = table.clean.map((values, k) => {
      const copy = Float64Array.from(values);
      copy[7 + k] = special[k % special.length];
      copy[20] = special[(k + 1) % special.length];
      return copy;
    });
    // Only some replicates draw q7..q9 and q20: the rest must still come out NaN where the loop gives NaN.
    expect(totalsMatchOneByOne(clean)).toBe(true);
    expect(totalsMatchOneByOne([Float64Array.from({ length: 40 }, (_, i) => (i === 0 ? Infinity : i === 1 ? -Infinity : 50))])).toBe(true);
  });

  it('computes a respondent interval as the count-weighted mean over the answered items drawn', () => {
    const full = buildScoreTable(bank, scores.filter((s) => s.respondent === 'b'), settings);
    const plan = new PlanCache(3, 400).plan(Array.from({ length: 40 }, (_, i) => i));
    const b = full.clean[0];
    expect(Number.isNaN(b[5])).toBe(true);
    const estimate = cleanScores(full, cleanBootstrap(full))[0];
    const replicates = new Float64Array(plan.b);
    for (let r = 0; r < plan.b; r++) {
      let sum = 0;
      let count = 0;
      for (let i = 0; i < 40; i++) if (!Number.isNaN(b[i])) (sum += plan.counts[r * 40 + i] * b[i]), (count += plan.counts[r * 40 + i]);
      replicates[r] = sum / count;
    }
    const expected = percentileInterval(replicates, 0.95)!;
    expect(estimate.ci!.low).toBeCloseTo(expected.low, 9);
    expect(estimate.ci!.high).toBeCloseTo(expected.high, 9);
    expect(estimate.n_items).toBe(38);
  });
});

describe('respondents with too few items are shown apart, not ranked', () => {
  const items = Array.from({ length: 10 }, (_, i) => makeItem(`q${i}`, 1 + (i % 3)));
  const bank = makeBank(items);
  const answer = (who: string, count: number, score: number) => Array.from({ length: count }, (_, i) => makeScore({ respondent: who, item: `q${i}`, score }));
  // One perfect answer must not outrank ten good ones; five of ten items is exactly the threshold.
  const scores = [...answer('one-item', 1, 100), ...answer('complete', 10, 70), ...answer('half', 5, 60), ...answer('four', 4, 90)];
  const settings = analysisSettings({ bootstrap: 200, seed: 1 }, items.length);
  const table = buildScoreTable(bank, scores, settings);
  const rows = leaderboardRows(table, cleanScores(table, cleanBootstrap(table)));

  it('ranks only respondents with at least half of the bank items, and says why the others are apart', () => {
    expect(settings.min_ranked_items).toBe(5);
    expect(rows.map((r) => [r.rank, r.respondent, r.score.n_items])).toEqual([
      [1, 'complete', 10],
      [2, 'half', 5],
      [null, 'one-item', 1],
      [null, 'four', 4],
    ]);
    expect(rows[2].unranked_reason).toBe('answered 1 of 10 items (ranking needs 5)');
    expect(rows[0].unranked_reason).toBeNull();
  });

  it('takes the share from the options and rejects a share outside 0..1', () => {
    expect(analysisSettings({ minRankedShare: 0.1 }, 10).min_ranked_items).toBe(1);
    expect(() => analysisSettings({ minRankedShare: 1.5 }, 10)).toThrow(/from 0 to 1/);
  });
});
