/** `--shard auto` under a scheduler: each shard a separate `caps run` process, merged like one run. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { parseShard } from '../../src/runner/plan.js';
import { UserError } from '../../src/errors.js';
import { simpleItem } from '../endpoints/bank-fixture.js';
import { echoPersona } from '../endpoints/helpers.js';
import { BUILT_CLI } from '../helpers/built-cli.js';

const run = promisify(execFile);

let server: SimServer;
let root: string;
beforeAll(async () => {
  server = await startSimServer({ personas: [echoPersona] });
  root = mkdtempSync(join(tmpdir(), 'caps-shard-auto-'));
  writeFileSync(join(root, 'bank.yaml'), stringify({ bank: 'shards', version: 1, language: 'en', items: Array.from({ length: 10 }, (_, i) => simpleItem(`q${i}`)) }));
  writeFileSync(join(root, 'caps.config.yaml'), stringify({ endpoints: [{ name: 'e', baseURL: server.baseURL, model: 'echo', retries: 0 }] }));
});
afterAll(() => server.close());

/** Runs the built `caps` with only the given scheduler variables (none inherited from this machine). */
async function caps(args: string[], scheduler: Record<string, string> = {}): Promise<string> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, CAPS_CACHE_DIR: join(root, 'cache'), ...scheduler };
  const { stdout } = await run(process.execPath, [BUILT_CLI, ...args], { cwd: root, env });
  return stdout.trim();
}

const runArgs = (out: string, shard?: string) => ['run', '-c', 'caps.config.yaml', '-b', 'bank.yaml', '-k', '3', '--no-cache', '--quiet', '-o', out, ...(shard ? ['--shard', shard] : [])];

async function answers(dir: string): Promise<Map<string, string | null>> {
  const latest = await new RunFolder(dir).latestResponses();
  return new Map([...latest].map(([key, r]) => [key, r.text]));
}

describe('caps run --shard auto as 4 scheduler tasks, then caps merge', () => {
  it.each([
    ['Slurm array 0-3', (i: number) => ({ SLURM_ARRAY_TASK_ID: String(i), SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '3', SLURM_ARRAY_TASK_COUNT: '4' }), 'auto'],
    ['Kubernetes Indexed Job', (i: number) => ({ JOB_COMPLETION_INDEX: String(i) }), 'auto/4'],
  ])('%s: the merge equals an unsharded run', async (name, envOf, spec) => {
    const whole = await caps(runArgs(`whole-${name}`));
    const shards = await Promise.all([0, 1, 2, 3].map((i) => caps(runArgs(`${name}-${i}`, spec), envOf(i))));
    const shardAnswers = await Promise.all(shards.map(answers));
    // Every shard got work, and no answer was asked twice.
    expect(shardAnswers.every((a) => a.size > 0)).toBe(true);
    expect(shardAnswers.reduce((n, a) => n + a.size, 0)).toBe(30);
    expect(shards.map((dir) => new RunFolder(dir).readManifest().plan.filters)).toEqual([1, 2, 3, 4].map((i) => expect.objectContaining({ shard: `${i}/4` })));

    // Merging in any order gives the same run as asking everything in one process.
    const merged = await caps(['merge', ...shards.reverse(), '-o', `merged-${name}`]);
    expect(await answers(merged)).toEqual(await answers(whole));
    expect(new RunFolder(merged).readManifest()).toMatchObject({ status: 'complete', counts: { planned: 30, done: 30, errors: 0 } });
    const again = await caps(['merge', ...shards.reverse(), '-o', `merged-again-${name}`]);
    const keys = async (dir: string) => [...(await new RunFolder(dir).latestResponses()).keys()];
    expect(await keys(again)).toEqual(await keys(merged));
  });
});

describe('parseShard', () => {
  it('reads Slurm arrays with MIN/MAX and a step, or a count', () => {
    expect(parseShard('auto', { SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '8' })).toEqual({ index: 7, count: 8 });
    expect(parseShard('auto', { SLURM_ARRAY_TASK_ID: '10', SLURM_ARRAY_TASK_MIN: '2', SLURM_ARRAY_TASK_MAX: '14', SLURM_ARRAY_TASK_STEP: '4' })).toEqual({ index: 3, count: 4 });
    expect(parseShard('auto', { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '5' })).toEqual({ index: 1, count: 5 });
  });

  it('reads Kubernetes JOB_COMPLETION_INDEX with the count given', () => {
    expect(parseShard('auto/8', { JOB_COMPLETION_INDEX: '7' })).toEqual({ index: 8, count: 8 });
    expect(parseShard('auto', { JOB_COMPLETION_INDEX: '0', CAPS_SHARD_COUNT: '3' })).toEqual({ index: 1, count: 3 });
  });

  it('refuses what cannot be a shard, with a line saying what to do', () => {
    const fails = (spec: string, env: NodeJS.ProcessEnv, message: RegExp) => expect(() => parseShard(spec, env)).toThrow(expect.objectContaining({ constructor: UserError, message: expect.stringMatching(message) }));
    fails('auto', {}, /no scheduler shard/);
    fails('auto', { JOB_COMPLETION_INDEX: '2' }, /auto\/N/);
    fails('auto/2', { JOB_COMPLETION_INDEX: '2' }, /shard 3 of 2/);
    fails('auto', { SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '2' }, /not a whole number/);
    fails('auto', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '8', SLURM_ARRAY_TASK_STEP: '2' }, /not on the array/);
    // --array=1,3,5,7: four tasks over indices 1-7 would leave shards 2, 4 and 6 to nobody.
    fails('auto', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '7', SLURM_ARRAY_TASK_COUNT: '4' }, /4 tasks but spans 1-7:1 \(7 indices\), so it is not a range/);
    fails('0/4', {}, /1 <= i <= n/);
  });
});
