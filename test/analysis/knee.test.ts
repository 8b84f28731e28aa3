import { describe, expect, it } from 'vitest';
import { detectKnee } from '../../src/analysis/knee.js';
import { normalGenerator, plantedLevels } from './simulate.js';

// B = 200 per data set keeps 2 x 200 data sets fast; the decision rule is the production one.
const options = { b: 200, confidence: 0.95, minSupport: 0.8 };

describe('detectKnee on planted data (200 data sets each, 30 items per level)', () => {
  it('finds a true knee at the right level in at least 90% of data sets', () => {
    const normal = normalGenerator(11);
    let found = 0;
    for (let d = 0; d < 200; d++) {
      // Gentle decline to depth 3, then a collapse: slope -3 then -24 points per level (item SD 12).
      const levels = plantedLevels([85, 82, 79, 55, 31], 30, 12, normal);
      const knee = detectKnee(levels, { ...options, seed: d });
      if (knee.status === 'knee' && knee.knot === 3) found++;
    }
    expect(found / 200).toBeGreaterThanOrEqual(0.9);
  });

  it('claims no knee on linear data in at least 90% of data sets', () => {
    const normal = normalGenerator(12);
    let claimed = 0;
    for (let d = 0; d < 200; d++) {
      const levels = plantedLevels([85, 73, 61, 49, 37], 30, 12, normal);
      const knee = detectKnee(levels, { ...options, seed: 1000 + d });
      if (knee.status === 'knee') claimed++;
    }
    expect(claimed / 200).toBeLessThanOrEqual(0.1);
  });

  it('gives a slope-change CI that covers the true change in about 95% of data sets', () => {
    const normal = normalGenerator(13);
    let atTrueKnot = 0;
    let covered = 0;
    for (let d = 0; d < 200; d++) {
      // Slope -2 then -16 (change -14), far from the 0..100 bounds so clamping does not bias the truth.
      const levels = plantedLevels([70, 68, 66, 50, 34], 30, 10, normal);
      const knee = detectKnee(levels, { ...options, seed: 2000 + d });
      if (knee.knot !== 3) continue;
      atTrueKnot++;
      const ci = knee.slope_change_ci!;
      if (ci.low <= -14 && -14 <= ci.high) covered++;
    }
    // The CI is reported at the chosen knot: its coverage is judged where that knot is the true one.
    expect(atTrueKnot).toBeGreaterThanOrEqual(180);
    expect(covered / atTrueKnot).toBeGreaterThanOrEqual(0.91);
    expect(covered / atTrueKnot).toBeLessThanOrEqual(0.99);
  });

  it('reports items per level, candidates, BIC and a readable verdict', () => {
    const levels = plantedLevels([90, 88, 86, 50, 20], 30, 8, normalGenerator(3));
    const knee = detectKnee(levels, { ...options, seed: 5 });
    expect(knee.status).toBe('knee');
    expect(knee.knot).toBe(3);
    expect(knee.items_per_level).toEqual([1, 2, 3, 4, 5].map((level) => ({ level, n: 30 })));
    expect(knee.candidates.map((c) => c.knot)).toEqual([2, 3, 4]);
    const best = knee.candidates.find((c) => c.knot === 3)!;
    expect(best.bic!).toBeLessThan(knee.linear.bic!);
    expect(knee.slope_change!).toBeLessThan(-20);
    expect(knee.slope_change_ci!.high).toBeLessThan(0);
    expect(knee.support! + knee.linear.support).toBeLessThanOrEqual(1);
    expect(knee.message).toMatch(/^knee at depth 3, scores fall faster past this level/);
    expect(knee.bootstrap_b).toBe(200);
  });

  it('recovers the exact slopes of noise-free hinge data', () => {
    const means = [80, 80, 80, 60, 40];
    const levels = means.map((mu, i) => ({ level: i + 1, values: Float64Array.from([mu - 1, mu + 1, mu]) }));
    const knee = detectKnee(levels, { ...options, seed: 1 });
    expect(knee.knot).toBe(3);
    expect(knee.slope_before!).toBeCloseTo(0, 6);
    expect(knee.slope_after!).toBeCloseTo(-20, 6);
  });

  it('is reproducible for a seed', () => {
    const levels = plantedLevels([85, 80, 70, 55, 40], 20, 15, normalGenerator(9));
    expect(detectKnee(levels, { ...options, seed: 42 })).toEqual(detectKnee(levels, { ...options, seed: 42 }));
  });

  it('says when a knee cannot be tested', () => {
    const knee = detectKnee(
      [
        { level: 1, values: Float64Array.from([80, 90]) },
        { level: 2, values: Float64Array.from([70, 60]) },
        { level: 3, values: new Float64Array(0) },
      ],
      { ...options, seed: 1 },
    );
    expect(knee.status).toBe('insufficient-data');
    expect(knee.message).toMatch(/3 or more depth levels/);
    expect(knee.items_per_level).toEqual([
      { level: 1, n: 2 },
      { level: 2, n: 2 },
      { level: 3, n: 0 },
    ]);
  });
});
