/**
 * Schema validation of one parsed YAML file, as a bank file or a taxonomy file. Items are
 * checked one by one so that a mistake in one item neither hides the mistakes of another
 * nor keeps the valid items from the bank-wide rules.
 */
import { z } from 'zod';
import { BankFile, Item, TaxonomyFile } from '../schema/bank.js';
import type { Diagnostic } from './diagnostic.js';
import { issueDiagnostics } from './issues.js';
import { diagnoseAt, type YamlSource } from './source.js';

/** The header of a bank file: everything but the items, which are validated one at a time. */
export const BankFileHeader = BankFile.extend({ items: z.array(z.unknown()).default([]) });
export type BankFileHeader = z.infer<typeof BankFileHeader>;

export interface ParsedItem {
  item: Item;
  /** Index in the file's items list: the item's YAML path is ['items', index]. */
  index: number;
  source: YamlSource;
}

/** An item as written, before validation: enough to check ids across the bank. */
export interface RawItem {
  id: string;
  index: number;
  source: YamlSource;
}

export interface ParsedBankFile {
  source: YamlSource;
  header: BankFileHeader;
  items: ParsedItem[];
  rawItems: RawItem[];
}

export function validateBankFile(source: YamlSource): { file: ParsedBankFile | null; diagnostics: Diagnostic[] } {
  const notMapping = rootShapeProblem(source, 'a bank file must be a mapping with bank:, version: and items: at the top');
  if (notMapping) return { file: null, diagnostics: [notMapping] };

  const parsed = BankFileHeader.safeParse(source.data, { reportInput: true });
  const diagnostics = parsed.success ? [] : issueDiagnostics(parsed.error.issues, { source, schema: BankFile, basePath: [] });
  if (!parsed.success) return { file: null, diagnostics: [...diagnostics, ...itemsDiagnostics(source).diagnostics] };

  const { items, rawItems, diagnostics: itemProblems } = itemsDiagnostics(source);
  return { file: { source, header: parsed.data, items, rawItems }, diagnostics: itemProblems };
}

function itemsDiagnostics(source: YamlSource): { items: ParsedItem[]; rawItems: RawItem[]; diagnostics: Diagnostic[] } {
  const list = (source.data as Record<string, unknown>).items;
  const items: ParsedItem[] = [];
  const rawItems: RawItem[] = [];
  const diagnostics: Diagnostic[] = [];
  if (!Array.isArray(list)) return { items, rawItems, diagnostics };
  list.forEach((raw, index) => {
    const id = rawItemId(raw);
    if (id !== undefined) rawItems.push({ id, index, source });
    const result = Item.safeParse(raw, { reportInput: true });
    if (result.success) items.push({ item: result.data, index, source });
    else diagnostics.push(...issueDiagnostics(result.error.issues, { source, schema: Item, basePath: ['items', index], item: id }));
  });
  return { items, rawItems, diagnostics };
}

export function rawItemId(raw: unknown): string | undefined {
  const id = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

export function validateTaxonomyFile(source: YamlSource): { taxonomy: TaxonomyFile | null; diagnostics: Diagnostic[] } {
  const notMapping = rootShapeProblem(source, 'a taxonomy file must be a mapping with taxonomy: and topics: at the top');
  if (notMapping) return { taxonomy: null, diagnostics: [notMapping] };
  const parsed = TaxonomyFile.safeParse(source.data, { reportInput: true });
  if (!parsed.success) return { taxonomy: null, diagnostics: issueDiagnostics(parsed.error.issues, { source, schema: TaxonomyFile, basePath: [] }) };
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  parsed.data.topics.forEach((topic, index) => {
    if (seen.has(topic.id)) {
      diagnostics.push(diagnoseAt(source, ['topics', index, 'id'], 'error', 'duplicate-topic-id', `topic id "${topic.id}" is listed twice in the taxonomy; give each topic its own id`));
    }
    seen.add(topic.id);
  });
  return { taxonomy: diagnostics.length ? null : parsed.data, diagnostics };
}

function rootShapeProblem(source: YamlSource, expectation: string): Diagnostic | undefined {
  const data = source.data;
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) return undefined;
  const found = Array.isArray(data) ? 'a list' : typeof data === 'string' ? 'plain text' : `the value ${String(data)}`;
  return diagnoseAt(source, [], 'error', 'not-a-mapping', `${expectation}; this file holds ${found}`);
}
