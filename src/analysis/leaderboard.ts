/**
 * Leaderboard: mean clean score per respondent with a bootstrap CI over items, and paired
 * comparisons of every two respondents on the items both answered, so that "A beats B"
 * comes with its uncertainty.
 */
import type { LeaderboardRow, MeanEstimate, PairedComparison } from '../schema/results.js';
import { type ScoreTable, presentItems } from './score-table.js';
import { mean, percentileInterval, signTest } from './stats.js';

/** Significance level of the sign test in the verdict: two-sided, matching the CI level. */
function alpha(confidence: number): number {
  return 1 - confidence;
}

/** The series name under which a respondent's clean replicate means are cached. */
const cleanSeries = (r: number) => `clean|${r}`;

export function cleanScores(table: ScoreTable): MeanEstimate[] {
  return table.clean.map((values, r) => {
    const present = presentItems(values);
    const n = present.items.length;
    const ci = n >= 2 ? percentileInterval(table.plans.replicateMeans(cleanSeries(r), present.items, present.values), table.settings.confidence) : null;
    return { mean: mean(present.values), ci, n_items: n };
  });
}

/** Rows in rank order (best mean first; respondents without a clean score last). Axes are filled in by the caller. */
export function leaderboardRows(table: ScoreTable, scores: MeanEstimate[]): Omit<LeaderboardRow, 'vetoes' | 'safety_deductions' | 'axes'>[] {
  const order = table.respondents.map((_, r) => r).sort((a, b) => (scores[b].mean ?? -Infinity) - (scores[a].mean ?? -Infinity));
  return order.map((r, rank) => ({
    rank: rank + 1,
    respondent: table.respondents[r].name,
    kind: table.respondents[r].kind,
    score: scores[r],
    clean_answers: table.cleanUsed[r],
    clean_excluded: table.cleanExcluded[r],
  }));
}

/** Every pair of respondents, the better-ranked one as a. */
export function pairedComparisons(table: ScoreTable, rankOrder: string[]): PairedComparison[] {
  const { confidence } = table.settings;
  const index = new Map(table.respondents.map((r, i) => [r.name, i]));
  // Both sides of a pair are resampled with the same plan (the shared items), so the replicate difference is paired.
  const replicatesOf = (r: number, items: Int32Array): Float64Array => {
    const values = new Float64Array(items.length);
    for (let k = 0; k < items.length; k++) values[k] = table.clean[r][items[k]];
    return table.plans.replicateMeans(cleanSeries(r), items, values);
  };

  const pairs: PairedComparison[] = [];
  for (let x = 0; x < rankOrder.length; x++) {
    for (let y = x + 1; y < rankOrder.length; y++) {
      const a = index.get(rankOrder[x])!;
      const b = index.get(rankOrder[y])!;
      const cleanA = table.clean[a];
      const cleanB = table.clean[b];
      const sharedList: number[] = [];
      for (let i = 0; i < cleanA.length; i++) if (!Number.isNaN(cleanA[i]) && !Number.isNaN(cleanB[i])) sharedList.push(i);
      const shared = Int32Array.from(sharedList);
      const differences = new Float64Array(shared.length);
      for (let k = 0; k < shared.length; k++) differences[k] = cleanA[shared[k]] - cleanB[shared[k]];
      const sign = signTest(differences);
      let ci = null;
      if (shared.length >= 2) {
        const ra = replicatesOf(a, shared);
        const rb = replicatesOf(b, shared);
        const replicateDifferences = new Float64Array(ra.length);
        for (let k = 0; k < ra.length; k++) replicateDifferences[k] = ra[k] - rb[k];
        ci = percentileInterval(replicateDifferences, confidence);
      }
      const significant = sign.p_value !== null && sign.p_value < alpha(confidence);
      const verdict = ci && significant && ci.low > 0 ? 'a' : ci && significant && ci.high < 0 ? 'b' : 'none';
      const nameA = table.respondents[a].name;
      const nameB = table.respondents[b].name;
      pairs.push({
        a: nameA,
        b: nameB,
        items: shared.length,
        mean_difference: mean(differences),
        ci,
        sign_test: sign,
        verdict,
        verdict_text: verdict === 'a' ? `${nameA} > ${nameB}` : verdict === 'b' ? `${nameB} > ${nameA}` : shared.length === 0 ? 'no shared items' : 'no clear difference',
      });
    }
  }
  return pairs;
}
