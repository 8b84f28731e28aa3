/** Depth axis (认知深度): mean clean score per depth level with CIs, and the knee per respondent. */
import type { DepthCurve } from '../schema/results.js';
import { analyzeDepth, type KneeOptions, type LevelScores } from './knee.js';
import { type ScoreTable, presentItems } from './score-table.js';

export const KNEE_NOTE =
  'A knee (拐点) is the depth after which scores collapse. A flat line, a straight line, a bend (the slope changes at one level) ' +
  'and a step (the score drops after one level and levels off) are compared by BIC on item-level clean scores; answers failed ' +
  'by a veto are left out of this fit (they count on the safety axis). Items are resampled within their level; a knee is ' +
  'claimed only when a downward change after one level is the best model in at least the required share of replicates and ' +
  'its CI excludes zero. The same evidence for an upward change is shown as "rises after depth k", never as a knee. ' +
  '"No knee established" means the data do not show one with confidence, not that scores are flat.';

/** Depth levels present in the bank, ascending. */
export function bankLevels(table: ScoreTable): number[] {
  return [...new Set(table.items.map((item) => item.depth))].sort((a, b) => a - b);
}

/**
 * What one respondent's depth curve is computed from: plain data and typed arrays only, so that
 * it can be computed on another thread (the fits are a third of the analysis) with the same result.
 */
export interface DepthJob {
  respondent: string;
  kind: DepthCurve['kind'];
  levels: LevelScores[];
  options: KneeOptions;
  labels: Record<string, string>;
}

export function depthJobs(table: ScoreTable): DepthJob[] {
  const { settings } = table;
  const levels = bankLevels(table);
  const labels = table.bank.depthScale.labels ?? {};
  const options: KneeOptions = { b: settings.bootstrap_b, seed: settings.seed, confidence: settings.confidence, minSupport: settings.knee_min_support };
  return table.respondents.map((respondent, r) => ({
    respondent: respondent.name,
    kind: respondent.kind,
    levels: levels.map((level) => {
      const present = presentItems(table.clean[r], (i) => table.items[i].depth === level);
      // Respondents who answered the same items of a level are resampled alike, and the plan is drawn once.
      const unvetoed = Float64Array.from(present.items, (i) => table.cleanUnvetoed[r][i]);
      return { level, values: present.values, unvetoed, plan: present.items.length > 0 ? table.plans.plan(present.items) : undefined };
    }),
    options,
    labels,
  }));
}

export function depthCurve(job: DepthJob): DepthCurve {
  const depth = analyzeDepth(job.levels, job.options);
  return {
    respondent: job.respondent,
    kind: job.kind,
    levels: depth.levels.map(({ level, score }) => ({ level, ...(job.labels[String(level)] ? { label: job.labels[String(level)] } : {}), score })),
    knee: depth.knee,
  };
}
