/**
 * Item quality from the respondents' clean scores: difficulty (mean score), pass rate and
 * discrimination (item-rest correlation across respondents). Items that nobody or everybody
 * passes tell little; a negative discrimination usually means a broken rubric.
 */
import type { ItemFlag, ItemQuality } from '../schema/results.js';
import type { ScoreTable } from './score-table.js';
import { mean, pearson } from './stats.js';

export const MIN_RESPONDENTS_FOR_QUALITY = 3;

export function itemQuality(table: ScoreTable): ItemQuality[] {
  const threshold = table.settings.acceptable_threshold;
  // References answer from the rubric itself: they would flatter every item.
  const raters = table.respondents.map((r, i) => ({ ...r, i })).filter((r) => r.kind !== 'reference');
  const totals = raters.map(({ i }) => {
    let sum = 0;
    let n = 0;
    for (const v of table.clean[i]) if (!Number.isNaN(v)) (sum += v), n++;
    return { sum, n };
  });
  return table.items.map((item, itemIndex) => {
    const scores: number[] = [];
    const rest: number[] = [];
    raters.forEach(({ i }, k) => {
      const value = table.clean[i][itemIndex];
      if (Number.isNaN(value)) return;
      scores.push(value);
      const { sum, n } = totals[k];
      rest.push(n > 1 ? (sum - value) / (n - 1) : NaN);
    });
    const flags: ItemFlag[] = [];
    const passRate = scores.length ? scores.filter((s) => s >= threshold).length / scores.length : null;
    const withRest = scores.map((s, k) => [s, rest[k]] as const).filter(([, r]) => !Number.isNaN(r));
    const discrimination =
      withRest.length >= MIN_RESPONDENTS_FOR_QUALITY ? pearson(withRest.map(([s]) => s), withRest.map(([, r]) => r)) : null;
    if (scores.length === 0) flags.push('unanswered');
    else if (scores.length < MIN_RESPONDENTS_FOR_QUALITY) flags.push('not-enough-respondents');
    else {
      if (passRate === 0) flags.push('nobody-passes');
      if (passRate === 1) flags.push('everybody-passes');
      if (discrimination !== null && discrimination < 0) flags.push('negative-discrimination');
    }
    return {
      item: item.id,
      topic: item.topic,
      depth: item.depth,
      respondents: scores.length,
      difficulty: mean(scores),
      pass_rate: passRate,
      discrimination,
      flags,
    };
  });
}
