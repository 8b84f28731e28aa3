/** The n behind each respondent's robustness: counted from the drill-down's answers, or from the scores before the drill-down is made (the HTML frame needs only this of the items). */
import type { AnswerView } from '../schema/results.js';

/** What the count reads of an answer: an item's answer view, or a score with its value. */
export type DistractedAnswer = Pick<AnswerView, 'respondent' | 'variant_kind' | 'turn' | 'status' | 'score'>;

/** Items each respondent answered both clean and in a distracted form: the n behind its robustness. Each element holds one item's answers. */
export function distractedItems(answersByItem: Iterable<readonly DistractedAnswer[]>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const answers of answersByItem) {
    const done = (a: DistractedAnswer) => a.status === 'complete' && a.score !== null;
    const clean = new Set(answers.filter((a) => a.variant_kind === 'clean' && a.turn === 0 && done(a)).map((a) => a.respondent));
    const distracted = new Set(answers.filter((a) => a.variant_kind !== 'clean' && done(a) && clean.has(a.respondent)).map((a) => a.respondent));
    for (const r of distracted) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  return counts;
}
