import { describe, expect, it } from 'vitest';
import { detectKnee } from '../../src/analysis/knee.js';
import { type PlantedDepthOptions, plantedDepth, plantedStudy } from '../../src/analysis/planted-depth.js';
import { normalGenerator, plantedLevels } from './simulate.js';

const options = { b: 200, confidence: 0.95, minSupport: 0.6 };

describe('detectKnee on planted data (4 levels x 30 items, item SD 20, 5-10% veto zeros; 200 data sets each)', () => {
  // B = 200 per data set keeps the suite fast; the decision rule is the production one (see docs/statistics.md for B = 2000).
  const study = (planted: PlantedDepthOptions, seed: number) => plantedStudy(planted, 200, options, seed);

  it.each([
    { shape: 'bend', knot: 2, drop: 35 },
    { shape: 'bend', knot: 3, drop: 35 },
    { shape: 'step', knot: 2, drop: 35 },
    { shape: 'step', knot: 2, drop: 30 },
  ] as const)('finds a $shape of $drop points after depth $knot at that level in at least 90% of data sets', (planted) => {
    const row = study(planted, 10_000 + planted.knot * 1000 + planted.drop);
    expect(row.kneeAtPlanted / row.dataSets).toBeGreaterThanOrEqual(0.9);
    expect(row.rise).toBe(0);
  });

  it.each([
    { shape: 'line', drop: 35 },
    { shape: 'flat' },
  ] as const)('claims a knee in at most 10% of $shape data sets', (planted) => {
    const row = study(planted, 20_000);
    expect((row.kneeAtPlanted + row.kneeElsewhere) / row.dataSets).toBeLessThanOrEqual(0.1);
  });

  it('leaves vetoed answers out of the fit: fitting their zeros finds fewer knees', () => {
    const planted = { shape: 'bend', knot: 2, drop: 30 } as const;
    const apart = plantedStudy(planted, 100, options, 30_000);
    const dragged = plantedStudy(planted, 100, options, 30_000, true);
    expect(apart.kneeAtPlanted).toBeGreaterThan(dragged.kneeAtPlanted);
  });

  it('calls an upward bend a rise, never a knee', () => {
    // A doctor's curve that falls to depth 3 and climbs back (94 / 78 / 63 / 94).
    const levels = plantedLevels([94, 78, 63, 94], 30, 8, normalGenerator(4));
    const knee = detectKnee(levels, { ...options, seed: 4 });
    expect(knee.status).toBe('rise');
    expect(knee.knot).toBe(3);
    expect(knee.message).toMatch(/^rises after depth 3/);
    expect(knee.message).not.toMatch(/^knee/);
  });

  it('reports the step, its drop with a CI, every candidate and the vetoes per level', () => {
    const levels = plantedDepth({ shape: 'step', knot: 2, drop: 40, sd: 10 }, 5);
    const knee = detectKnee(levels, { ...options, seed: 5 });
    expect(knee.status).toBe('knee');
    expect(knee.shape).toBe('step');
    expect(knee.knot).toBe(2);
    expect(knee.change!).toBeLessThan(-30);
    expect(knee.change_ci!.high).toBeLessThan(0);
    expect(knee.fitted.map((f) => f.level)).toEqual([1, 2, 3, 4]);
    expect(knee.candidates.map((c) => `${c.model}${c.knot ?? ''}`)).toEqual(['flat', 'line', 'bend2', 'bend3', 'step1', 'step2', 'step3']);
    expect(knee.candidates.reduce((sum, c) => sum + c.support, 0)).toBeCloseTo(1, 9);
    const vetoed = levels.map((l) => l.values.length - l.unvetoed!.filter((v) => !Number.isNaN(v)).length);
    expect(knee.items_per_level.map((l) => l.vetoed)).toEqual(vetoed);
    expect(knee.message).toMatch(/^knee at depth 2: scores drop from 7\d\.\d to 3\d\.\d after depth 2 and level off/);
    expect(knee.bootstrap_b).toBe(200);
  });

  it('reports a bend with its slopes before and after', () => {
    const levels = plantedLevels([90, 88, 86, 50, 20], 30, 8, normalGenerator(3));
    const knee = detectKnee(levels, { ...options, seed: 5 });
    expect(knee.status).toBe('knee');
    expect(knee.shape).toBe('bend');
    expect(knee.knot).toBe(3);
    expect(knee.change!).toBeLessThan(-20);
    expect(knee.message).toMatch(/^knee at depth 3: slope -\d\.\d then -3\d\.\d points per level/);
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
      { level: 1, n: 2, vetoed: 0 },
      { level: 2, n: 2, vetoed: 0 },
      { level: 3, n: 0, vetoed: 0 },
    ]);
  });
});
