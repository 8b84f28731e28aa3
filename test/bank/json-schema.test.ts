import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JSON_SCHEMA_DIR, renderJsonSchemas } from '../../src/schema/json-schema.js';

describe('generated JSON Schema', () => {
  const rendered = renderJsonSchemas();

  it.each(Object.keys(rendered))('schema/%s is in sync with the zod schemas', (name) => {
    const committed = readFileSync(join(JSON_SCHEMA_DIR, name), 'utf8');
    expect(committed === rendered[name], `schema/${name} is out of date: run npm run schema and commit the result`).toBe(true);
  });

  it('describes the input an author writes: strict keys, optional defaults, GAPS levels', () => {
    const bank = JSON.parse(rendered['bank.schema.json']);
    expect(bank.additionalProperties).toBe(false);
    expect(bank.required).toEqual(expect.arrayContaining(['bank', 'version']));
    expect(bank.required).not.toContain('items');
    const text = rendered['bank.schema.json'];
    for (const word of ['miss_penalty', 'zero_if', 'multi-turn', 'nccn_category', 'A1', 'S4', 'unless_negated']) expect(text).toContain(word);
  });
});
