import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { main } from '../../src/cli/main.js';
import { runCaps } from '../helpers/cli.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { simPersonas } from '../../src/endpoints/sim/catalog.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { RunFolder } from '../../src/io/run-folder.js';

let server: SimServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

const caps = runCaps;

/** The example config with its endpoints pointed at a test server. */
function exampleConfig(dir: string, baseURL: string): string {
  const path = join(dir, 'caps.config.yaml');
  writeFileSync(path, readFileSync('caps.config.example.yaml', 'utf8').replaceAll('http://127.0.0.1:8788/v1', baseURL));
  return path;
}

/** One file of the demo bank keeps these tests quick; the personas answer it like the whole bank. */
const BANK = 'questions/lung-cancer/chemo-toxicity.yaml';

describe('caps run / merge on the demo bank with the example config', () => {
  it('plans, runs, resumes and merges shards', async () => {
    const bank = await loadBankOrThrow([BANK]);
    server = await startSimServer({ personas: simPersonas(bank) });
    const dir = mkdtempSync(join(tmpdir(), 'caps-cli-'));
    const config = exampleConfig(dir, server.baseURL);

    const plan = await caps(['run', '--config', config, '--bank', BANK, '--limit', '3', '--plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/plan for bank lung-cancer-demo v1: 3 items/);
    expect(plan.stdout).toMatch(/sim-strong +sim-strong +\d+ +\d+ +\d+ +\d+ +\d+\.\d\d USD/);
    expect(plan.stdout).not.toContain('sim-judge');
    expect(server.requests()).toBe(0);

    const shards: string[] = [];
    for (const shard of ['1/2', '2/2']) {
      const out = join(dir, 'runs', `shard-${shard[0]}`);
      const run = await caps(['run', '--config', config, '--bank', BANK, '--limit', '3', '--shard', shard, '--out', out, '--quiet']);
      expect(run.stderr).toMatch(/caps run: complete/);
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toBe(out);
      shards.push(out);
    }
    const asked = server.requests();
    const again = await caps(['run', '--config', config, '--resume', shards[0], '--quiet']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/0 HTTP requests/);
    expect(server.requests()).toBe(asked);

    const merged = await caps(['merge', ...shards, '--out', join(dir, 'merged')]);
    expect(merged.code).toBe(0);
    const records = await new RunFolder(join(dir, 'merged')).latestResponses();
    expect(records.size).toBe(Number(/(\d+) answers\n/.exec(plan.stdout)![1]));
    const respondents = new Set([...records.values()].map((r) => r.respondent));
    expect(respondents).toEqual(new Set(['sim-strong', 'sim-knee', 'sim-pliable', 'sim-risky']));
    expect([...records.values()].every((r) => r.text && !r.text.includes('not in the simulated bank') && !r.text.includes('不在模拟题库'))).toBe(true);
  }, 60_000);

  it('exits 2 with the run folder printed when answers fail, and 1 on bad input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'caps-cli-'));
    const config = exampleConfig(dir, 'http://127.0.0.1:9/v1');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^    concurrency: 16$/gm, '    concurrency: 16\n    retries: 0'));
    const out = join(dir, 'run');
    const failed = await caps(['run', '--config', config, '--bank', BANK, '--items', 'lc-chemo-toxicity-001', '--variants', 'clean', '--models', 'sim-strong', '--out', out, '--quiet']);
    expect(failed.code).toBe(2);
    expect(failed.stdout.trim()).toBe(out);
    expect(failed.stderr).toMatch(/gave up after 1 request: nothing accepts connections at http:\/\/127.0.0.1:9\/v1/);
    expect(failed.stderr).toMatch(/Fix the cause, then run the same command again/);
    const bad = await caps(['run', '--config', config, '--bank', BANK, '--models', 'sim-strnog', '--plan']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/did you mean "sim-strong"/);
    expect((await caps(['run', '--config', config, '--shard', '3/2', '--plan'])).stderr).toMatch(/--shard "3\/2"/);
  }, 30_000);
});

describe('caps sim', () => {
  it('serves the personas and the judge on a port until stopped', async () => {
    let stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
    const running = main(['sim', '--bank', BANK, '--port', '0', '--faults', 'latency=1ms']);
    while (!/baseURL: (\S+)/.test(stdout)) await new Promise((r) => setTimeout(r, 20));
    const baseURL = /baseURL: (\S+)/.exec(stdout)![1];
    const models = (await (await fetch(`${baseURL}/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(['sim-strong', 'sim-knee', 'sim-pliable', 'sim-risky', 'sim-judge', 'sim-judge-careless', 'sim-drafter', 'sim-drafter-flaky', 'sim-drafter-nonsense']);
    process.emit('SIGTERM');
    expect(await running).toBe(0);
    expect(stdout).toMatch(/caps sim: stopped after 0 requests/);
  });

  it('rejects a bad fault spec', async () => {
    const result = await caps(['sim', '--faults', '429=1.5']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/rates are between 0 and 1/);
  });
});
