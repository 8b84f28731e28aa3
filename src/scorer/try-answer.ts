/**
 * Scores one pasted answer to one item, for rubric authors testing their rubric: the same
 * matcher, judge and arithmetic as `caps score`, without a run folder.
 */
import type { Bank } from '../bank/bank.js';
import { CLEAN } from '../schema/shared.js';
import type { JuryRule } from '../schema/config.js';
import type { AnswerScore } from '../schema/score.js';
import type { EndpointClient } from '../endpoints/client.js';
import { UserError } from '../errors.js';
import { closestMatch } from '../bank/suggest.js';
import { loadJudgeTemplate } from './judge/template.js';
import { itemQuestion } from './question.js';
import { scoreWithJudges } from './score-judged.js';

export interface TryAnswerOptions {
  bank: Bank;
  item: string;
  variant?: string;
  answer: string;
  judges?: EndpointClient[];
  rule?: JuryRule;
  template?: string;
}

export async function tryAnswer(options: TryAnswerOptions): Promise<AnswerScore> {
  const { bank } = options;
  const item = bank.items.find((i) => i.id === options.item);
  if (!item) {
    const hint = closestMatch(options.item, bank.items.map((i) => i.id));
    throw new UserError(`bank "${bank.id}" has no item "${options.item}"${hint ? `; did you mean "${hint}"?` : ''}`);
  }
  if (options.answer.trim() === '') throw new UserError('the answer is empty; pass --response FILE, or pipe the answer with --response -');
  const variant = options.variant ?? CLEAN;
  if (variant !== CLEAN && !item.variants.some((v) => v.id === variant)) {
    throw new UserError(`item "${item.id}" has no variant "${variant}" (it has ${[CLEAN, ...item.variants.map((v) => v.id)].join(', ')})`);
  }
  const question = itemQuestion(bank, item, variant);
  const response = {
    key: `try|${item.id}|${variant}`,
    respondent: 'pasted answer',
    respondent_kind: 'human' as const,
    item: item.id,
    variant,
    turn: 0,
    sample: 0,
    messages: question,
    text: options.answer,
    attempts: 1,
    error: null,
  };
  const judges = options.judges ?? [];
  const template = judges.length > 0 ? loadJudgeTemplate(options.template) : null;
  const { score } = await scoreWithJudges({ bank, item, response, judges, template, rule: options.rule ?? 'majority' });
  return score;
}
