/** The conversation sent for one turn of a dialogue. */
import type { Bank } from '../bank/bank.js';
import type { ChatMessage, Item, Variant } from '../schema/bank.js';
import type { EndpointConfig } from '../schema/config.js';

/**
 * System message (the endpoint's override, else the item's, else the bank's), then the prompt
 * (a variant's replaces the clean one), then for each later turn the model's previous answer
 * and the next scripted patient turn.
 */
export function turnMessages(bank: Pick<Bank, 'system'>, endpoint: EndpointConfig, item: Item, variant: Variant | null, previousAnswers: string[]): ChatMessage[] {
  const prompt = variant?.prompt ?? item.prompt;
  const promptMessages: ChatMessage[] = typeof prompt === 'string' ? [{ role: 'user', content: prompt }] : prompt.map((m) => ({ ...m }));
  const system = endpoint.params.system ?? (promptMessages.some((m) => m.role === 'system') ? undefined : (item.system ?? bank.system));
  const messages: ChatMessage[] = endpoint.params.system ? promptMessages.filter((m) => m.role !== 'system') : promptMessages;
  if (system) messages.unshift({ role: 'system', content: system });
  const turns = variant?.turns ?? [];
  previousAnswers.forEach((answer, i) => {
    messages.push({ role: 'assistant', content: answer }, { role: 'user', content: turns[i] });
  });
  return messages;
}
