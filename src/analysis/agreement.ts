/**
 * Agreement statistics between raters of binary (met / not met) rubric verdicts, used to
 * calibrate an LLM judge or a matcher against expert labels. Pure functions; a statistic
 * that is undefined for the data (e.g. kappa when both raters always say the same class)
 * is `null`, never a made-up number.
 */
import type { Interval } from '../schema/results.js';
import { createRandom } from './random.js';
import { percentileInterval } from './stats.js';

export type { Interval };

/** One unit rated by two raters: `expected` is the reference (the expert), `observed` the rater under test. */
export interface RatedPair {
  expected: boolean;
  observed: boolean;
}

function proportions(pairs: readonly RatedPair[]): { agree: number; expectedMet: number; observedMet: number } {
  let agree = 0;
  let expectedMet = 0;
  let observedMet = 0;
  for (const p of pairs) {
    if (p.expected === p.observed) agree++;
    if (p.expected) expectedMet++;
    if (p.observed) observedMet++;
  }
  const n = pairs.length;
  return { agree: agree / n, expectedMet: expectedMet / n, observedMet: observedMet / n };
}

/** Share of units on which both raters agree. */
export function percentAgreement(pairs: readonly RatedPair[]): number | null {
  if (pairs.length === 0) return null;
  return proportions(pairs).agree;
}

/** Cohen's kappa: agreement corrected by the chance agreement of each rater's own marginals. */
export function cohenKappa(pairs: readonly RatedPair[]): number | null {
  if (pairs.length === 0) return null;
  const { agree, expectedMet: a, observedMet: b } = proportions(pairs);
  const chance = a * b + (1 - a) * (1 - b);
  if (chance >= 1) return null;
  return (agree - chance) / (1 - chance);
}

/**
 * Gwet's AC1: like kappa but with chance agreement from the mean prevalence, so it stays
 * informative when nearly every entry is "not met" (the kappa paradox).
 */
export function gwetAC1(pairs: readonly RatedPair[]): number | null {
  if (pairs.length === 0) return null;
  const { agree, expectedMet, observedMet } = proportions(pairs);
  const prevalence = (expectedMet + observedMet) / 2;
  const chance = 2 * prevalence * (1 - prevalence);
  if (chance >= 1) return null;
  return (agree - chance) / (1 - chance);
}

/** Macro-F1 over the classes met and not met, the expert's label taken as truth. Classes absent from both raters are left out. */
export function macroF1(pairs: readonly RatedPair[]): number | null {
  if (pairs.length === 0) return null;
  const scores: number[] = [];
  for (const positive of [true, false]) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const p of pairs) {
      if (p.observed === positive && p.expected === positive) tp++;
      else if (p.observed === positive) fp++;
      else if (p.expected === positive) fn++;
    }
    if (tp + fp + fn === 0) continue;
    scores.push((2 * tp) / (2 * tp + fp + fn));
  }
  return scores.reduce((s, x) => s + x, 0) / scores.length;
}

/**
 * Krippendorff's alpha for nominal data: each unit carries the values given by however many
 * raters labelled it (missing ratings simply absent). Units with fewer than two values are
 * not pairable and are ignored.
 */
export function krippendorffAlphaNominal(units: readonly (readonly (string | boolean)[])[]): number | null {
  const coincidence = new Map<string, Map<string, number>>();
  const add = (c: string, k: string, w: number) => {
    const row = coincidence.get(c) ?? new Map<string, number>();
    row.set(k, (row.get(k) ?? 0) + w);
    coincidence.set(c, row);
  };
  for (const unit of units) {
    const m = unit.length;
    if (m < 2) continue;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        if (i !== j) add(String(unit[i]), String(unit[j]), 1 / (m - 1));
      }
    }
  }
  const totals = new Map<string, number>();
  let n = 0;
  let disagreeing = 0;
  for (const [c, row] of coincidence) {
    for (const [k, w] of row) {
      totals.set(c, (totals.get(c) ?? 0) + w);
      n += w;
      if (c !== k) disagreeing += w;
    }
  }
  if (n <= 1) return null;
  let expectedDisagreement = 0;
  for (const [c, nc] of totals) {
    for (const [k, nk] of totals) if (c !== k) expectedDisagreement += nc * nk;
  }
  if (expectedDisagreement === 0) return null;
  return 1 - ((n - 1) * disagreeing) / expectedDisagreement;
}

/**
 * Percentile bootstrap interval (95% by default) of a statistic over units resampled with
 * replacement, seeded. Resamples on which the statistic is undefined are dropped; null when
 * too few remain.
 */
export function bootstrapInterval<T>(
  units: readonly T[],
  statistic: (sample: readonly T[]) => number | null,
  options: { seed: number; resamples?: number; level?: number },
): Interval {
  if (units.length === 0) return null;
  const resamples = options.resamples ?? 1000;
  const random = createRandom(options.seed);
  const replicates = new Float64Array(resamples);
  const sample: T[] = new Array(units.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < units.length; i++) sample[i] = units[Math.floor(random() * units.length)];
    replicates[r] = statistic(sample) ?? Number.NaN;
  }
  return percentileInterval(replicates, options.level ?? 0.95);
}
