/**
 * HealthBench's own headline numbers (as simple-evals computes them), from per-criterion
 * verdicts: an example scores sum(points of met criteria) / sum(positive points), unclipped;
 * the headline is the mean over examples clipped to [0, 1]; a per-axis score restricts both
 * sums to the criteria tagged with that axis, leaving out examples with no positive
 * criterion on it; an example tag (theme) groups whole examples. The standard error is the
 * population standard deviation of clipped means of seeded bootstrap resamples.
 * Scale 0..1, as HealthBench reports it.
 */
import type { Bank } from '../bank/bank.js';
import { CLEAN } from '../schema/bank.js';
import type { AnswerScore } from '../schema/score.js';
import { applyProfile, applyProfileByTag, type EntryVerdict } from '../scorer/arithmetic.js';
import { resolveRubric } from '../scorer/rubric.js';
import { createRandom } from '../analysis/random.js';

export interface HealthBenchStat {
  /** "overall", an axis tag ("axis:accuracy") or an example tag ("theme:hedging"). */
  group: string;
  examples: number;
  /** Mean of the unclipped example scores. */
  unclipped_mean: number | null;
  /** The headline: unclipped_mean clipped to [0, 1]. */
  score: number | null;
  bootstrap_std: number | null;
}

export interface HealthBenchHeadline {
  respondent: string;
  overall: HealthBenchStat;
  axes: HealthBenchStat[];
  themes: HealthBenchStat[];
}

export interface HealthBenchOptions {
  seed?: number;
  /** Bootstrap resamples (simple-evals uses 1000). */
  resamples?: number;
}

const clip01 = (x: number) => Math.min(1, Math.max(0, x));

/** Clipped mean and bootstrap standard deviation of example scores. */
export function clippedStats(group: string, values: readonly number[], options: HealthBenchOptions = {}): HealthBenchStat {
  if (values.length === 0) return { group, examples: 0, unclipped_mean: null, score: null, bootstrap_std: null };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const random = createRandom(options.seed ?? 1);
  const resamples = options.resamples ?? 1000;
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[Math.floor(random() * values.length)];
    means[b] = clip01(sum / values.length);
  }
  const average = means.reduce((a, b) => a + b, 0) / resamples;
  const variance = means.reduce((a, b) => a + (b - average) ** 2, 0) / resamples;
  return { group, examples: values.length, unclipped_mean: mean, score: clip01(mean), bootstrap_std: Math.sqrt(variance) };
}

/** One example's unclipped score and per-axis scores (null: no positive criterion on that axis). */
export function exampleScores(entries: ReturnType<typeof resolveRubric>, verdicts: ReadonlyMap<string, EntryVerdict>): { overall: number | null; axes: Map<string, number | null> } {
  const overall = applyProfile(entries, verdicts, 'healthbench');
  const axes = new Map([...applyProfileByTag(entries, verdicts, 'healthbench', 'axis:')].map(([tag, s]) => [tag, s.status === 'complete' && s.max > 0 ? s.raw / s.max : null]));
  return { overall: overall.status === 'complete' && overall.max > 0 ? overall.raw / overall.max : null, axes };
}

/** HealthBench's headline per respondent, from complete clean first-turn scores; every sample counts as an example. */
export function healthBenchHeadline(bank: Bank, scores: readonly AnswerScore[], options: HealthBenchOptions = {}): HealthBenchHeadline[] {
  const items = new Map(bank.items.map((i) => [i.id, i]));
  const byRespondent = new Map<string, { overall: number[]; axes: Map<string, number[]>; themes: Map<string, number[]> }>();
  for (const score of scores) {
    const item = items.get(score.item);
    if (!item || score.variant !== CLEAN || score.turn !== 0 || score.status !== 'complete') continue;
    const verdicts = new Map(score.verdicts.map((v) => [v.entry, { met: v.met, quotes: v.quotes }]));
    const example = exampleScores(resolveRubric(item), verdicts);
    if (example.overall === null) continue;
    const acc = byRespondent.get(score.respondent) ?? { overall: [], axes: new Map<string, number[]>(), themes: new Map<string, number[]>() };
    byRespondent.set(score.respondent, acc);
    acc.overall.push(example.overall);
    for (const [axis, value] of example.axes) if (value !== null) acc.axes.set(axis, [...(acc.axes.get(axis) ?? []), value]);
    for (const tag of item.tags) if (tag.startsWith('theme:')) acc.themes.set(tag, [...(acc.themes.get(tag) ?? []), example.overall]);
  }
  const stats = (groups: Map<string, number[]>) => [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([group, values]) => clippedStats(group, values, options));
  return [...byRespondent]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([respondent, acc]) => ({ respondent, overall: clippedStats('overall', acc.overall, options), axes: stats(acc.axes), themes: stats(acc.themes) }));
}
