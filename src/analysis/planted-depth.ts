/**
 * Planted depth data for checking the knee method: item scores per level drawn around a
 * known curve with normal item noise (clamped to 0..100), and a share of answers failed by a
 * veto (score 0), as in a real run. Seeded: the same options give the same data sets.
 */
import { type KneeOptions, type LevelScores, detectKnee } from './knee.js';
import { createRandom } from './random.js';

export type PlantedShape = 'bend' | 'gradual' | 'step' | 'line' | 'flat';

export interface PlantedDepthOptions {
  shape: PlantedShape;
  /** Levels 1..levels (default 4). */
  levels?: number;
  itemsPerLevel?: number;
  /** Item standard deviation, points (default 20). */
  sd?: number;
  /** Score before the change (default 75). */
  start?: number;
  /**
   * The fall, points (default 35). bend: the slope changes by -drop at `knot` (the next level is
   * `drop` lower, and the fall goes on); gradual: the fall is spread over the levels past `knot`;
   * step: the score drops once after `knot` and levels off; line: the fall is spread evenly over all levels.
   */
  drop?: number;
  /** bend, gradual: the slope changes at this level; step: the score drops after it (default 2). */
  knot?: number;
  /** Share of answers failed by a veto, drawn per data set uniformly in [low, high] (default 0.05 to 0.10). */
  vetoRate?: [number, number];
}

/** The true mean per level of a planted shape. */
export function plantedMeans(options: PlantedDepthOptions): number[] {
  const { shape, levels = 4, start = 75, drop = 35, knot = 2 } = options;
  return Array.from({ length: levels }, (_, i) => {
    const x = i + 1;
    if (shape === 'flat') return start;
    if (shape === 'line') return start - (drop * (x - 1)) / (levels - 1);
    if (shape === 'step') return x > knot ? start - drop : start;
    if (shape === 'bend') return start - drop * Math.max(0, x - knot);
    return start - (drop * Math.max(0, x - knot)) / (levels - knot);
  });
}

/** One planted data set: per level the scores (vetoed at 0) and the unvetoed scores (NaN where vetoed). */
export function plantedDepth(options: PlantedDepthOptions, seed: number): LevelScores[] {
  const random = createRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const { itemsPerLevel = 30, sd = 20, vetoRate = [0.05, 0.1] } = options;
  const rate = vetoRate[0] + (vetoRate[1] - vetoRate[0]) * random();
  return plantedMeans(options).map((mu, i) => {
    const values = new Float64Array(itemsPerLevel);
    const unvetoed = new Float64Array(itemsPerLevel);
    for (let k = 0; k < itemsPerLevel; k++) {
      const score = Math.min(100, Math.max(0, mu + sd * normal()));
      const vetoed = random() < rate;
      values[k] = vetoed ? 0 : score;
      unvetoed[k] = vetoed ? NaN : score;
    }
    return { level: i + 1, values, unvetoed };
  });
}

export interface PlantedStudyRow {
  shape: PlantedShape;
  knot: number | null;
  drop: number;
  dataSets: number;
  /** Data sets with a knee at the planted knot (bend, gradual, step) or with any knee (line, flat). */
  kneeAtPlanted: number;
  kneeElsewhere: number;
  rise: number;
}

/**
 * Runs the knee on `dataSets` planted data sets of one shape. `ignoreVetoes` fits the vetoed
 * zeros as ordinary scores, to show what leaving them out buys.
 */
export function plantedStudy(
  options: PlantedDepthOptions,
  dataSets: number,
  knee: Omit<KneeOptions, 'seed'>,
  seed: number,
  ignoreVetoes = false,
): PlantedStudyRow {
  const planted = options.shape === 'line' || options.shape === 'flat' ? null : (options.knot ?? 2);
  const row: PlantedStudyRow = { shape: options.shape, knot: planted, drop: options.drop ?? 35, dataSets, kneeAtPlanted: 0, kneeElsewhere: 0, rise: 0 };
  for (let d = 0; d < dataSets; d++) {
    const levels = plantedDepth(options, seed + d).map((l) => (ignoreVetoes ? { level: l.level, values: l.values } : l));
    const result = detectKnee(levels, { ...knee, seed: seed + d });
    if (result.status === 'rise') row.rise++;
    if (result.status !== 'knee') continue;
    if (planted === null || result.knot === planted) row.kneeAtPlanted++;
    else row.kneeElsewhere++;
  }
  return row;
}
