/** No input, however broken, makes the loader throw: every problem is a diagnostic with a position. */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadBank } from '../../src/bank/load.js';
import type { Diagnostic } from '../../src/bank/diagnostic.js';
import { MAX_FILE_BYTES } from '../../src/bank/source.js';
import { itemYaml, writeTree } from './temp-tree.js';

function expectWellFormed(diagnostics: Diagnostic[]): void {
  expect(diagnostics.some((d) => d.severity === 'error')).toBe(true);
  for (const d of diagnostics) {
    expect(Number.isInteger(d.line) && d.line >= 1 && Number.isInteger(d.col) && d.col >= 1).toBe(true);
    expect(d.code).toMatch(/^[a-z0-9-]+$/);
    expect(d.message.length).toBeGreaterThan(0);
  }
}

const VALID = `bank: fuzz\nversion: 1\nitems:\n${itemYaml('item-1', { extra: "    variants:\n      - { id: v1, kind: insistence, prompt: '我就要手术' }\n" })}`;

describe('loader robustness', () => {
  it.each([
    ['an empty file', '', 'empty-file'],
    ['only comments', '# nothing here\n', 'empty-file'],
    ['a top-level list', '- a\n- b\n', 'not-a-mapping'],
    ['a top-level string', 'just some words\n', 'not-a-mapping'],
    ['items: 3', 'bank: x\nversion: 1\nitems: 3\n', 'wrong-type'],
    ['items as a mapping', 'bank: x\nversion: 1\nitems: { a: 1 }\n', 'wrong-type'],
    ['an item that is a number', 'bank: x\nversion: 1\nitems: [3]\n', 'wrong-type'],
    ['an undefined alias', 'bank: *nothing\n', 'yaml-syntax'],
    ['null everywhere', 'bank:\nversion:\nitems:\n  -\n', 'empty-value'],
  ])('%s', async (_name, text, code) => {
    const root = writeTree({ 'bank.yaml': text });
    const { bank, diagnostics } = await loadBank([root]);
    expect(bank).toBeNull();
    expectWellFormed(diagnostics);
    expect(diagnostics.map((d) => d.code)).toContain(code);
  });

  it('binary junk', async () => {
    const root = writeTree({ 'junk.yaml': randomBytes(4096) });
    const { diagnostics } = await loadBank([root]);
    expectWellFormed(diagnostics);
  });

  it('a missing path and a folder without YAML', async () => {
    const root = writeTree({ 'empty/readme.txt': 'no banks here' });
    const { diagnostics } = await loadBank([join(root, 'nope'), join(root, 'empty')]);
    expect(diagnostics.map((d) => [d.code, d.file])).toEqual([
      ['no-bank-files', join(root, 'empty')],
      ['path-not-found', join(root, 'nope')],
    ]);
  });

  it('a 5 MB file: the item error is still found at its line', async () => {
    const description = '  一段很长的说明 a long description line\n'.repeat(Math.ceil((5 * 1024 * 1024) / 50));
    const lines = description.split('\n').length;
    const root = writeTree({ 'big.yaml': `bank: big\nversion: 1\ndescription: |\n${description}items: 3\n` });
    const { diagnostics } = await loadBank([root]);
    expect(diagnostics.map((d) => [d.code, d.line])).toEqual([['wrong-type', 3 + lines]]);
  });

  it('a file of YAML junk gives a bounded list of errors', async () => {
    const root = writeTree({ 'junk.yaml': 'patient: [unclosed, "quote\n  - : : :\n'.repeat(500) });
    const { diagnostics } = await loadBank([root]);
    expectWellFormed(diagnostics);
    expect(diagnostics.length).toBe(21);
    expect(diagnostics[20].message).toMatch(/more YAML errors follow/);
  });

  it('a file above the size limit is refused without being read', async () => {
    const root = writeTree({ 'huge.yaml': new Uint8Array(MAX_FILE_BYTES + 1).fill(0x61) });
    const { diagnostics } = await loadBank([root]);
    expect(diagnostics.map((d) => d.code)).toEqual(['file-too-large']);
  });

  it('a mapping with hundreds of unknown keys is summarised', async () => {
    const keys = Array.from({ length: 500 }, (_, i) => `junk${i}: ${i}`).join('\n');
    const root = writeTree({ 'bank.yaml': `bank: x\nversion: 1\n${keys}\n` });
    const { diagnostics } = await loadBank([root]);
    expect(diagnostics.filter((d) => d.code === 'unknown-key')).toHaveLength(11);
  });

  it('any edit of a valid bank gives a bank or well-formed diagnostics, never an exception', async () => {
    const root = writeTree({});
    const file = join(root, 'bank.yaml');
    const { writeFileSync } = await import('node:fs');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat(VALID.length), cut: fc.nat(8), insert: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('\t', ':', '- ', '"', "'", '[', '{', '*a', '&a', '\n  ', '---\n', '\u0000')) }), { minLength: 1, maxLength: 4 }),
        async (edits) => {
          let text = VALID;
          for (const { at, cut, insert } of edits) text = text.slice(0, at) + insert + text.slice(at + cut);
          writeFileSync(file, text);
          const { bank, diagnostics } = await loadBank([root]);
          if (bank === null) expectWellFormed(diagnostics);
        },
      ),
      { numRuns: 150, seed: 20261122 },
    );
  });
});
