/** `caps lint` through main() and through the built bin, as users and CI call it. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Diagnostic } from '../../src/bank/diagnostic.js';
import { BankSummary } from '../../src/bank/summary.js';
import { runCaps } from '../helpers/cli.js';
import { BUILT_CLI } from '../helpers/built-cli.js';
import { itemYaml, writeTree } from './temp-tree.js';

const run = runCaps;

/** What `caps lint --format json` promises to print. */
const LintJson = z.strictObject({ diagnostics: z.array(Diagnostic), summary: BankSummary.nullable(), errors: z.number(), warnings: z.number() });

const cleanBank = () => writeTree({ 'bank.yaml': `bank: cli-bank\nversion: 1\nitems:\n${itemYaml('a', { depth: 1 })}${itemYaml('b', { depth: 3, topic: 'screening' })}` });

describe('caps lint', () => {

  it('exits 0 on a clean bank and prints the summary', async () => {
    const { code, stdout, stderr } = await run(['lint', cleanBank()]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^bank\s+cli-bank v1 \(zh, profile caps\): 2 items in 1 file$/m);
    expect(stdout).toMatch(/^depth\s+1: 1 \| 2: 0 \| 3: 1 \| 4: 0 \| 5: 0$/m);
    expect(stdout).toMatch(/^topics\s+2 topics \(no taxonomy declared\)$/m);
    expect(stdout).toMatch(/^result\s+0 errors, 0 warnings$/m);
  });

  it('exits 0 with warnings only', async () => {
    const root = writeTree({ 'bank.yaml': `bank: w\nversion: 1\nitems:\n${itemYaml('a').replace(/ {6}deductions:[^]*$/, '')}` });
    const { code, stdout } = await run(['lint', root]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/bank\.yaml:8:5 warning \[a\] this item has no deduction/);
    expect(stdout).toMatch(/^result\s+0 errors, 1 warning$/m);
  });

  it('prints { diagnostics, summary } with --format json, paths relative to the current folder', async () => {
    const root = writeTree({ 'bank.yaml': `bank: j\nversion: 1\nitems:\n${itemYaml('a', { depth: 8 })}` });
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const { code, stdout, stderr } = await run(['lint', '--format', 'json', '.']);
      expect(code).toBe(1);
      expect(stderr).toMatch(/^caps: the bank has 1 error; fix it and run caps lint again\n$/);
      const out = LintJson.parse(JSON.parse(stdout));
      expect(out.diagnostics).toEqual([
        { file: 'bank.yaml', line: 6, col: 12, severity: 'error', item: 'a', code: 'depth-out-of-scale', message: expect.stringContaining('depth 8 is outside') },
      ]);
      expect(out.summary?.items).toBe(1);
      expect(out.errors).toBe(1);
    } finally {
      process.chdir(cwd);
    }
  });

  it('rejects an unknown format and a missing path argument with exit 1', async () => {
    expect((await run(['lint', '--format', 'xml', cleanBank()])).code).toBe(1);
    expect((await run(['lint'])).code).toBe(1);
  });

  it('works through the built bin, without a stack trace on a broken bank', () => {
    const ok = spawnSync(process.execPath, [BUILT_CLI, 'lint', cleanBank()], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('0 errors, 0 warnings');
    const broken = join(process.cwd(), 'test/fixtures/broken/tabs.yaml');
    const bad = spawnSync(process.execPath, [BUILT_CLI, 'lint', broken], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('test/fixtures/broken/tabs.yaml:6:1 error a tab is used to indent this line');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
