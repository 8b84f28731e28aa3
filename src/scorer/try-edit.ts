/**
 * `caps try` on an edit not saved yet: the pasted answer is scored against the item as it
 * stands in the editor, with the same loading, matchers, judge and arithmetic as `caps try`.
 */
import { loadBank } from '../bank/load.js';
import { UserError } from '../errors.js';
import type { AnswerScore } from '../schema/score.js';
import { explainScore } from './explain.js';
import { resolveRubric } from './rubric.js';
import { tryAnswer, type TryAnswerOptions } from './try-answer.js';

export interface TryEditOptions extends Omit<TryAnswerOptions, 'bank'> {
  /** Bank files or folders. */
  bank: readonly string[];
  /** The edited file and its unsaved text. */
  file: string;
  text: string;
}

export async function tryEdit(options: TryEditOptions): Promise<{ score: AnswerScore; explanation: string }> {
  const { bank } = await loadBank(options.bank, { keepPartial: true, overlay: new Map([[options.file, options.text]]) });
  const item = bank?.items.find((i) => i.id === options.item);
  if (!bank || !item) throw new UserError(`item "${options.item}" does not validate as written yet, so it cannot score an answer; fix the lint errors listed for it first`);
  const score = await tryAnswer({ ...options, bank });
  return { score, explanation: explainScore(score, resolveRubric(item, score.variant)) };
}
