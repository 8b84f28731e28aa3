/**
 * Seeded nonparametric bootstrap over items. A resampling plan draws, once, how often each
 * item appears in each replicate (a B x n count matrix); every statistic over the same item
 * set reuses it, so a replicate mean is one pass of multiply-adds over a typed array and
 * paired comparisons share the very same resamples.
 */
import type { Interval, MeanEstimate } from '../schema/results.js';
import { createRandom } from './random.js';
import { mean, percentileInterval } from './stats.js';

export interface ResamplingPlan {
  /** Items per replicate. */
  n: number;
  /** Replicates. */
  b: number;
  /** counts[r * n + i]: how many times item i is drawn in replicate r. */
  counts: Uint16Array;
}

/** FNV-1a of a label mixed into the seed: each analysis gets its own reproducible stream. */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function createPlan(n: number, b: number, seed: number): ResamplingPlan {
  const counts = new Uint16Array(n * b);
  const random = createRandom(seed);
  for (let r = 0; r < b; r++) {
    const row = r * n;
    for (let j = 0; j < n; j++) counts[row + Math.floor(random() * n)]++;
  }
  return { n, b, counts };
}

/** Replicate means of values (aligned with the plan's items). */
export function replicateMeans(values: Float64Array, plan: ResamplingPlan): Float64Array {
  if (values.length !== plan.n) throw new RangeError(`replicateMeans: ${values.length} values for a plan of ${plan.n} items`);
  const out = new Float64Array(plan.b);
  const { n, counts } = plan;
  for (let r = 0; r < plan.b; r++) {
    const row = r * n;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += counts[row + i] * values[i];
    out[r] = sum / n;
  }
  return out;
}

/**
 * A short name for a set of item indices: its size and two independent 32-bit hashes, so
 * that looking up a plan never builds or compares thousand-element strings.
 */
export function itemSetSignature(items: ArrayLike<number>): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c ^ items.length;
  for (let i = 0; i < items.length; i++) {
    h1 = Math.imul(h1 ^ items[i], 0x01000193);
    h2 = Math.imul(h2 ^ (items[i] + 0x9e3779b9), 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return `${items.length}:${(h1 >>> 0).toString(36)}:${(h2 >>> 0).toString(36)}`;
}

/**
 * A map that forgets its oldest entries beyond a byte budget. Everything kept in it can be
 * recomputed identically, so forgetting costs time, never a different result.
 */
class BoundedCache<V extends { byteLength: number }> {
  private readonly entries = new Map<string, V>();
  private bytes = 0;
  constructor(private readonly budgetBytes: number) {}

  get(key: string, make: () => V): V {
    let value = this.entries.get(key);
    if (value) return value;
    value = make();
    this.entries.set(key, value);
    this.bytes += value.byteLength;
    // Oldest first (a Map keeps insertion order); the entry just made always stays.
    for (const [oldKey, old] of this.entries) {
      if (this.bytes <= this.budgetBytes || oldKey === key) break;
      this.entries.delete(oldKey);
      this.bytes -= old.byteLength;
    }
    return value;
  }
}

/**
 * Plans cached by item set, so that every respondent answering the same items is resampled
 * identically (and computed once). The seed of a plan depends only on the global seed and
 * the item set, never on the order in which analyses ask for it, so a plan evicted to stay
 * within the memory budget is drawn again identically when needed.
 */
export class PlanCache {
  private readonly plans: BoundedCache<Uint16Array>;
  constructor(
    readonly seed: number,
    readonly b: number,
    /** Memory kept for plans; many distinct item sets (respondents with gaps) would otherwise grow without bound. */
    budgetBytes = 64 * 1024 * 1024,
  ) {
    this.plans = new BoundedCache(budgetBytes);
  }

  /** The plan over this item set (item indices in ascending order). */
  plan(items: ArrayLike<number>): ResamplingPlan {
    const signature = itemSetSignature(items);
    const n = items.length;
    const counts = this.plans.get(signature, () => createPlan(n, this.b, deriveSeed(this.seed, signature)).counts);
    return { n, b: this.b, counts };
  }
}

/** Mean of values over items with a percentile bootstrap CI. Fewer than two items: no CI. */
export function meanEstimate(values: Float64Array, plan: ResamplingPlan | null, confidence: number): MeanEstimate {
  const m = mean(values);
  if (m === null || values.length < 2 || !plan) return { mean: m, ci: null, n_items: values.length };
  return { mean: m, ci: percentileInterval(replicateMeans(values, plan), confidence), n_items: values.length };
}

/**
 * Mean over some items of a universe (e.g. one respondent's items among all items with an
 * insistence variant), resampled with the universe's plan: a replicate is the count-weighted
 * mean over those items drawn. Respondents with different gaps then share one plan; with no
 * gap it is exactly meanEstimate. Null when an item is outside the universe.
 */
export function subsetMeanEstimate(
  universe: ReadonlyMap<number, number>,
  plan: ResamplingPlan,
  items: Int32Array,
  values: Float64Array,
  confidence: number,
): MeanEstimate | null {
  const positions = new Int32Array(items.length);
  for (let k = 0; k < items.length; k++) {
    const position = universe.get(items[k]);
    if (position === undefined) return null;
    positions[k] = position;
  }
  const m = mean(values);
  if (m === null || values.length < 2) return { mean: m, ci: null, n_items: values.length };
  const replicates = new Float64Array(plan.b);
  for (let r = 0; r < plan.b; r++) {
    const row = r * plan.n;
    let sum = 0;
    let count = 0;
    for (let k = 0; k < positions.length; k++) {
      const c = plan.counts[row + positions[k]];
      sum += c * values[k];
      count += c;
    }
    replicates[r] = count > 0 ? sum / count : NaN;
  }
  return { mean: m, ci: percentileInterval(replicates, confidence), n_items: values.length };
}

export function intervalExcludesZero(ci: Interval): boolean {
  return ci !== null && (ci.low > 0 || ci.high < 0);
}
