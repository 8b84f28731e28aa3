/** Planted data for the statistics tests: seeded, so every run sees the same data sets. */
import { createRandom } from '../../src/analysis/random.js';

export function normalGenerator(seed: number): () => number {
  const random = createRandom(seed);
  return () => {
    // Box-Muller; 1 - u keeps the logarithm finite.
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

export function clampScore(value: number): number {
  return Math.min(100, Math.max(0, value));
}

/** Item scores per level: the given true mean per level plus normal noise, clamped to 0..100. */
export function plantedLevels(means: number[], itemsPerLevel: number, sd: number, normal: () => number): { level: number; values: Float64Array }[] {
  return means.map((mu, i) => ({
    level: i + 1,
    values: Float64Array.from({ length: itemsPerLevel }, () => clampScore(mu + sd * normal())),
  }));
}
