/**
 * The messages a respondent saw for an item (or variant, at a turn), for answers that did
 * not come through an endpoint: doctors' answers, pasted answers, and old runs recorded
 * without their messages. Built by the runner's own message builder, so they match what a
 * model is sent.
 */
import type { Bank } from '../bank/bank.js';
import { type ChatMessage, type Item } from '../schema/bank.js';
import { CLEAN } from '../schema/shared.js';
import { EndpointConfig } from '../schema/config.js';
import { turnMessages } from '../runner/messages.js';

/** No endpoint overrides the item's system message. */
const NO_ENDPOINT = EndpointConfig.parse({ name: 'none', baseURL: 'http://127.0.0.1/', model: 'none' });

export function itemQuestion(bank: Pick<Bank, 'system'>, item: Item, variantId: string = CLEAN, previousAnswers: string[] = []): ChatMessage[] {
  const variant = item.variants.find((v) => v.id === variantId) ?? null;
  return turnMessages(bank, NO_ENDPOINT, item, variant, previousAnswers);
}
