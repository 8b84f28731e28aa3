/** What a plan will cost, before asking anything (`caps run --plan`). */
import type { Bank } from '../bank/bank.js';
import { estimateTokens } from '../endpoints/tokens.js';
import type { Plan } from './plan.js';
import { dialogueText, turnMessages, type AskLanguage } from './messages.js';

/** Assumed answer length when an endpoint sets no max_tokens. */
export const ASSUMED_MAX_TOKENS = 1024;

export interface EndpointEstimate {
  endpoint: string;
  dialogues: number;
  answers: number;
  inputTokens: number;
  /** Upper bound: every answer uses its full max_tokens. */
  outputTokens: number;
  cost?: { amount: number; currency: string };
}

export function estimatePlan(bank: Pick<Bank, 'system'>, plan: Plan, language: AskLanguage = 'bank'): EndpointEstimate[] {
  const estimates = new Map<string, EndpointEstimate>();
  for (const dialogue of plan.dialogues) {
    const { endpoint } = dialogue;
    let estimate = estimates.get(endpoint.name);
    if (!estimate) {
      estimate = { endpoint: endpoint.name, dialogues: 0, answers: 0, inputTokens: 0, outputTokens: 0 };
      estimates.set(endpoint.name, estimate);
    }
    const answerTokens = endpoint.params.max_tokens ?? ASSUMED_MAX_TOKENS;
    const base = turnMessages(bank, endpoint, dialogue.item, dialogue.variant, [], language).reduce((s, m) => s + estimateTokens(m.content) + 4, 0);
    const { turns } = dialogueText(dialogue.item, dialogue.variant, language);
    estimate.dialogues++;
    let context = base;
    for (let turn = 0; turn < dialogue.answers; turn++) {
      if (turn > 0) context += answerTokens + estimateTokens(turns[turn - 1]) + 8;
      estimate.answers++;
      estimate.inputTokens += context;
      estimate.outputTokens += answerTokens;
    }
  }
  for (const estimate of estimates.values()) {
    const prices = plan.dialogues.find((d) => d.endpoint.name === estimate.endpoint)?.endpoint.prices;
    if (prices) {
      const amount = (estimate.inputTokens * prices.input + estimate.outputTokens * prices.output) / 1_000_000;
      estimate.cost = { amount, currency: prices.currency };
    }
  }
  return [...estimates.values()];
}
