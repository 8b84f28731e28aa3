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
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME_WORKER_FROM_BYTES } from '../../src/report/from-runs.js';
import { PACKAGE_ROOT } from '../../src/version.js';
import { BUILT_CLI } from '../helpers/built-cli.js';
import { writeScoreBank, writeScoreRun } from '../bench/score-workload.js';
import { writeBenchFiles } from '../bench/workload.js';
import { buildCli, BUNDLE_DIR, BUNDLE_ENTRY } from '../../scripts/build-cli.js';
import { runCaps } from '../helpers/cli.js';

const execFileAsync = promisify(execFile);
const TSC_CLI = join(PACKAGE_ROOT, 'dist', 'cli', 'bin.js');
let dir: string;
// One bank cache for the commands of a test: the score bank is read from YAML once per form.
const caps = (bin: string, args: string[]) => execFileAsync(process.execPath, [bin, ...args], { env: { ...process.env, CAPS_CACHE_DIR: join(dir, 'cache') }, maxBuffer: 1 << 26 });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'caps-built-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A run of `answers` unscored answers to the score benchmark's bank, in a folder of its own. */
async function unscoredRun(name: string, answers: number): Promise<{ run: string; bank: string }> {
  const base = join(dir, name);
  mkdirSync(base, { recursive: true });
  const bank = join(base, 'bank.yaml');
  writeScoreBank(bank);
  await writeScoreRun(join(base, 'run'), bank, answers);
  return { run: join(base, 'run'), bank };
}

/** Scores a copy of the run on two worker threads and the run itself in one; both must write the same scores. */
async function scoreBothWays(bin: string, run: string, bank: string): Promise<Buffer> {
  cpSync(run, `${run}-w2`, { recursive: true });
  await caps(bin, ['score', `${run}-w2`, '--bank', bank, '--workers', '2', '--quiet']);
  await caps(bin, ['score', run, '--bank', bank, '--workers', '0', '--quiet']);
  const scores = readFileSync(join(run, 'scores.jsonl'));
  expect(readFileSync(join(`${run}-w2`, 'scores.jsonl')).equals(scores)).toBe(true);
  return scores;
}

describe("tsc's output (the library's form)", () => {
  it('scores on two worker threads as in one', async () => {
    const { run, bank } = await unscoredRun('tsc', 200);
    expect((await scoreBothWays(TSC_CLI, run, bank)).length).toBeGreaterThan(0);
  }, 120_000);
});

describe('the bundle', () => {
  it('scores on two worker threads as in one, then draws the HTML report on its worker thread', async () => {
    // Enough answers for a scores.jsonl past the size from which the report draws its charts on a worker.
    const { run, bank } = await unscoredRun('bundle', 2_500);
    expect((await scoreBothWays(BUILT_CLI, run, bank)).length).toBeGreaterThanOrEqual(FRAME_WORKER_FROM_BYTES);
    const out = join(dir, 'bundle', 'report');
    const { stdout } = await caps(BUILT_CLI, ['report', run, '--bank', bank, '--out', out, '--format', 'html', '--bootstrap', '100', '--quiet']);
    expect(stdout).toContain('report.html');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg');
  }, 180_000);

  it('serves the studio page and its script', async () => {
    const { run, bank } = await unscoredRun('studio', 3);
    const child = spawn(process.execPath, [BUILT_CLI, 'studio', run, '--bank', bank, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CAPS_CACHE_DIR: 'off' } });
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
      const script = /src="(\/assets\/app\.js[^"]*)"/.exec(await page.text())?.[1];
      expect(script).toBeDefined();
      const asset = await fetch(new URL(script!, url));
      expect(asset.status).toBe(200);
      expect((await asset.text()).length).toBeGreaterThan(10_000);
    } finally {
      child.kill();
    }
  }, 60_000);

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
    const cache = join(dir, 'plan-cache');
    const entries = () => readdirSync(join(cache, 'banks')).filter((f) => f.endsWith('.json')).sort();
    const plan = () => execFileAsync(process.execPath, [join(root, BUNDLE_DIR, BUNDLE_ENTRY), 'run', '--plan', '--config', files.config, '--bank', files.bank], { env: { ...process.env, CAPS_CACHE_DIR: cache } });

    await buildCli(root);
    await plan();
    const first = entries();
    expect(first).toHaveLength(1);
    // Not rewritten: an entry is written to a new file and renamed over, so its inode would change
    // (its modification time does change: a read marks the entry used).
    const inode = statSync(join(cache, 'banks', first[0])).ino;
    await plan();
    expect(entries()).toEqual(first);
    expect(statSync(join(cache, 'banks', first[0])).ino).toBe(inode);

    const loader = join(root, 'src', 'bank', 'load.ts');
    writeFileSync(loader, `${readFileSync(loader, 'utf8')}\n// a change to the loader\n`);
    await buildCli(root);
    await plan();
    expect(entries()).toHaveLength(2);
  }, 120_000);

  it("lists its commands in caps --help as the sources do, without loading them", async () => {
    const built = await caps(BUILT_CLI, ['--help']);
    expect(built.stdout).toBe((await runCaps(['--help'])).stdout);
  });

  it('stops quietly when its reader closes the pipe early', async () => {
    // As `caps report --help | head -n 1` once head has exited: the reading end is closed before caps writes.
    const child = spawn(process.execPath, [BUILT_CLI, 'report', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('loads no heavy package for --version or --help, nor for a command whose --help needs none', async () => {
    // A module hook that records every module the bundle loads, written synchronously so none is lost at exit.
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(hooks, "import { appendFileSync } from 'node:fs';\nlet log;\nexport function initialize(data) { log = data.log; }\nexport async function load(url, context, next) { appendFileSync(log, `${url}\\n`); return next(url, context); }\n");
    const register = join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { log: process.env.CAPS_TEST_MODULE_LOG } });\n`);
    const bundle = join(PACKAGE_ROOT, BUNDLE_DIR);
    /** The packages whose code is in the chunks of the bundle that `args` loads. */
    const packagesLoaded = async (args: string[]): Promise<Set<string>> => {
      const log = join(dir, `modules-${args.join('-')}.log`);
      await execFileAsync(process.execPath, ['--import', pathToFileURL(register).href, BUILT_CLI, ...args], { env: { ...process.env, CAPS_TEST_MODULE_LOG: log } });
      const chunks = readFileSync(log, 'utf8').split('\n').filter((url) => url.startsWith(pathToFileURL(bundle).href));
      const sources = chunks.flatMap((url) => (JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8')) as { sources: string[] }).sources);
      return new Set(sources.flatMap((source) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source)?.[1] ?? []));
    };
    const heavy = ['zod', 'yaml', 'js-yaml', 'openai', 'opencc-js', 'echarts', 'hono'];
    for (const args of [['--version'], ['--help'], ['help'], ['lint', '--help']]) {
      const loaded = await packagesLoaded(args);
      expect(loaded, args.join(' ')).toContain('commander');
      expect(heavy.filter((name) => loaded.has(name)), args.join(' ')).toEqual([]);
    }
    // The same probe sees a command's own packages: caps run's definition imports the endpoint client and the config's parser.
    const run = await packagesLoaded(['run', '--help']);
    for (const name of ['zod', 'yaml', 'openai']) expect(run).toContain(name);
  }, 60_000);
});
