/** A figure the HTML frame takes from the answers themselves (kept apart from the charts, so it can be computed without loading them). */
import type { Results } from '../../schema/results.js';

/** Items each respondent answered both clean and in a distracted form: the n behind its robustness. */
export function distractedItems(results: Results): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of results.items) {
    const done = (a: { status: string; score: number | null }) => a.status === 'complete' && a.score !== null;
    const clean = new Set(item.answers.filter((a) => a.variant_kind === 'clean' && a.turn === 0 && done(a)).map((a) => a.respondent));
    const distracted = new Set(item.answers.filter((a) => a.variant_kind !== 'clean' && done(a) && clean.has(a.respondent)).map((a) => a.respondent));
    for (const r of distracted) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  return counts;
}
