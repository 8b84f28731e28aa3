/** `caps run --batch` over the simulated endpoint's /v1/files and /v1/batches, with the real openai client. */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { BATCHES_FILE, pendingBatches, runBatchEval } from '../../src/runner/batch.js';
import { runEval } from '../../src/runner/run.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { CapsConfig } from '../../src/schema/config.js';
import { outcomeOf } from '../../src/endpoints/batch-api.js';
import { bankOf, simpleItem } from '../endpoints/bank-fixture.js';
import { echoPersona } from '../endpoints/helpers.js';
import { FaultSpec, type FaultKind } from '../../src/endpoints/sim/faults.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const bank = bankOf({
  bank: 'batch-test',
  version: 1,
  language: 'en',
  items: [
    ...Array.from({ length: 6 }, (_, i) => simpleItem(`q${i}`)),
    simpleItem('dialogue', { variants: [{ id: 'pressure', kind: 'multi-turn', turns: ['Are you sure?', 'Just tell me.'] }] }),
  ],
});
// 7 clean answers + 3 turns of the dialogue, 2 samples each.
const ANSWERS = 20;

const config = (baseURL: string) => CapsConfig.parse({ endpoints: [{ name: 'e', baseURL, model: 'echo', retries: 0 }] });
const tempDir = () => mkdtempSync(join(tmpdir(), 'caps-batch-'));
const texts = async (dir: string) => new Map([...(await new RunFolder(dir).latestResponses())].map(([key, r]) => [key, { text: r.text, messages: r.messages }]));

describe('caps run --batch', () => {
  it('records the same answers as a direct run, a dialogue turn per round, with no direct call', async () => {
    server = await startSimServer({ personas: [echoPersona] });
    const root = tempDir();
    const direct = await runEval({ bank, config: config(server.baseURL), samples: 2, out: join(root, 'direct'), cacheDir: false });
    const directRequests = server.requests();
    const statuses: string[] = [];
    const batched = await runBatchEval({ bank, config: config(server.baseURL), samples: 2, out: join(root, 'batched'), cacheDir: false, pollMs: 20, onBatch: (b) => statuses.push(b.status) });
    expect(batched).toMatchObject({ status: 'complete', counts: { planned: ANSWERS, done: ANSWERS, errors: 0 } });
    expect(await texts(batched.dir)).toEqual(await texts(direct.dir));
    // One batch per turn of the dialogue, each line answered inside a batch.
    expect(server.batches()).toBe(3);
    expect(server.requests() - directRequests).toBe(ANSWERS);
    expect(statuses).toContain('completed');
    expect(await pendingBatches(batched.dir)).toEqual([]);
    expect(readdirSync(batched.dir).filter((f) => f.startsWith('.batch-input'))).toEqual([]);
  });

  it('collects a batch left in progress by a stopped run instead of submitting it again', async () => {
    // Long enough that the first poll finds the batch still in progress on a busy machine.
    server = await startSimServer({ personas: [echoPersona], batchDelayMs: 2000 });
    const out = join(tempDir(), 'run');
    const controller = new AbortController();
    const first = await runBatchEval({
      bank, config: config(server.baseURL), samples: 2, out, cacheDir: false, pollMs: 20, signal: controller.signal,
      onBatch: (b) => b.status === 'in_progress' && controller.abort(),
    });
    expect(first.status).toBe('incomplete');
    expect(first.counts.done).toBe(0);
    const pending = await pendingBatches(out);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ endpoint: 'e', requests: 16 });

    const second = await runBatchEval({ bank, config: config(server.baseURL), samples: 2, out, cacheDir: false, pollMs: 20 });
    expect(second).toMatchObject({ status: 'complete', counts: { done: ANSWERS } });
    // The first batch was collected, then the two later turns: no request was asked twice.
    expect(server.batches()).toBe(3);
    expect(server.requests()).toBe(ANSWERS);
    const log = readFileSync(join(out, BATCHES_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.filter((l) => l.collected_at)).toHaveLength(3);
  });

  it('records failed lines as errors and asks only those again on the next run', async () => {
    server = await startSimServer({ personas: [echoPersona], faults: { serverError: { rate: 0.4 } }, seed: 3 });
    const out = join(tempDir(), 'run');
    const first = await runBatchEval({ bank, config: config(server.baseURL), samples: 2, out, cacheDir: false, pollMs: 20 });
    expect(first.status).toBe('incomplete');
    expect(first.counts.errors).toBeGreaterThan(0);
    const errors = [...(await new RunFolder(out).latestResponses()).values()].filter((r) => r.error);
    expect(errors.every((r) => r.error?.kind === 'server' && r.error.status === 500)).toBe(true);
    let rounds = 0;
    while (rounds++ < 20) {
      const next = await runBatchEval({ bank, config: config(server.baseURL), samples: 2, out, cacheDir: false, pollMs: 20 });
      if (next.status === 'complete') break;
    }
    expect(new RunFolder(out).readManifest().status).toBe('complete');
    expect((await new RunFolder(out).latestResponses()).size).toBe(ANSWERS);
    expect(existsSync(join(out, BATCHES_FILE))).toBe(true);
  });
});

describe('the simulated endpoint\'s faults in a batch', () => {
  // A batch result holds no HTTP exchange to drop or cut short: those faults become server errors there.
  const expected: [FaultKind, Record<string, unknown>][] = [
    ['reset', { kind: 'server', status: 500 }],
    ['rateLimit', { kind: 'rate_limit', status: 429 }],
    ['serverError', { kind: 'server', status: 500 }],
    ['malformed', { kind: 'server', status: 500 }],
    ['truncated', { kind: 'server', status: 500 }],
    ['empty', { kind: 'empty' }],
  ];
  for (const [fault, error] of expected) {
    it(`records ${fault} as ${JSON.stringify(error)}`, async () => {
      server = await startSimServer({ personas: [echoPersona], faults: FaultSpec.parse({ [fault]: { rate: 1 } }) });
      const out = join(tempDir(), 'run');
      const summary = await runBatchEval({ bank, config: config(server.baseURL), out, cacheDir: false, pollMs: 20 });
      expect(summary.status).toBe('incomplete');
      const records = [...(await new RunFolder(out).latestResponses()).values()];
      expect(records.length).toBeGreaterThan(0);
      for (const record of records) expect(record).toMatchObject({ text: null, error });
    });
  }

  it('answers through a slow-stream fault, which only slows a direct stream', async () => {
    server = await startSimServer({ personas: [echoPersona], faults: FaultSpec.parse({ slowStream: { rate: 1, chunkDelayMs: 1 } }) });
    const out = join(tempDir(), 'run');
    expect((await runBatchEval({ bank, config: config(server.baseURL), out, cacheDir: false, pollMs: 20 })).status).toBe('complete');
    const records = [...(await new RunFolder(out).latestResponses()).values()];
    expect(records.every((r) => r.error === null && r.text?.startsWith('echo: '))).toBe(true);
  });
});

describe('caps run --batch against an endpoint whose Batch API fails', () => {
  let vendor: Server | undefined;
  afterEach(() => new Promise<void>((done) => (vendor ? vendor.close(() => done()) : done())));

  /** An endpoint that answers every request with this status (and a Retry-After of 1 ms, so that the client's retries are quick). */
  async function failingVendor(status: number): Promise<string> {
    vendor = createServer((req, res) => {
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json', 'retry-after-ms': '1' });
      res.end(JSON.stringify({ error: { message: `no ${req.url} here` } }));
    });
    await new Promise<void>((done) => vendor!.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(vendor.address() as AddressInfo).port}/v1`;
  }

  const cases: [number, RegExp, 1 | 2][] = [
    [404, /does not offer the OpenAI Batch API .* run without --batch/, 1],
    [401, /Check the endpoint's key/, 1],
    [400, /The vendor refused the request/, 1],
    [503, /run the same command again later/, 2],
  ];
  for (const [status, advice, exitCode] of cases) {
    it(`stops on ${status} with one line naming the endpoint, the call and what to do, and leaves the run resumable`, async () => {
      const out = join(tempDir(), 'run');
      const failed = runBatchEval({ bank, config: config(await failingVendor(status)), out, cacheDir: false, pollMs: 20 });
      await expect(failed).rejects.toThrow(UserError);
      const error = (await failed.catch((e: unknown) => e)) as UserError;
      expect(error.message).toMatch(new RegExp(`^e: the Batch API failed to upload the requests \\(POST /files\\): ${status} no /v1/files here\\. `));
      expect(error.message).toMatch(advice);
      expect(error.exitCode).toBe(exitCode);
      expect(new RunFolder(out).readManifest()).toMatchObject({ status: 'incomplete', counts: { done: 0 } });
    });
  }
});

describe('batch result lines', () => {
  it('are classified as direct replies would be', () => {
    const line = (response: unknown, error: unknown = null) => JSON.stringify({ id: 'r', custom_id: 'k', response, error });
    expect(outcomeOf(line({ status_code: 200, body: { choices: [{ message: { content: 'hi' }, finish_reason: 'stop' }], model: 'm' } }))).toMatchObject({ customId: 'k', ok: true, answer: { text: 'hi', servedModel: 'm' } });
    expect(outcomeOf(line({ status_code: 200, body: { choices: [{ message: { content: '' }, finish_reason: 'content_filter' }] } }))).toMatchObject({ ok: false, error: { kind: 'content_filter' } });
    expect(outcomeOf(line({ status_code: 429, body: { error: { message: 'slow down' } } }))).toMatchObject({ ok: false, error: { kind: 'rate_limit', status: 429 } });
    expect(outcomeOf(line({ status_code: 400, body: { error: { message: 'bad' } } }))).toMatchObject({ ok: false, error: { kind: 'client', status: 400 } });
    expect(outcomeOf(line(null, { code: 'batch_expired', message: 'expired' }))).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(outcomeOf('{not json')).toMatchObject({ ok: false, error: { kind: 'malformed' } });
  });
});
