/** Depth axis (认知深度): mean clean score per depth level with CIs, and the knee per respondent. */
import type { DepthCurve } from '../schema/results.js';
import { deriveSeed } from './bootstrap.js';
import { analyzeDepth } from './knee.js';
import { type ScoreTable, presentItems } from './score-table.js';

export const KNEE_NOTE =
  'A knee (拐点) is a change of slope in the score-by-depth line: a straight line is compared with one-knot hinge models ' +
  '(the slope may change at one interior level) by BIC on item-level clean scores. Items are resampled within their level; ' +
  'a knee is claimed only when one knot is the best model in at least the required share of replicates and the CI of its ' +
  'slope change excludes zero. "No knee established" means the data do not show one with confidence, not that scores are flat.';

/** Depth levels present in the bank, ascending. */
export function bankLevels(table: ScoreTable): number[] {
  return [...new Set(table.items.map((item) => item.depth))].sort((a, b) => a - b);
}

export function depthCurves(table: ScoreTable): DepthCurve[] {
  const { settings } = table;
  const levels = bankLevels(table);
  const labels = table.bank.depthScale.labels ?? {};
  return table.respondents.map((respondent, r) => {
    const depth = analyzeDepth(
      levels.map((level) => {
        const present = presentItems(table.clean[r], (i) => table.items[i].depth === level);
        // Respondents who answered the same items of a level are resampled alike, and the plan is drawn once.
        return { level, values: present.values, plan: present.items.length > 0 ? table.plans.plan(present.items) : undefined };
      }),
      {
        b: settings.bootstrap_b,
        seed: settings.seed,
        confidence: settings.confidence,
        minSupport: settings.knee_min_support,
      },
    );
    return {
      respondent: respondent.name,
      kind: respondent.kind,
      levels: depth.levels.map(({ level, score }) => ({ level, ...(labels[String(level)] ? { label: labels[String(level)] } : {}), score })),
      knee: depth.knee,
    };
  });
}
