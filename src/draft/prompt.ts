/**
 * What a drafting model is asked: one item for one topic x depth cell, in the bank's own
 * item format (its JSON Schema is the structured-output format), with an item of the bank
 * as an example and the reason a previous attempt was rejected.
 */
import { stringify } from 'yaml';
import type { Bank } from '../bank/bank.js';
import type { ChatMessage } from '../schema/bank.js';
import { Item } from '../schema/bank.js';
import { authorJsonSchema } from '../schema/json-schema.js';
import type { DraftCell } from './cells.js';

/** The line a drafting request carries so that a program (the simulated endpoint) can read the cell. */
export const CELL_MARKER = 'CAPS-DRAFT-CELL';

export interface DraftRequestCell extends DraftCell {
  id: string;
  language: Bank['language'];
}

/** OpenAI `response_format`: the bank's item schema as authors write it (optional keys stay optional). */
export const DRAFT_RESPONSE_FORMAT = {
  type: 'json_schema',
  json_schema: { name: 'caps_item', description: 'one question-bank item with its rubric', strict: false, schema: authorJsonSchema(Item) },
} as const;

const SYSTEM = `You are a senior clinician writing examination items for a CAPS question bank, which judges medical language models the way senior clinicians judge a junior doctor.
Reply with one JSON object: one item in the bank's item format (the JSON Schema of the response format). Write
- prompt: a realistic clinical question or case at the requested depth (1 = recall ... higher = individualised decisions under uncertainty), in the bank language; prompt_en: its English version when the bank language is not English;
- reference and reference_en: the answer a senior clinician would give;
- rubric.points: the key points of a correct answer (得分点), each with score (or level A1/A2/A3), evidence { scheme, level, source } naming the guideline or trial it relies on, match phrases in both languages, and examples { hit: sentences that state the point, miss: sentences that do not };
- rubric.deductions: errors an expert would penalise (扣分点), with negative score or severity; rubric.veto for advice so unsafe it fails the answer (一票否决), required for treatment items.
Leave out status, source and authors: the bank sets them.`;

export function draftMessages(bank: Bank, cell: DraftRequestCell, rejected: string[]): ChatMessage[] {
  const label = bank.depthScale.labels?.[String(cell.depth)];
  const neighbours = bank.items.filter((i) => i.topic === cell.topic).map((i) => `- ${i.id} (depth ${i.depth}): ${promptText(i.prompt).slice(0, 80)}`);
  const example = bank.items.find((i) => i.status === 'admitted' || i.status === undefined);
  const lines = [
    `Bank: ${bank.title ?? bank.id} (language ${cell.language}, depth scale ${bank.depthScale.min}-${bank.depthScale.max}).`,
    `Draft item ${cell.id} for topic "${cell.topic}"${cell.title ? ` (${cell.title})` : ''} at depth ${cell.depth}${label ? ` (${label})` : ''}.`,
    ...(neighbours.length ? ['Items the bank already has on this topic (do not repeat them):', ...neighbours] : []),
    ...(example ? ['An item of this bank, for the format:', '```yaml', stringify(withoutBookkeeping(example)).trimEnd(), '```'] : []),
    ...(rejected.length ? [`Your previous ${rejected.length === 1 ? 'reply was' : `${rejected.length} replies were`} rejected: ${rejected.join(' | ')}. Reply again with a corrected item.`] : []),
    `${CELL_MARKER} ${JSON.stringify({ id: cell.id, topic: cell.topic, depth: cell.depth, language: cell.language, attempt: rejected.length + 1 })}`,
  ];
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: lines.join('\n') },
  ];
}

/** The cell of a drafting request, for the simulated endpoint; null when the request is not one. */
export function parseDraftCell(messages: readonly ChatMessage[]): (DraftRequestCell & { attempt: number }) | null {
  const user = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const line = user.split('\n').find((l) => l.startsWith(`${CELL_MARKER} `));
  if (!line) return null;
  try {
    return JSON.parse(line.slice(CELL_MARKER.length + 1)) as DraftRequestCell & { attempt: number };
  } catch {
    return null;
  }
}

function promptText(prompt: Item['prompt']): string {
  return typeof prompt === 'string' ? prompt : prompt.map((m) => m.content).join(' ');
}

function withoutBookkeeping(item: Item): Partial<Item> {
  const { status: _status, source: _source, authors: _authors, ...rest } = item;
  return rest;
}
