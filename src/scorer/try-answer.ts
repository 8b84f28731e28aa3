/**
 * Scores one pasted answer to one item, for rubric authors testing their rubric: the same
 * matcher, judge and arithmetic as `caps score`, without a run folder.
 */
import type { Bank } from '../bank/bank.js';
import { CLEAN } from '../schema/bank.js';
import type { JuryRule } from '../schema/config.js';
import type { AnswerScore } from '../schema/score.js';
import type { EndpointClient } from '../endpoints/client.js';
import { UserError } from '../errors.js';
import { closestMatch } from '../bank/suggest.js';
import { resolveRubric } from './rubric.js';
import { scoreAnswer } from './score-answer.js';
import { judgeAnswer } from './judge/judge.js';
import { combineJury } from './judge/jury.js';
import { loadJudgeTemplate } from './judge/template.js';
import { MATCHER_VERSION } from './matcher.js';
import { itemQuestion } from './question.js';

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
  const entries = resolveRubric(item, variant);
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
  const rule = options.rule ?? 'majority';
  const template = judges.length > 0 ? loadJudgeTemplate(options.template) : null;
  const decision = template
    ? combineJury(rule, entries, await Promise.all(judges.map((client) => judgeAnswer({ client, template, question, answer: options.answer, entries }))))
    : null;
  const score = scoreAnswer({ item, response, profile: bank.profile, judgeOpinions: decision?.opinions });
  return {
    ...score,
    verdicts: score.verdicts.map((v) => (decision?.jurors.has(v.entry) ? { ...v, judges: decision.jurors.get(v.entry) } : v)),
    scorer: {
      matcher: MATCHER_VERSION,
      judges: judges.map((j) => ({ name: j.name, model: j.model, template: template!.ref })),
      ...(judges.length > 1 && { jury_rule: rule }),
    },
    ...(decision && decision.faults.length > 0 && { judge_faults: decision.faults }),
  };
}
