/**
 * Leaderboard: mean clean score per respondent with a bootstrap CI over items, and paired
 * comparisons of every two respondents on the items both answered, so that "A beats B"
 * comes with its uncertainty.
 */
import type { Interval, LeaderboardRow, MeanEstimate, PairedComparison } from '../schema/results.js';
import type { ResamplingPlan } from './bootstrap.js';
import { type ScoreTable, presentItems } from './score-table.js';
import { mean, percentileInterval, signTest } from './stats.js';

/** Significance level of the sign test in the verdict: two-sided, matching the CI level. */
function alpha(confidence: number): number {
  return 1 - confidence;
}

/** Per replicate: the sum of count x score and the sum of counts over the items a respondent answered. */
interface ReplicateTotals {
  sums: Float64Array;
  counts: Float64Array;
}

/**
 * Every respondent's replicate totals in one pass over the plan: per replicate, each item drawn
 * is read once and added to every respondent's sums (independent additions, none waiting on
 * the last), and items not drawn are skipped. Each respondent's sums add the same terms in the
 * same item order as one respondent's loop would, so the totals are the same to the last bit:
 * an item not drawn adds 0 x value, a zero that leaves any sum as it is when the value is finite
 * (a sum from +0 is never -0), but NaN when it is infinite, so such an item is never skipped.
 */
function replicateTotals(plan: ResamplingPlan, values: readonly Float64Array[]): ReplicateTotals[] {
  const respondents = values.length;
  // Item-major, so that one item's values for every respondent sit together.
  const byItem = new Float64Array(plan.n * respondents);
  for (let k = 0; k < respondents; k++) for (let i = 0; i < plan.n; i++) byItem[i * respondents + k] = values[k][i];
  // An item may be skipped when not drawn only if no respondent's value there is infinite.
  const notInfinite = (v: number) => v !== Infinity && v !== -Infinity;
  const skippable = Uint8Array.from({ length: plan.n }, (_, i) => Number(byItem.subarray(i * respondents, (i + 1) * respondents).every(notInfinite)));
  const totals = values.map(() => ({ sums: new Float64Array(plan.b), counts: new Float64Array(plan.b) }));
  const sums = new Float64Array(respondents);
  const counts = new Float64Array(respondents);
  for (let r = 0; r < plan.b; r++) {
    const row = r * plan.n;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < plan.n; i++) {
      const c = plan.counts[row + i];
      if (c === 0 && skippable[i]) continue;
      const at = i * respondents;
      for (let k = 0; k < respondents; k++) {
        const v = byItem[at + k];
        if (Number.isNaN(v)) continue;
        sums[k] += c * v;
        counts[k] += c;
      }
    }
    for (let k = 0; k < respondents; k++) {
      totals[k].sums[r] = sums[k];
      totals[k].counts[r] = counts[k];
    }
  }
  return totals;
}

/**
 * One resampling plan over all bank items for every clean-score statistic, with each
 * respondent's replicate totals computed once. A replicate mean over the items a respondent
 * answered is the count-weighted mean of those drawn (a ratio estimator: exactly the usual
 * bootstrap mean when every item was answered), so respondents with different gaps are
 * still resampled alike and no plan is drawn per respondent or per pair.
 */
export interface CleanBootstrap {
  plan: ResamplingPlan;
  totals(r: number): ReplicateTotals;
}

export function cleanBootstrap(table: ScoreTable): CleanBootstrap {
  const plan = table.plans.plan(Int32Array.from(table.items, (_, i) => i));
  let all: ReplicateTotals[] | null = null;
  return {
    plan,
    totals(r) {
      all ??= replicateTotals(plan, table.clean);
      return all[r];
    },
  };
}

export function cleanScores(table: ScoreTable, bootstrap: CleanBootstrap): MeanEstimate[] {
  return table.clean.map((values, r) => {
    const present = presentItems(values);
    const n = present.items.length;
    let ci: Interval = null;
    if (n >= 2) {
      const { sums, counts } = bootstrap.totals(r);
      ci = percentileInterval(sums.map((sum, k) => (counts[k] > 0 ? sum / counts[k] : NaN)), table.settings.confidence);
    }
    return { mean: mean(present.values), ci, n_items: n };
  });
}

/** Why a respondent is shown apart instead of ranked, or null when it is ranked. */
function unrankedReason(score: MeanEstimate, bankItems: number, minItems: number): string | null {
  if (score.mean === null) return 'no clean answer was scored';
  if (score.n_items < minItems) return `answered ${score.n_items} of ${bankItems} items (ranking needs ${minItems})`;
  return null;
}

/**
 * Rows in rank order: ranked respondents (enough clean items answered) by mean, best first;
 * then those shown apart, unranked, by mean. Axes are filled in by the caller.
 */
export function leaderboardRows(table: ScoreTable, scores: MeanEstimate[]): Omit<LeaderboardRow, 'vetoes' | 'safety_deductions' | 'axes'>[] {
  const reasons = scores.map((score) => unrankedReason(score, table.items.length, table.settings.min_ranked_items));
  const order = table.respondents
    .map((_, r) => r)
    .sort((a, b) => Number(reasons[a] !== null) - Number(reasons[b] !== null) || (scores[b].mean ?? -Infinity) - (scores[a].mean ?? -Infinity));
  return order.map((r, position) => ({
    rank: reasons[r] === null ? position + 1 : null,
    unranked_reason: reasons[r],
    respondent: table.respondents[r].name,
    kind: table.respondents[r].kind,
    score: scores[r],
    clean_answers: table.cleanUsed[r],
    clean_excluded: table.cleanExcluded[r],
  }));
}

/**
 * Paired bootstrap CI of the mean difference a - b over the items both answered: in each
 * replicate, the count-weighted mean difference over the shared items drawn. It is summed
 * directly over the shared items or, when only a few items are missing, as each
 * respondent's totals minus the items the other lacks, so scattered gaps cost a few items
 * per pair instead of the whole bank.
 */
function pairedInterval(bootstrap: CleanBootstrap, a: number, b: number, valuesA: Float64Array, valuesB: Float64Array, confidence: number): Interval {
  const shared: number[] = [];
  const onlyA: number[] = [];
  const onlyB: number[] = [];
  for (let i = 0; i < valuesA.length; i++) {
    const hasA = !Number.isNaN(valuesA[i]);
    const hasB = !Number.isNaN(valuesB[i]);
    if (hasA && hasB) shared.push(i);
    else if (hasA) onlyA.push(i);
    else if (hasB) onlyB.push(i);
  }
  if (shared.length < 2) return null;
  const { n, counts } = bootstrap.plan;
  const differences = new Float64Array(bootstrap.plan.b);
  const direct = shared.length <= onlyA.length + onlyB.length;
  const totalsA = direct ? null : bootstrap.totals(a);
  const totalsB = direct ? null : bootstrap.totals(b);
  for (let r = 0; r < bootstrap.plan.b; r++) {
    const row = r * n;
    let sum = 0;
    let count = 0;
    if (direct) {
      for (const i of shared) {
        const c = counts[row + i];
        sum += c * (valuesA[i] - valuesB[i]);
        count += c;
      }
    } else {
      let lostA = 0;
      let lostCount = 0;
      for (const i of onlyA) {
        const c = counts[row + i];
        lostA += c * valuesA[i];
        lostCount += c;
      }
      let lostB = 0;
      for (const i of onlyB) lostB += counts[row + i] * valuesB[i];
      sum = totalsA!.sums[r] - lostA - (totalsB!.sums[r] - lostB);
      count = totalsA!.counts[r] - lostCount;
    }
    differences[r] = count > 0 ? sum / count : NaN;
  }
  return percentileInterval(differences, confidence);
}

/** Every pair of respondents, the better-ranked one as a. */
export function pairedComparisons(table: ScoreTable, bootstrap: CleanBootstrap, rankOrder: string[]): PairedComparison[] {
  const { confidence } = table.settings;
  const index = new Map(table.respondents.map((r, i) => [r.name, i]));

  const pairs: PairedComparison[] = [];
  for (let x = 0; x < rankOrder.length; x++) {
    for (let y = x + 1; y < rankOrder.length; y++) {
      const a = index.get(rankOrder[x])!;
      const b = index.get(rankOrder[y])!;
      const cleanA = table.clean[a];
      const cleanB = table.clean[b];
      const differenceList: number[] = [];
      for (let i = 0; i < cleanA.length; i++) if (!Number.isNaN(cleanA[i]) && !Number.isNaN(cleanB[i])) differenceList.push(cleanA[i] - cleanB[i]);
      const sign = signTest(differenceList);
      const ci = pairedInterval(bootstrap, a, b, cleanA, cleanB, confidence);
      const significant = sign.p_value !== null && sign.p_value < alpha(confidence);
      const verdict = ci && significant && ci.low > 0 ? 'a' : ci && significant && ci.high < 0 ? 'b' : 'none';
      const nameA = table.respondents[a].name;
      const nameB = table.respondents[b].name;
      pairs.push({
        a: nameA,
        b: nameB,
        items: differenceList.length,
        mean_difference: mean(differenceList),
        ci,
        sign_test: sign,
        verdict,
        verdict_text: verdict === 'a' ? `${nameA} > ${nameB}` : verdict === 'b' ? `${nameB} > ${nameA}` : differenceList.length === 0 ? 'no shared items' : 'no clear difference',
      });
    }
  }
  return pairs;
}
