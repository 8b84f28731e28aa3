import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Bank } from '../../src/bank/bank.js';
import { BankFile, type BankFileInput, type ItemInput } from '../../src/schema/bank.js';
import { contentHash } from '../../src/io/hash.js';

/** A Bank built by hand from bank-file objects (what the loader returns, without positions). */
export function bankOf(file: BankFileInput, files: string[] = ['inline.yaml']): Bank {
  const parsed = BankFile.parse(file);
  return {
    id: parsed.bank,
    version: parsed.version,
    language: parsed.language,
    profile: parsed.profile,
    depthScale: parsed.depth_scale,
    system: parsed.system,
    items: parsed.items,
    positions: new Map(),
    files,
    hash: contentHash(parsed),
  };
}

export function bankFromYaml(path: string): Bank {
  return bankOf(parse(readFileSync(path, 'utf8')) as BankFileInput, [path]);
}

/** A minimal valid item whose only point is met by saying `answer-<id>`. */
export function simpleItem(id: string, overrides: Partial<ItemInput> = {}): ItemInput {
  return {
    id,
    topic: 'screening',
    depth: 1,
    prompt: `Question ${id}?`,
    rubric: { points: [{ id: 'p1', text: `answer-${id}`, score: 1, match: { any: [`answer-${id}`] } }] },
    ...overrides,
  };
}
