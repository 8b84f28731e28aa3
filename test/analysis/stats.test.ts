import { describe, expect, it } from 'vitest';
import { createPlan, deriveSeed, itemSetSignature, meanEstimate, PlanCache, replicateMeans, subsetMeanEstimate } from '../../src/analysis/bootstrap.js';
import { binomialHalfTwoSided, mcnemarExact, normalQuantile, orderStatistic, pearson, percentileInterval, selectedQuantile, signTest, wilson } from '../../src/analysis/stats.js';
import { createRandom } from '../../src/analysis/random.js';
import { normalGenerator } from './simulate.js';

describe('exact tests against hand-computed values', () => {
  it('Wilson interval of 8/10 at 95% is (0.490, 0.943)', () => {
    const p = wilson(8, 10, 0.95);
    expect(p.rate).toBe(0.8);
    expect(p.ci!.low).toBeCloseTo(0.4902, 4);
    expect(p.ci!.high).toBeCloseTo(0.9433, 4);
  });

  it('Wilson interval of 0/20 starts at 0 and has no rate without data', () => {
    const p = wilson(0, 20, 0.95);
    expect(p.ci!.low).toBe(0);
    // z^2 / (n + z^2) = 3.8415 / 23.8415
    expect(p.ci!.high).toBeCloseTo(0.1611, 4);
    expect(wilson(0, 0, 0.95)).toEqual({ count: 0, total: 0, rate: null, ci: null });
  });

  it('sign test: 8 wins, 2 losses, 1 tie gives p = 2 x 56/1024', () => {
    const result = signTest([5, 3, 1, 2, 8, 1, 4, 2, -1, -3, 0]);
    expect(result).toMatchObject({ a_better: 8, b_better: 2, ties: 1 });
    expect(result.p_value).toBeCloseTo(112 / 1024, 12);
    expect(signTest([0, 0]).p_value).toBeNull();
  });

  it('McNemar exact: 7 vs 1 discordant pairs gives p = 2 x 9/256', () => {
    expect(mcnemarExact(7, 1)).toBeCloseTo(18 / 256, 12);
    expect(mcnemarExact(3, 3)).toBe(1);
    expect(mcnemarExact(0, 0)).toBeNull();
  });

  it('binomial tails stay exact for large n', () => {
    expect(binomialHalfTwoSided(0, 5)).toBeCloseTo(2 / 32, 12);
    expect(binomialHalfTwoSided(500, 1000)).toBe(1);
    // 2 * P(X <= 450 | n = 1000): about 0.00169 (normal approximation with continuity: 0.00170).
    expect(binomialHalfTwoSided(450, 1000)).toBeCloseTo(0.00169, 4);
  });

  it('normal quantile and Pearson correlation', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(pearson([1, 2, 3, 4], [2, 4, 6, 8])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 1, 2])).toBeCloseTo(-0.5, 12);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNull();
  });

  it('percentile interval interpolates and drops undefined replicates', () => {
    const replicates = Float64Array.from({ length: 101 }, (_, i) => i);
    const ci = percentileInterval(replicates, 0.9)!;
    expect(ci.low).toBeCloseTo(5, 9);
    expect(ci.high).toBeCloseTo(95, 9);
    expect(percentileInterval(Float64Array.from([NaN, NaN, 1]), 0.95)).toBeNull();
  });
});

describe('quantiles by selection', () => {
  /** Type 7 quantile of the sorted copy: what selection must reproduce bit for bit. */
  const bySorting = (values: Float64Array, q: number) => {
    const sorted = values.slice().sort();
    const position = (sorted.length - 1) * q;
    const lower = Math.floor(position);
    return sorted[lower] + (sorted[Math.ceil(position)] - sorted[lower]) * (position - lower);
  };
  const random = createRandom(11);
  const samples: [string, Float64Array][] = [
    ['continuous', Float64Array.from({ length: 2000 }, () => random() * 100 - 50)],
    ['few distinct values', Float64Array.from({ length: 2000 }, () => Math.floor(random() * 4))],
    ['constant', new Float64Array(501).fill(7)],
    ['sorted', Float64Array.from({ length: 300 }, (_, i) => i / 3)],
    ['descending', Float64Array.from({ length: 300 }, (_, i) => -i)],
    ['one value', Float64Array.of(3)],
    ['two values', Float64Array.of(9, -1)],
  ];

  it.each(samples)('gives the same quantiles as sorting: %s', (_, values) => {
    for (const q of [0, 0.025, 0.05, 0.5, 0.95, 0.975, 1]) expect(Object.is(selectedQuantile(values.slice(), q), bySorting(values, q))).toBe(true);
  });

  it('selects every order statistic of a sample with ties', () => {
    const values = Float64Array.from({ length: 64 }, () => Math.floor(random() * 9));
    const sorted = values.slice().sort();
    for (let k = 0; k < values.length; k++) expect(orderStatistic(values.slice(), k)).toBe(sorted[k]);
  });

  it('places -0 before 0 as sorting does', () => {
    const values = Float64Array.of(0, -0, 0, -0, -1, 2);
    const sorted = values.slice().sort();
    for (let k = 0; k < values.length; k++) expect(Object.is(orderStatistic(values.slice(), k), sorted[k])).toBe(true);
  });
});

describe('bootstrap resampling plans', () => {
  it('draws n items per replicate and is reproducible', () => {
    const plan = createPlan(7, 50, 3);
    for (let r = 0; r < 50; r++) expect(plan.counts.subarray(r * 7, r * 7 + 7).reduce((a, c) => a + c, 0)).toBe(7);
    expect(createPlan(7, 50, 3).counts).toEqual(plan.counts);
    expect(createPlan(7, 50, 4).counts).not.toEqual(plan.counts);
  });

  it('caches one plan per item set, seeded by the set and not by the order of requests', () => {
    const first = new PlanCache(9, 20);
    const a = first.plan([0, 2, 5]);
    expect(first.plan([0, 2, 5]).counts).toBe(a.counts);
    const second = new PlanCache(9, 20);
    second.plan([1, 2]);
    expect(second.plan([0, 2, 5]).counts).toEqual(a.counts);
    expect(itemSetSignature([0, 2, 5])).not.toBe(itemSetSignature([0, 2, 6]));
    expect(itemSetSignature([0, 2, 5])).not.toBe(itemSetSignature([0, 5, 2]));
    expect(deriveSeed(9, itemSetSignature([0, 2, 5]))).not.toBe(deriveSeed(9, itemSetSignature([0, 2, 6])));
  });

  it('evicts old plans beyond its memory budget and redraws them identically', () => {
    const cache = new PlanCache(5, 100, 100 * 10 * 2 * 2); // room for two plans of 10 items
    const first = cache.plan([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    cache.plan([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    cache.plan([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const again = cache.plan([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(again.counts).not.toBe(first.counts);
    expect(again.counts).toEqual(first.counts);
  });

  it('a subset of a universe is resampled with the universe plan, exactly the plain bootstrap without gaps', () => {
    const universe = new Map([10, 11, 12, 13, 14].map((item, k) => [item, k]));
    const plan = createPlan(5, 300, 8);
    const values = Float64Array.from([50, 70, 20, 90, 65]);
    const full = subsetMeanEstimate(universe, plan, Int32Array.from([10, 11, 12, 13, 14]), values, 0.95)!;
    expect(full).toEqual(meanEstimate(values, plan, 0.95));
    const gapped = subsetMeanEstimate(universe, plan, Int32Array.from([10, 12, 14]), Float64Array.from([50, 20, 65]), 0.95)!;
    const replicates = new Float64Array(300);
    for (let r = 0; r < 300; r++) {
      const c = [0, 2, 4].map((k) => plan.counts[r * 5 + k]);
      const count = c[0] + c[1] + c[2];
      replicates[r] = count > 0 ? (c[0] * 50 + c[1] * 20 + c[2] * 65) / count : NaN;
    }
    expect(gapped.ci).toEqual(percentileInterval(replicates, 0.95));
    expect(gapped.mean).toBeCloseTo(45, 12);
    expect(subsetMeanEstimate(universe, plan, Int32Array.from([10, 99]), Float64Array.from([1, 2]), 0.95)).toBeNull();
  });

  it('replicate means of a constant are the constant', () => {
    const plan = createPlan(5, 10, 1);
    expect(Array.from(replicateMeans(new Float64Array(5).fill(42), plan))).toEqual(new Array(10).fill(42));
  });

  it('a 95% CI of a mean covers the true mean in about 95% of simulated data sets', () => {
    const normal = normalGenerator(21);
    let covered = 0;
    const sets = 400;
    for (let d = 0; d < sets; d++) {
      const values = Float64Array.from({ length: 40 }, () => 60 + 15 * normal());
      const estimate = meanEstimate(values, createPlan(40, 500, d), 0.95);
      if (estimate.ci!.low <= 60 && 60 <= estimate.ci!.high) covered++;
    }
    expect(covered / sets).toBeGreaterThanOrEqual(0.91);
    expect(covered / sets).toBeLessThanOrEqual(0.98);
  });

  it('a paired 95% CI of a mean difference covers the true difference in about 95% of data sets', () => {
    const normal = normalGenerator(22);
    let covered = 0;
    const sets = 400;
    for (let d = 0; d < sets; d++) {
      // Items differ a lot in difficulty; the pairing removes that variation.
      const difficulty = Array.from({ length: 50 }, () => 60 + 20 * normal());
      const a = Float64Array.from(difficulty, (x) => x + 5 + 8 * normal());
      const b = Float64Array.from(difficulty, (x) => x + 8 * normal());
      const plan = createPlan(50, 500, 1000 + d);
      const ma = replicateMeans(a, plan);
      const mb = replicateMeans(b, plan);
      const ci = percentileInterval(ma.map((v, i) => v - mb[i]), 0.95)!;
      if (ci.low <= 5 && 5 <= ci.high) covered++;
    }
    expect(covered / sets).toBeGreaterThanOrEqual(0.91);
    expect(covered / sets).toBeLessThanOrEqual(0.98);
  });
});
