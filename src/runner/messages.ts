/** The conversation sent for one turn of a dialogue, in the bank's language or in English. */
import type { Bank } from '../bank/bank.js';
import type { ChatMessage, Item, Prompt, Variant } from '../schema/bank.js';
import type { EndpointConfig } from '../schema/config.js';
import { UserError } from '../errors.js';

/** `bank`: the items' own language; `en`: their English versions (`prompt_en`, `turns_en`). */
export type AskLanguage = 'bank' | 'en';

/**
 * System message (the endpoint's override, else the item's, else the bank's), then the prompt
 * (a variant's replaces the clean one), then for each later turn the model's previous answer
 * and the next scripted patient turn.
 */
export function turnMessages(bank: Pick<Bank, 'system'>, endpoint: EndpointConfig, item: Item, variant: Variant | null, previousAnswers: string[], language: AskLanguage = 'bank'): ChatMessage[] {
  const { prompt, turns } = dialogueText(item, variant, language);
  const promptMessages: ChatMessage[] = typeof prompt === 'string' ? [{ role: 'user', content: prompt }] : prompt.map((m) => ({ ...m }));
  const system = endpoint.params.system ?? (promptMessages.some((m) => m.role === 'system') ? undefined : (item.system ?? bank.system));
  const messages: ChatMessage[] = endpoint.params.system ? promptMessages.filter((m) => m.role !== 'system') : promptMessages;
  if (system) messages.unshift({ role: 'system', content: system });
  previousAnswers.forEach((answer, i) => {
    messages.push({ role: 'assistant', content: answer }, { role: 'user', content: turns[i] });
  });
  return messages;
}

/** The prompt and scripted turns of a dialogue in the language asked; throws when the English text is missing. */
export function dialogueText(item: Item, variant: Variant | null, language: AskLanguage): { prompt: Prompt; turns: string[] } {
  if (language === 'bank') return { prompt: variant?.prompt ?? item.prompt, turns: variant?.turns ?? [] };
  const missing = missingEnglish(item, variant);
  if (missing.length > 0) throw new UserError(`--language en: item ${item.id}${variant ? ` variant ${variant.id}` : ''} has no ${missing.join(' or ')}; add it to the bank or leave the item out (--items, --variants)`);
  return { prompt: (variant?.prompt ? variant.prompt_en : item.prompt_en)!, turns: variant?.turns_en ?? [] };
}

/** The English fields a dialogue lacks (empty when it can be asked in English). */
export function missingEnglish(item: Item, variant: Variant | null): string[] {
  const missing: string[] = [];
  if (variant?.prompt ? !variant.prompt_en : !item.prompt_en) missing.push(variant?.prompt ? 'prompt_en' : 'item prompt_en');
  if (variant?.turns && variant.turns_en?.length !== variant.turns.length) missing.push('turns_en (one per turn)');
  return missing;
}
