/**
 * Whole banks checked twice, once as usual and once with the one-pass YAML reader switched off
 * (every file then goes to the event reader or the full parser): the same diagnostics, line for
 * line, the same items and the same bank hash.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { LoadResult } from '../../src/bank/load.js';
import { writeBenchFiles } from '../bench/workload.js';

const REPO = join(import.meta.dirname, '..', '..');
const BROKEN = join(REPO, 'test/fixtures/broken');
const dir = mkdtempSync(join(tmpdir(), 'caps-fast-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const banks = [
  [join(REPO, 'questions/lung-cancer')],
  [join(REPO, 'templates/init/questions')],
  [writeBenchFiles(dir, 'http://127.0.0.1:9/v1', 500, 4).bank],
  ...readdirSync(BROKEN).map((entry) => [join(BROKEN, entry)]),
];

/** What lint and the commands see of a bank: its diagnostics, items, positions and hash. */
function summary(result: LoadResult) {
  const bank = result.bank;
  return { diagnostics: result.diagnostics, bank: bank && { ...bank, positions: [...bank.positions] } };
}

async function checkAll(): Promise<ReturnType<typeof summary>[]> {
  const { checkBank } = await import('../../src/bank/check.js');
  const results = [];
  for (const paths of banks) results.push(summary(await checkBank(paths, { keepPartial: true })));
  return results;
}

describe('banks read in one pass', () => {
  it('lint and load exactly as when every file is read by the other readers', async () => {
    const fast = await checkAll();
    vi.resetModules();
    vi.doMock('../../src/bank/fast-yaml.js', () => ({ readFastYaml: () => null }));
    const without = await checkAll();
    vi.doUnmock('../../src/bank/fast-yaml.js');
    expect(fast).toEqual(without);
    // The comparison means something: the repository's banks load, with positions and diagnostics.
    expect(fast[0].bank?.items.length).toBeGreaterThan(30);
    expect(fast[2].bank?.items.length).toBe(500);
    expect(fast.filter((f) => f.diagnostics.length > 0).length).toBeGreaterThan(30);
  });
});
