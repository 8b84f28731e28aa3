/**
 * JSON Schema for editors, generated from the zod schemas (the single source of truth).
 * YAML files point at it with `# yaml-language-server: $schema=...` so editors complete
 * keys and underline mistakes while a clinician types. Regenerate with `npm run schema`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PACKAGE_ROOT } from '../version.js';
import { BankFile, TaxonomyFile } from './bank.js';
import { ReviewEvent } from '../review/history.js';

const SCHEMAS = {
  'bank.schema.json': { schema: BankFile, title: 'caps-eval question bank file', description: 'One file of a CAPS question bank: header and items with scoring points, deductions, zero rules, vetoes and distraction variants.' },
  'taxonomy.schema.json': { schema: TaxonomyFile, title: 'caps-eval topic taxonomy', description: 'The topics a question bank is meant to cover, for the topic x depth coverage report.' },
  'review-event.schema.json': { schema: ReviewEvent, title: 'caps-eval review history event', description: 'One line of a review history (review-history.jsonl): a round opened, a reviewer\'s decision, an author\'s revision or a round closed.' },
} as const;

export const JSON_SCHEMA_DIR = join(PACKAGE_ROOT, 'schema');

/**
 * The JSON Schema of what an author writes: the input side, where defaults may be omitted
 * and `level: 1` is allowed before it becomes "1". Editors and drafting models get this.
 */
export function authorJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', reused: 'ref' }) as Record<string, unknown>;
}

/** File name -> JSON text, exactly as committed in schema/. */
export function renderJsonSchemas(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(SCHEMAS).map(([name, { schema, title, description }]) => {
      const json = authorJsonSchema(schema);
      return [name, `${JSON.stringify({ ...json, title, description }, null, 2)}\n`];
    }),
  );
}

export function writeJsonSchemas(dir: string = JSON_SCHEMA_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(renderJsonSchemas()).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}
