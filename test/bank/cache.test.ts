import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bankCacheDir } from '../../src/bank/cache.js';
import { bankHash, loadBank, loadBankOrThrow } from '../../src/bank/load.js';
import { UserError } from '../../src/errors.js';
import { itemYaml, writeTree } from './temp-tree.js';

const TAXONOMY = 'taxonomy: t\ntopics:\n  - { id: staging, title: 分期 }\n  - { id: screening, title: 筛查 }\n';
const BANK = `bank: cached\nversion: 1\ntopics: ../topics.yaml\nitems:\n${itemYaml('a')}${itemYaml('b', { topic: 'screening' })}`;

function setUp(): { root: string; file: string; cache: string } {
  const root = writeTree({ 'topics.yaml': TAXONOMY, 'bank/bank.yaml': BANK });
  return { root, file: join(root, 'bank/bank.yaml'), cache: mkdtempSync(join(tmpdir(), 'caps-bank-cache-')) };
}

describe('the bank cache', () => {
  it('gives back the bank the loader built, positions and hash included', async () => {
    const { file, cache } = setUp();
    const fresh = await loadBankOrThrow([file], cache);
    expect(readdirSync(cache)).toHaveLength(1);
    const cached = await loadBankOrThrow([file], cache);
    expect(cached).not.toBe(fresh);
    expect(cached).toEqual(fresh);
    expect(cached.positions.get('b')).toEqual(fresh.positions.get('b'));
    expect(bankHash(cached)).toBe(fresh.hash);
    expect((await loadBank([file])).bank).toEqual(cached);
  });

  it('is not used after any change to a bank file or its taxonomy', async () => {
    const { root, file, cache } = setUp();
    await loadBankOrThrow([file], cache);
    writeFileSync(file, BANK.replace('version: 1', 'version: 2'));
    expect((await loadBankOrThrow([file], cache)).version).toBe('2');
    // The taxonomy is not among the named files: the entry records and checks it.
    writeFileSync(join(root, 'topics.yaml'), 'taxonomy: t\ntopics:\n  - { id: staging, title: 分期 }\n');
    await expect(loadBankOrThrow([file], cache)).rejects.toThrow(/screening/);
    writeFileSync(join(root, 'topics.yaml'), TAXONOMY);
    expect((await loadBankOrThrow([file], cache)).taxonomy?.topics).toHaveLength(2);
  });

  it('keeps no bank with errors, and reports them every time', async () => {
    const { file, cache } = setUp();
    writeFileSync(file, BANK.replace('topic: screening', 'topic: nowhere'));
    for (let i = 0; i < 2; i++) await expect(loadBankOrThrow([file], cache)).rejects.toBeInstanceOf(UserError);
    expect(existsSync(cache) ? readdirSync(cache) : []).toEqual([]);
  });

  it('lives in CAPS_CACHE_DIR or the user cache folder, and can be turned off', () => {
    expect(bankCacheDir({ CAPS_CACHE_DIR: '/x' })).toBe(join('/x', 'banks'));
    expect(bankCacheDir({ XDG_CACHE_HOME: '/c' })).toBe(join('/c', 'caps-eval', 'banks'));
    expect(bankCacheDir({ CAPS_CACHE_DIR: 'off' })).toBeNull();
  });
});
