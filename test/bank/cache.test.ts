import { existsSync, mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bankCacheDir, entriesToRemove, readCachedBank, writeCachedBank } from '../../src/bank/cache.js';
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

describe('the bank cache bound', () => {
  const entry = (name: string, bytes: number, usedMs: number) => ({ name, bytes, usedMs });

  it('removes the entries used longest ago until the rest fit, never the one just written', () => {
    const entries = [entry('new.json', 50, 1), entry('old.json', 40, 2), entry('mid.json', 30, 3), entry('recent.json', 20, 4)];
    expect(entriesToRemove(entries, 140, 'new.json')).toEqual([]);
    expect(entriesToRemove(entries, 139, 'new.json')).toEqual(['old.json']);
    expect(entriesToRemove(entries, 80, 'new.json')).toEqual(['old.json', 'mid.json']);
    expect(entriesToRemove(entries, 10, 'new.json')).toEqual(['old.json', 'mid.json', 'recent.json']);
  });

  it('keeps the folder under its bound on disk, and a bank read counts as a use', async () => {
    const { file, cache } = setUp();
    const bank = await loadBankOrThrow([file], null);
    writeCachedBank(cache, 'a', bank, [file]);
    const size = statSync(join(cache, 'a.json')).size;
    writeCachedBank(cache, 'b', bank, [file]);
    const hour = Date.now() / 1000 - 3600;
    utimesSync(join(cache, 'a.json'), hour - 60, hour - 60);
    utimesSync(join(cache, 'b.json'), hour, hour);
    // a is older, but reading it makes b the one used longest ago.
    expect(readCachedBank(cache, 'a')).not.toBeNull();
    writeCachedBank(cache, 'c', bank, [file], 2 * size);
    expect(readdirSync(cache).sort()).toEqual(['a.json', 'c.json']);
    expect(readCachedBank(cache, 'c')).toEqual(readCachedBank(cache, 'a'));
  });
});

describe('a bank cache that cannot be written', () => {
  it('is skipped: the bank still loads when the cache folder is a path through a file', async () => {
    const { file, cache } = setUp();
    const notAFolder = join(cache, 'file');
    writeFileSync(notAFolder, '');
    const bank = await loadBankOrThrow([file], join(notAFolder, 'banks'));
    expect(bank.items.map((i) => i.id)).toEqual(['a', 'b']);
  });
});
