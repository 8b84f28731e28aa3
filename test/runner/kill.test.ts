import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { FaultSpec } from '../../src/endpoints/sim/faults.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { ResponseCache } from '../../src/runner/cache.js';
import { normalizeBaseURL } from '../../src/endpoints/identity.js';
import { echoPersona } from '../endpoints/helpers.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const child = join(import.meta.dirname, 'kill-child.ts');

function startRunner(args: string[]) {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, exited, output: () => output };
}

function lineCount(path: string): number {
  if (!existsSync(path)) return 0;
  return readFileSync(path, 'utf8').split('\n').length - 1;
}

describe('kill -9 in the middle of a run', () => {
  it('resumes to exactly 2,000 distinct answers without asking a recorded answer again', async () => {
    server = await startSimServer({ personas: [echoPersona], faults: FaultSpec.parse({ latency: { minMs: 5, maxMs: 10 } }) });
    const root = mkdtempSync(join(tmpdir(), 'caps-kill-'));
    const out = join(root, 'run');
    const args = [server.baseURL, out, join(root, '.cache')];
    const folder = new RunFolder(out);

    const first = startRunner(args);
    while (lineCount(folder.responsesPath) < 400) {
      const done = await Promise.race([first.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 10))]);
      if (done) throw new Error(`the runner ended before it could be killed:\n${first.output()}`);
    }
    first.proc.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const beforeKill = await folder.latestResponses();
    expect(beforeKill.size).toBeGreaterThanOrEqual(400);
    expect(beforeKill.size).toBeLessThan(2000);
    const recordedHashes = new Set([...beforeKill.values()].map((r) => r.request_hash));
    // Answers go to the cache before their records are written: every recorded answer is there.
    const cache = new ResponseCache(join(root, '.cache'));
    const identity = { baseURL: normalizeBaseURL(server.baseURL), model: 'echo' };
    for (const record of beforeKill.values()) expect(cache.get(record.request_hash!, identity)?.text).toBe(record.text);

    const second = startRunner(args);
    expect(await second.exited, second.output()).toBe(0);

    const records = [];
    for await (const r of folder.responses()) records.push(r);
    expect(records).toHaveLength(2000);
    expect(new Set(records.map((r) => r.key)).size).toBe(2000);
    expect(records.every((r) => r.error === null && r.text?.startsWith('echo: Question q'))).toBe(true);

    const asked = new Map<string, number>();
    for (const entry of server.log()) asked.set(entry.hash, (asked.get(entry.hash) ?? 0) + 1);
    expect(asked.size).toBe(2000);
    const askedTwice = [...asked].filter(([, n]) => n > 1);
    // Only requests in flight at the kill (at most the concurrency, 32) reach the server twice;
    // no answer that was recorded is asked again.
    expect(askedTwice.length).toBeLessThanOrEqual(32);
    expect(askedTwice.every(([, n]) => n === 2)).toBe(true);
    const hashOfKey = new Map(records.map((r) => [r.request_hash, r.key]));
    for (const [hash] of askedTwice) expect(recordedHashes.has(hashOfKey.get(hash) ? hash : 'missing')).toBe(false);
    expect(new RunFolder(out).readManifest()).toMatchObject({ status: 'complete', counts: { planned: 2000, done: 2000 } });
  }, 120_000);
});
