/**
 * HealthBench's own headline numbers (as simple-evals computes them), from per-criterion
 * verdicts: an example scores sum(points of met criteria) / sum(positive points), unclipped;
 * the headline is the mean over examples clipped to [0, 1]. As simple-evals, every tag the
 * rows carry is a group: a criterion tag (`axis:`, `level:`, `cluster:`, ...) restricts both
 * sums to the criteria carrying it, leaving out examples with no positive criterion there;
 * an example tag (`theme:`, `physician_agreed_category:`, a Professional set's use-case and
 * stratum tags, ...) groups whole examples. The ± is the population standard deviation of
 * clipped means of seeded bootstrap resamples, the same for every group as for the headline.
 * Scale 0..1, as HealthBench reports it.
 */
import type { Bank } from '../bank/bank.js';
import { CLEAN } from '../schema/shared.js';
import type { AnswerScore } from '../schema/score.js';
import { applyProfile, applyProfileByTag, type EntryVerdict } from '../scorer/arithmetic.js';
import { resolveRubric } from '../scorer/rubric.js';
import { createRandom } from '../analysis/random.js';
import { IDEAL_GROUP_PREFIX } from './healthbench.js';
import { appendTo } from '../group.js';

export interface HealthBenchStat {
  /** "overall", a criterion tag ("axis:accuracy", "cluster:...") or an example tag ("theme:hedging"). */
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
  /** One per criterion tag present (axis:, level:, cluster:, ...), sorted. */
  criterionTags: HealthBenchStat[];
  /** One per example tag present (theme:, physician_agreed_category:, ...), sorted. */
  exampleTags: HealthBenchStat[];
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

/** One example's unclipped score and its score per criterion tag (null: no positive criterion with that tag). */
export function exampleScores(entries: ReturnType<typeof resolveRubric>, verdicts: ReadonlyMap<string, EntryVerdict>): { overall: number | null; tags: Map<string, number | null> } {
  const overall = applyProfile(entries, verdicts, 'healthbench');
  const tags = new Map([...applyProfileByTag(entries, verdicts, 'healthbench', '')].map(([tag, s]) => [tag, s.status === 'complete' && s.max > 0 ? s.raw / s.max : null]));
  return { overall: overall.status === 'complete' && overall.max > 0 ? overall.raw / overall.max : null, tags };
}

/** Item tags caps adds on import, which are not HealthBench example tags. */
const OWN_TAGS = [IDEAL_GROUP_PREFIX];

/** HealthBench's headline per respondent, from complete clean first-turn scores; every sample counts as an example. */
export function healthBenchHeadline(bank: Bank, scores: readonly AnswerScore[], options: HealthBenchOptions = {}): HealthBenchHeadline[] {
  const items = new Map(bank.items.map((i) => [i.id, i]));
  const byRespondent = new Map<string, { overall: number[]; criteria: Map<string, number[]>; examples: Map<string, number[]> }>();
  for (const score of scores) {
    const item = items.get(score.item);
    if (!item || score.variant !== CLEAN || score.turn !== 0 || score.status !== 'complete') continue;
    const verdicts = new Map(score.verdicts.map((v) => [v.entry, { met: v.met, quotes: v.quotes }]));
    const example = exampleScores(resolveRubric(item), verdicts);
    if (example.overall === null) continue;
    const acc = byRespondent.get(score.respondent) ?? { overall: [], criteria: new Map<string, number[]>(), examples: new Map<string, number[]>() };
    byRespondent.set(score.respondent, acc);
    acc.overall.push(example.overall);
    for (const [tag, value] of example.tags) if (value !== null) appendTo(acc.criteria, tag, value);
    for (const tag of item.tags) if (!OWN_TAGS.some((own) => tag.startsWith(own))) appendTo(acc.examples, tag, example.overall);
  }
  const stats = (groups: Map<string, number[]>) => [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([group, values]) => clippedStats(group, values, options));
  return [...byRespondent]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([respondent, acc]) => ({ respondent, overall: clippedStats('overall', acc.overall, options), criterionTags: stats(acc.criteria), exampleTags: stats(acc.examples) }));
}
