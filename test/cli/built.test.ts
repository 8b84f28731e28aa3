/**
 * The built `caps` (the esbuild bundle in dist/bin, and tsc's dist/cli for the library form)
 * finds what it reads by file layout: the package root, its worker threads' modules, the
 * studio's web assets. Also: the bundle's bank cache key follows the loader's code, which it
 * cannot hash at run time.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME_WORKER_FROM_BYTES } from '../../src/report/from-runs.js';
import { PACKAGE_ROOT } from '../../src/version.js';
import { BUILT_CLI } from '../helpers/built-cli.js';
import { writeScoreBank, writeScoreRun } from '../bench/score-workload.js';
import { writeBenchFiles } from '../bench/workload.js';
import { buildCli, BUNDLE_DIR, BUNDLE_ENTRY } from '../../scripts/build-cli.js';

const run = promisify(execFile);
const FORMS = [
  ['the bundle', BUILT_CLI],
  ["tsc's output", join(PACKAGE_ROOT, 'dist', 'cli', 'bin.js')],
] as const;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'caps-built-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(FORMS)('the built caps, %s', (form, bin) => {
  const caps = (args: string[], env: NodeJS.ProcessEnv = {}) => run(process.execPath, [bin, ...args], { env: { ...process.env, CAPS_CACHE_DIR: 'off', ...env }, maxBuffer: 1 << 26 });

  it('scores on two worker threads as in one, then draws the HTML report on its worker thread', async () => {
    const base = join(dir, form.replace(/\W+/g, '-'));
    const bank = join(base, 'bank.yaml');
    mkdirSync(base, { recursive: true });
    writeScoreBank(bank);
    // Enough answers for a scores.jsonl past the size from which the report draws its charts on a worker.
    await writeScoreRun(join(base, 'w2'), bank, 2_500);
    cpSync(join(base, 'w2'), join(base, 'w0'), { recursive: true });
    await caps(['score', join(base, 'w2'), '--bank', bank, '--workers', '2', '--quiet']);
    await caps(['score', join(base, 'w0'), '--bank', bank, '--workers', '0', '--quiet']);
    const scores = readFileSync(join(base, 'w2', 'scores.jsonl'));
    expect(scores.length).toBeGreaterThanOrEqual(FRAME_WORKER_FROM_BYTES);
    expect(scores.equals(readFileSync(join(base, 'w0', 'scores.jsonl')))).toBe(true);

    const out = join(base, 'report');
    const { stdout } = await caps(['report', join(base, 'w2'), '--bank', bank, '--out', out, '--format', 'html', '--bootstrap', '100', '--quiet']);
    expect(stdout).toContain('report.html');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
  }, 180_000);

  it('serves the studio page and its script', async () => {
    const runDir = join(dir, `${form.replace(/\W+/g, '-')}-studio`, 'run');
    const bank = join(dir, `${form.replace(/\W+/g, '-')}-studio`, 'bank.yaml');
    mkdirSync(join(runDir, '..'), { recursive: true });
    writeScoreBank(bank);
    await writeScoreRun(runDir, bank, 3);
    const child = spawn(process.execPath, [bin, 'studio', runDir, '--bank', bank, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CAPS_CACHE_DIR: 'off' } });
    try {
      const url = await new Promise<string>((done, fail) => {
        let out = '';
        let err = '';
        child.stdout!.on('data', (d) => {
          out += d;
          const found = /caps studio: (http:\/\/\S+)/.exec(out)?.[1];
          if (found) done(found);
        });
        child.stderr!.on('data', (d) => (err += d));
        child.on('exit', (code) => fail(new Error(`caps studio exited ${code}: ${err}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      const html = await page.text();
      const script = /src="(\/assets\/app\.js[^"]*)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      const asset = await fetch(new URL(script!, url));
      expect(asset.status).toBe(200);
      expect((await asset.text()).length).toBeGreaterThan(10_000);
    } finally {
      child.kill();
    }
  }, 60_000);
});

describe('the bundle', () => {
  it('keeps third-party licences and its source maps beside its code', () => {
    const files = readdirSync(join(PACKAGE_ROOT, BUNDLE_DIR));
    expect(files).toContain(`${BUNDLE_ENTRY}.map`);
    const licences = readFileSync(join(PACKAGE_ROOT, BUNDLE_DIR, 'THIRD-PARTY-LICENSES.txt'), 'utf8');
    for (const name of ['openai@', 'zod@', 'yaml@', 'commander@']) expect(licences).toContain(name);
  });

  it('gives the bank cache another key once the loader changes, and the same key otherwise', async () => {
    // A copy of the package whose loader can be changed and rebuilt.
    const root = join(dir, 'package');
    mkdirSync(root);
    cpSync(join(PACKAGE_ROOT, 'src'), join(root, 'src'), { recursive: true });
    cpSync(join(PACKAGE_ROOT, 'package.json'), join(root, 'package.json'));
    symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    mkdirSync(join(dir, 'plan'));
    const files = writeBenchFiles(join(dir, 'plan'), 'http://127.0.0.1:9/v1', 10, 2);
    const cache = join(dir, 'cache');
    const entries = () => readdirSync(join(cache, 'banks')).filter((f) => f.endsWith('.json')).sort();
    const plan = () => run(process.execPath, [join(root, BUNDLE_DIR, BUNDLE_ENTRY), 'run', '--plan', '--config', files.config, '--bank', files.bank], { env: { ...process.env, CAPS_CACHE_DIR: cache } });

    await buildCli(root);
    await plan();
    const first = entries();
    expect(first).toHaveLength(1);
    const mtime = statSync(join(cache, 'banks', first[0])).mtimeMs;
    await plan();
    expect(entries()).toEqual(first);
    expect(statSync(join(cache, 'banks', first[0])).mtimeMs).toBe(mtime);

    const loader = join(root, 'src', 'bank', 'load.ts');
    writeFileSync(loader, `${readFileSync(loader, 'utf8')}\n// a change to the loader\n`);
    await buildCli(root);
    await plan();
    expect(entries()).toHaveLength(2);
  }, 120_000);
});
