import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBank, loadBankOrThrow } from '../../src/bank/load.js';
import { UserError } from '../../src/errors.js';
import { itemYaml, writeTree } from './temp-tree.js';

const TAXONOMY = `taxonomy: test-topics
topics:
  - { id: staging, title: 分期 }
  - { id: screening, title: 筛查 }
  - { id: follow-up, title: 随访 }
`;

function multiFileBank(): string {
  return writeTree({
    'bank/topics.yaml': TAXONOMY,
    'bank/a-staging.yaml': `# yaml-language-server: $schema=../schema/bank.schema.json
bank: test-bank
version: 2
title: Test bank
depth_scale: { min: 1, max: 4 }
topics: topics.yaml
system: 你是一名胸部肿瘤科医生。
items:
${itemYaml('staging-1')}${itemYaml('staging-2', { depth: 3 })}`,
    'bank/sub/b-screening.yaml': `bank: test-bank
version: 2
depth_scale: { min: 1, max: 4 }
topics: ../topics.yaml
items:
${itemYaml('screening-1', { topic: 'screening', depth: 1 })}`,
  });
}

describe('loadBank on valid banks', () => {
  it('merges the files of one bank found in a folder, with its taxonomy', async () => {
    const root = multiFileBank();
    const { bank, diagnostics } = await loadBank([join(root, 'bank')]);
    expect(diagnostics).toEqual([]);
    expect(bank).not.toBeNull();
    expect(bank!.id).toBe('test-bank');
    expect(bank!.version).toBe('2');
    expect(bank!.title).toBe('Test bank');
    expect(bank!.depthScale).toEqual({ min: 1, max: 4 });
    expect(bank!.items.map((i) => i.id)).toEqual(['staging-1', 'staging-2', 'screening-1']);
    expect(bank!.files).toEqual([join(root, 'bank/a-staging.yaml'), join(root, 'bank/sub/b-screening.yaml')]);
    expect(bank!.taxonomy?.topics.map((t) => t.id)).toEqual(['staging', 'screening', 'follow-up']);
    expect(bank!.taxonomyFile).toBe(join(root, 'bank/topics.yaml'));
    expect(bank!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('records where each item starts', async () => {
    const root = multiFileBank();
    const { bank } = await loadBank([join(root, 'bank')]);
    // Line 9 of a-staging.yaml is the first "  - id: staging-1"; the mapping starts at column 5.
    expect(bank!.positions.get('staging-1')).toEqual({ file: join(root, 'bank/a-staging.yaml'), line: 9, col: 5 });
    const secondItemLine = readFileSync(join(root, 'bank/a-staging.yaml'), 'utf8').split('\n').indexOf('  - id: staging-2') + 1;
    expect(bank!.positions.get('staging-2')).toEqual({ file: join(root, 'bank/a-staging.yaml'), line: secondItemLine, col: 5 });
    expect(bank!.positions.get('screening-1')).toEqual({ file: join(root, 'bank/sub/b-screening.yaml'), line: 6, col: 5 });
  });

  it("gives a file's system message to its own items only", async () => {
    const root = multiFileBank();
    const { bank } = await loadBank([join(root, 'bank')]);
    const byId = new Map(bank!.items.map((i) => [i.id, i]));
    expect(byId.get('staging-1')!.system).toBe('你是一名胸部肿瘤科医生。');
    expect(byId.get('screening-1')!.system).toBeUndefined();
    expect(bank!.system).toBeUndefined();
  });

  it('hashes content, not layout: comments, formatting and key order do not change it', async () => {
    const root = multiFileBank();
    const before = (await loadBank([join(root, 'bank')])).bank!.hash;
    const a = join(root, 'bank/a-staging.yaml');
    const text = readFileSync(a, 'utf8');
    writeFileSync(a, text.replace('title: Test bank', '# a comment\ntitle:    Test bank').replace('    topic: staging\n    depth: 2', '    depth: 2\n    topic: staging'));
    expect((await loadBank([join(root, 'bank')])).bank!.hash).toBe(before);
    writeFileSync(a, text.replace('score: -2', 'score: -3'));
    expect((await loadBank([join(root, 'bank')])).bank!.hash).not.toBe(before);
  });

  it('hashes the same when files are renamed and the items come in another order', async () => {
    const root = multiFileBank();
    const before = (await loadBank([join(root, 'bank')])).bank!;
    const moved = readFileSync(join(root, 'bank/sub/b-screening.yaml'), 'utf8').replace('topics: ../topics.yaml', 'topics: topics.yaml');
    rmSync(join(root, 'bank/sub'), { recursive: true });
    writeFileSync(join(root, 'bank/0-screening.yaml'), moved);
    const after = (await loadBank([join(root, 'bank')])).bank!;
    expect(after.items.map((i) => i.id)).toEqual(['screening-1', 'staging-1', 'staging-2']);
    expect(after.hash).toBe(before.hash);
  });

  it('loads single files and skips taxonomy files named directly', async () => {
    const root = multiFileBank();
    const { bank, diagnostics } = await loadBank([join(root, 'bank/sub/b-screening.yaml'), join(root, 'bank/topics.yaml')]);
    expect(diagnostics).toEqual([]);
    expect(bank!.items.map((i) => i.id)).toEqual(['screening-1']);
  });

  it('reports warnings without withholding the bank', async () => {
    const root = writeTree({
      'bank.yaml': `bank: warn-bank
version: 1
items:
  - id: treat-1
    topic: treatment
    depth: 3
    category: treatment
    prompt: IIIA期鳞癌如何治疗？
    rubric:
      points:
        - id: neoadjuvant
          text: 新辅助治疗
          score: 3
          match: { any: [新辅助] }
`,
    });
    const { bank, diagnostics } = await loadBank([root]);
    expect(bank).not.toBeNull();
    expect(diagnostics.map((d) => [d.severity, d.code, d.line, d.col])).toEqual([
      ['warning', 'no-evidence', 1, 1],
      ['warning', 'treatment-without-veto', 7, 15],
      ['warning', 'no-deduction', 9, 5],
      ['warning', 'matcher-without-examples', 14, 11],
    ]);
    expect(diagnostics.every((d) => d.item === undefined || d.item === 'treat-1')).toBe(true);
  });

  it('accepts a deduction marked veto: true as the veto of a treatment item', async () => {
    const root = writeTree({
      'bank.yaml': `bank: veto-bank
version: 1
items:
${itemYaml('treat-1', { extra: '    category: treatment\n' }).replace('score: -2\n', 'score: -2\n          veto: true\n')}`,
    });
    const { diagnostics } = await loadBank([root]);
    expect(diagnostics).toEqual([]);
  });
});

describe('loadBank on broken banks', () => {
  it('withholds the bank on errors unless a partial bank is asked for', async () => {
    const root = writeTree({ 'bank.yaml': `bank: b\nversion: 1\nitems:\n${itemYaml('ok-1')}${itemYaml('bad-1', { depth: 9 })}` });
    const strict = await loadBank([root]);
    expect(strict.bank).toBeNull();
    expect(strict.diagnostics.map((d) => d.code)).toEqual(['depth-out-of-scale']);
    const partial = await loadBank([root], { keepPartial: true });
    expect(partial.bank!.items.map((i) => i.id)).toEqual(['ok-1', 'bad-1']);
  });

  it('keeps checking the other items when one item fails the schema', async () => {
    const root = writeTree({ 'bank.yaml': `bank: b\nversion: 1\nitems:\n${itemYaml('a', { extra: '    depht: 2\n' })}${itemYaml('b', { depth: 9 })}${itemYaml('b')}` });
    const { diagnostics } = await loadBank([root]);
    expect(diagnostics.map((d) => [d.item, d.code])).toEqual([
      ['a', 'unknown-key'],
      ['b', 'depth-out-of-scale'],
      ['b', 'duplicate-item-id'],
    ]);
    expect(diagnostics[0].message).toBe('unknown key "depht"; did you mean "depth"?');
  });

  it('reads a taxonomy beside the bank files once: an unsaved edit of it is what topics are checked against', async () => {
    const root = multiFileBank();
    const topics = join(root, 'bank/topics.yaml');
    const withoutScreening = TAXONOMY.replace('  - { id: screening, title: 筛查 }\n', '');
    const { bank, diagnostics } = await loadBank([join(root, 'bank')], { overlay: new Map([[topics, withoutScreening]]) });
    expect(bank).toBeNull();
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => [d.file, d.line])).toEqual([[join(root, 'bank/sub/b-screening.yaml'), 7]]);
    expect(diagnostics.find((d) => d.severity === 'error')?.message).toMatch(/screening/);
  });

  it('checks taxonomy files found in a folder even when no bank file refers to them', async () => {
    const onlyTaxonomy = writeTree({ 'topics.yaml': TAXONOMY });
    expect((await loadBank([onlyTaxonomy])).diagnostics.map((d) => d.code)).toEqual(['no-bank-files']);
    const stray = writeTree({ 'bank.yaml': `bank: b\nversion: 1\nitems:\n${itemYaml('a')}`, 'old-topics.yaml': 'taxonomy: old\ntopics: []\n' });
    const { diagnostics } = await loadBank([stray]);
    expect(diagnostics.map((d) => [d.file, d.line, d.col, d.code])).toEqual([[join(stray, 'old-topics.yaml'), 2, 9, 'empty-list']]);
  });

  it('loadBankOrThrow lists the errors as file:line:col lines in a UserError', async () => {
    const root = writeTree({ 'bank.yaml': `bank: b\nversion: 1\nitems:\n${itemYaml('a', { depth: 0 })}` });
    await expect(loadBankOrThrow([root])).rejects.toThrow(UserError);
    await expect(loadBankOrThrow([root])).rejects.toThrow(/the question bank has 1 error:\n {2}.*bank\.yaml:6:12 error \[a\] depth 0 is outside/);
  });

  it('with errorsOnly gives exactly the errors of a full load, and no warning', async () => {
    const root = writeTree({
      'bank.yaml': `bank: b\nversion: 1\nitems:\n${itemYaml('a', { depth: 0 })}${itemYaml('b').replace(/ {6}deductions:[^]*$/, '')}${itemYaml('c', { depth: 9, extra: '    status: draft\n' })}${itemYaml('d', { extra: '    status: admitted\n' })}`,
    });
    const full = await loadBank([root]);
    const errorsOnly = await loadBank([root], { errorsOnly: true });
    expect(full.diagnostics.some((d) => d.severity === 'warning')).toBe(true);
    expect(errorsOnly.diagnostics).toEqual(full.diagnostics.filter((d) => d.severity === 'error'));
    expect(errorsOnly.diagnostics.length).toBeGreaterThan(0);
  });

  it('loadBankOrThrow returns the bank when there are only warnings', async () => {
    const root = writeTree({ 'bank.yaml': `bank: b\nversion: 1\nitems:\n${itemYaml('a').replace(/ {6}deductions:[^]*$/, '')}` });
    const bank = await loadBankOrThrow([root]);
    expect(bank.items).toHaveLength(1);
  });
});
