/** The n behind each respondent's robustness: counted from the drill-down's answers, or from the scores before the drill-down is made (the HTML frame needs only this of the items). */
import type { AnswerView, Results } from '../schema/results.js';

/** What the count reads of an answer (its score is read through `scoreOf`). */
export type DistractedAnswer = Pick<AnswerView, 'respondent' | 'variant_kind' | 'turn' | 'status'>;

/**
 * Items each respondent answered both clean and in a distracted form: the n behind its robustness.
 * Each element holds one item's answers; `nameOf` gives the name the count is kept under (the
 * report's rows are looked up by their redacted names).
 */
export function distractedItems<A extends DistractedAnswer>(
  answersByItem: Iterable<readonly A[]>,
  scoreOf: (answer: A) => number | null,
  nameOf: (answer: A) => string = (a) => a.respondent,
): Map<string, number> {
  const counts = new Map<string, number>();
  const done = (a: A) => a.status === 'complete' && scoreOf(a) !== null;
  for (const answers of answersByItem) {
    const clean = new Set(answers.filter((a) => a.variant_kind === 'clean' && a.turn === 0 && done(a)).map(nameOf));
    const distracted = new Set(answers.filter((a) => a.variant_kind !== 'clean' && done(a) && clean.has(nameOf(a))).map(nameOf));
    for (const r of distracted) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  return counts;
}

/** distractedItems of results that come with their items. */
export function resultsDistractedItems(results: Results): Map<string, number> {
  return distractedItems(
    results.items.map((i) => i.answers),
    (a) => a.score,
  );
}
