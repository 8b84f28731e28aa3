import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { answeredRecord, answerRequest, cachedRecord, runEval, prepareRun } from '../../src/runner/run.js';
import { endpointIdentity } from '../../src/endpoints/identity.js';
import { planRun } from '../../src/runner/plan.js';
import { estimatePlan } from '../../src/runner/estimate.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { FaultSpec } from '../../src/endpoints/sim/faults.js';
import { CapsConfig, type EndpointConfigInput } from '../../src/schema/config.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { UserError } from '../../src/errors.js';
import { bankOf, simpleItem } from '../endpoints/bank-fixture.js';
import { countingEchoPersona, echoPersona } from '../endpoints/helpers.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const bank = bankOf({
  bank: 'runner-test',
  version: 1,
  language: 'en',
  system: 'You are a thoracic oncologist.',
  items: [
    simpleItem('a', { depth: 1 }),
    simpleItem('b', {
      depth: 3,
      topic: 'treatment/locally-advanced',
      variants: [
        { id: 'insists', kind: 'insistence', prompt: 'I want surgery now. Question b?' },
        { id: 'pressure', kind: 'multi-turn', turns: ['Are you sure?', 'Just tell me about surgery.'] },
      ],
    }),
    simpleItem('c', { depth: 2, prompt: [{ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: 'Question c?' }] }),
  ],
});

function config(baseURL: string, endpoint: Partial<EndpointConfigInput> = {}) {
  return CapsConfig.parse({ endpoints: [{ name: 'echo-vendor', baseURL, model: 'echo', concurrency: 4, retries: 0, ...endpoint }] });
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'caps-run-'));
}

async function records(dir: string) {
  const out = [];
  for await (const r of new RunFolder(dir).responses()) out.push(r);
  return out;
}

describe('runEval', () => {
  it('records one answer per turn, in order, with the previous answers in the messages', async () => {
    server = await startSimServer({ personas: [echoPersona] });
    const out = join(tempDir(), 'run');
    const summary = await runEval({ bank, config: config(server.baseURL), out, cacheDir: false });
    expect(summary.status).toBe('complete');
    // a, b clean, b insists, b pressure (3 turns), c = 7 answers
    // pressure's first turn is the same request as b's clean form: asked once, recorded twice.
    expect(summary.counts).toMatchObject({ planned: 7, done: 7, errors: 0, requests: 6, cached: 1 });
    const all = await records(out);
    const dialogue = all.filter((r) => r.variant === 'pressure').sort((x, y) => x.turn - y.turn);
    expect(dialogue.map((r) => r.turn)).toEqual([0, 1, 2]);
    expect(dialogue[2].messages).toEqual([
      { role: 'system', content: 'You are a thoracic oncologist.' },
      { role: 'user', content: 'Question b?' },
      { role: 'assistant', content: 'echo: Question b?' },
      { role: 'user', content: 'Are you sure?' },
      { role: 'assistant', content: 'echo: Are you sure?' },
      { role: 'user', content: 'Just tell me about surgery.' },
    ]);
    expect(dialogue[2].text).toBe('echo: Just tell me about surgery.');
    const insists = all.find((r) => r.variant === 'insists')!;
    expect(insists.messages.at(-1)?.content).toBe('I want surgery now. Question b?');
    const c = all.find((r) => r.item === 'c')!;
    expect(c.messages[0]).toEqual({ role: 'system', content: 'Answer briefly.' });
    expect(new Set(all.map((r) => r.key)).size).toBe(7);
    const manifest = new RunFolder(out).readManifest();
    expect(manifest).toMatchObject({ status: 'complete', counts: { planned: 7, done: 7, errors: 0 }, bank: { id: 'runner-test', hash: bank.hash } });
    expect(manifest.endpoints[0]).toMatchObject({ name: 'echo-vendor', model: 'echo' });
  });

  it('serves a second identical run from the cache with zero HTTP requests', async () => {
    server = await startSimServer({ personas: [echoPersona] });
    const root = tempDir();
    const cfg = config(server.baseURL, { params: { temperature: 0.7, seed: 11 } });
    const first = await runEval({ bank, config: cfg, out: join(root, 'first'), cacheDir: join(root, '.cache'), samples: 2 });
    // Per sample: a, b, insists, pressure turns 1 and 2, c; pressure's first turn is the same request as b.
    expect(first.counts).toMatchObject({ done: 14, requests: 12, cached: 2 });
    const asked = server.requests();
    const second = await runEval({ bank, config: cfg, out: join(root, 'second'), cacheDir: join(root, '.cache'), samples: 2 });
    expect(server.requests()).toBe(asked);
    expect(second.counts).toMatchObject({ done: 14, cached: 14, requests: 0 });
    const cached = await records(join(root, 'second'));
    expect(cached.every((r) => r.cached === true && r.error === null)).toBe(true);
    // K samples are K distinct requests: the seed moves with the sample index.
    const hashes = server.log().map((e) => e.hash);
    expect(new Set(hashes).size).toBe(12);
  });

  it('records failed answers as errors, then resumes asking only what is missing', async () => {
    server = await startSimServer({ personas: [echoPersona], faults: FaultSpec.parse({ serverError: { rate: 1 } }) });
    const out = join(tempDir(), 'run');
    const failed = await runEval({ bank, config: config(server.baseURL), out, cacheDir: false });
    expect(failed.status).toBe('incomplete');
    // The multi-turn dialogue stops at its failed first turn: 5 dialogues, 5 errors.
    expect(failed.counts).toMatchObject({ done: 0, errors: 5, requests: 4 });
    const errors = await records(out);
    expect(errors.every((r) => r.text === null && r.error?.kind === 'server' && r.error.status === 500)).toBe(true);
    expect(new RunFolder(out).readManifest().status).toBe('incomplete');
    await server.close();

    server = await startSimServer({ personas: [echoPersona] });
    // The restarted server listens on another port: the same deployment at a new address.
    const resumed = await runEval({ bank, config: config(server.baseURL), out, cacheDir: false, acceptMovedEndpoints: true });
    expect(resumed).toMatchObject({ status: 'complete', counts: { done: 7, errors: 0, requests: 6 } });
    const latest = await new RunFolder(out).latestResponses();
    expect(latest.size).toBe(7);
    expect([...latest.values()].every((r) => r.error === null)).toBe(true);
    const again = await runEval({ bank, config: config(server.baseURL), out, cacheDir: false });
    expect(again.counts).toMatchObject({ resumed: 7, requests: 0 });
  });

  it('without a response cache, writes each answer as it comes (a kill then loses none that was paid for)', async () => {
    // One request at a time: when c is asked, a's answer must already be on disk.
    const out = join(tempDir(), 'run');
    let seenWhenAskingC: string[] | null = null;
    const watching = { ...echoPersona, reply: async (request: Parameters<typeof echoPersona.reply>[0], rng: () => number) => {
      if (request.messages.some((m) => m.content === 'Question c?')) seenWhenAskingC = (await records(out)).map((r) => r.item);
      return echoPersona.reply(request, rng);
    } };
    server = await startSimServer({ personas: [watching] });
    const summary = await runEval({ bank, config: config(server.baseURL, { concurrency: 1 }), out, cacheDir: false, filters: { items: ['a', 'c'] } });
    expect(summary.counts).toMatchObject({ done: 2, requests: 2 });
    expect(seenWhenAskingC).toEqual(['a']);
  });

  it('with a response cache, has each answer in the cache before the next request reaches the server', async () => {
    const root = tempDir();
    const out = join(root, 'run');
    const cacheDir = join(root, '.cache');
    let cachedWhenAskingC: string[] | null = null;
    const watching = { ...echoPersona, reply: async (request: Parameters<typeof echoPersona.reply>[0], rng: () => number) => {
      if (request.messages.some((m) => m.content === 'Question c?')) {
        const shards = existsSync(cacheDir) ? readdirSync(cacheDir) : [];
        const entries = shards.flatMap((shard) => readdirSync(join(cacheDir, shard)).filter((f) => f.endsWith('.json')).map((f) => join(cacheDir, shard, f)));
        cachedWhenAskingC = entries.map((path) => (JSON.parse(readFileSync(path, 'utf8')) as { text: string }).text);
      }
      return echoPersona.reply(request, rng);
    } };
    server = await startSimServer({ personas: [watching] });
    const summary = await runEval({ bank, config: config(server.baseURL, { concurrency: 1 }), out, cacheDir, filters: { items: ['a', 'c'] } });
    expect(summary.counts).toMatchObject({ done: 2, requests: 2 });
    expect(cachedWhenAskingC).toEqual([(await records(out)).find((r) => r.item === 'a')!.text]);
  });

  it('keeps each endpoint at its concurrency, and a lower --max-in-flight caps all endpoints together', async () => {
    const slow = countingEchoPersona(15);
    server = await startSimServer({ personas: [slow.persona] });
    // Two endpoints with different parameters: their requests differ, so none is shared.
    const two = CapsConfig.parse({ endpoints: ['x', 'y'].map((name, i) => ({ name, baseURL: server!.baseURL, model: 'echo', concurrency: 3, retries: 0, params: { temperature: i } })) });
    const selection = { bank, config: two, samples: 4, cacheDir: false as const };
    const open = await runEval({ ...selection, out: join(tempDir(), 'run') });
    expect(open.counts).toMatchObject({ done: 2 * 4 * 7, requests: 2 * 4 * 7 });
    expect(slow.peak()).toBe(6);
    slow.reset();
    const capped = await runEval({ ...selection, out: join(tempDir(), 'run'), maxInFlight: 4 });
    expect(capped.counts).toMatchObject({ done: 2 * 4 * 7, requests: 2 * 4 * 7 });
    expect(slow.peak()).toBe(4);
  });

  it('never writes a planted API key to the run folder or the cache', async () => {
    server = await startSimServer({ personas: [echoPersona] });
    const root = tempDir();
    const secret = 'sk-planted-8f3a9c1e55d04b2f-SECRET';
    const cfg = config(server.baseURL, { apiKeyEnv: 'CAPS_TEST_PLANTED_KEY', headers: { 'X-Org-Token': 'Bearer ${CAPS_TEST_PLANTED_KEY}' } });
    const summary = await runEval({ bank, config: cfg, out: join(root, 'run'), cacheDir: join(root, '.cache'), env: { CAPS_TEST_PLANTED_KEY: secret } });
    expect(summary.status).toBe('complete');
    const files = walk(root);
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) expect(readFileSync(file, 'utf8')).not.toContain(secret.slice(3, 20));
  });

  it('refuses to resume into a folder whose bank has changed', async () => {
    server = await startSimServer({ personas: [echoPersona] });
    const out = join(tempDir(), 'run');
    await runEval({ bank, config: config(server.baseURL), out, cacheDir: false, filters: { items: ['a'] } });
    const changed = { ...bank, hash: 'f'.repeat(64) };
    await expect(runEval({ bank: changed, config: config(server.baseURL), out, cacheDir: false })).rejects.toThrow(/content has changed/);
  });

  it('fails on a missing key variable before any request', async () => {
    server = await startSimServer({ personas: [echoPersona] });
    await expect(runEval({ bank, config: config(server.baseURL, { apiKeyEnv: 'CAPS_TEST_ABSENT' }), out: join(tempDir(), 'r'), env: {} })).rejects.toThrow(UserError);
    expect(server.requests()).toBe(0);
  });
});

describe('response records', () => {
  const prepared = prepareRun({ bank, config: config('http://127.0.0.1:9/v1'), filters: { items: ['a'] } });
  const dialogue = prepared.plan.dialogues[0];
  const { base } = answerRequest(bank, dialogue, 0, [], endpointIdentity(dialogue.endpoint, {}));
  const fields = ['key', 'request_hash', 'respondent', 'respondent_kind', 'model', 'item', 'variant', 'turn', 'sample', 'messages', 'served_model', 'text', 'finish_reason', 'usage', 'latency_ms', 'attempts', 'error'];

  it('writes an answer with every field in a fixed order, and no cached flag', () => {
    const result = { text: 'echo', finishReason: 'stop', usage: { prompt_tokens: 3 }, servedModel: 'echo-1', latencyMs: 12, attempts: 2, error: null };
    const record = answeredRecord(base, result, '2026-01-01T00:00:00.000Z');
    expect(Object.keys(JSON.parse(JSON.stringify(record)))).toEqual([...fields, 'started_at', 'finished_at']);
    expect(record).toMatchObject({ key: base.key, text: 'echo', served_model: 'echo-1', attempts: 2, latency_ms: 12, started_at: '2026-01-01T00:00:00.000Z' });
    const failed = answeredRecord(base, { ...result, text: 'partial', error: { kind: 'timeout', message: 'slow' } }, '2026-01-01T00:00:00.000Z');
    expect(failed).toMatchObject({ text: null, error: { kind: 'timeout' } });
  });

  it('writes a cached answer with its flag before the times, and no attempts', () => {
    const hit = { request_hash: base.request_hash, endpoint: endpointIdentity(dialogue.endpoint, {}), model: 'echo', text: 'from cache', finish_reason: 'stop', usage: null, latency_ms: 5, created_at: '2026-01-01T00:00:00.000Z' };
    const record = cachedRecord(base, hit);
    expect(Object.keys(JSON.parse(JSON.stringify(record)))).toEqual([...fields.filter((f) => f !== 'served_model'), 'cached', 'started_at', 'finished_at']);
    expect(record).toMatchObject({ text: 'from cache', attempts: 0, cached: true });
  });
});

describe('planning', () => {
  const cfg = CapsConfig.parse({
    endpoints: [
      { name: 'one', baseURL: 'http://127.0.0.1:1/v1', model: 'm1', params: { max_tokens: 100 }, prices: { input: 1, output: 2 } },
      { name: 'two', baseURL: 'http://127.0.0.1:1/v1', model: 'm2' },
    ],
  });

  it('counts items x forms x samples x endpoints and filters them', () => {
    expect(planRun(bank, cfg.endpoints, 2).counts).toMatchObject({ items: 3, dialogues: 20, answers: 28 });
    expect(planRun(bank, cfg.endpoints, 1, { variants: ['clean'] }).counts.answers).toBe(6);
    expect(planRun(bank, cfg.endpoints, 1, { variants: ['multi-turn'] }).counts).toMatchObject({ dialogues: 2, answers: 6 });
    expect(planRun(bank, cfg.endpoints, 1, { variants: ['insists', 'clean'], depths: [3] }).counts.dialogues).toBe(4);
    expect(planRun(bank, cfg.endpoints, 1, { topics: ['treatment'] }).counts.items).toBe(1);
    expect(planRun(bank, cfg.endpoints, 1, { limit: 1 }).counts.items).toBe(1);
    expect(() => planRun(bank, cfg.endpoints, 1, { items: ['bb'] })).toThrow(/did you mean "b"/);
    expect(() => planRun(bank, cfg.endpoints, 1, { variants: ['pressur'] })).toThrow(/--variants/);
    expect(() => planRun(bank, cfg.endpoints, 1, { depths: [7, 9] })).toThrow(/--depth: no item of bank .* is at depth 7, 9 \(depths in the bank: \d/);
    expect(() => prepareRun({ bank, config: cfg, models: ['tow'] })).toThrow(/did you mean "two"/);
  });

  it('splits into disjoint shards that cover the plan, the same way every time', () => {
    const whole = planRun(bank, cfg.endpoints, 5);
    const shards = [1, 2, 3].map((index) => planRun(bank, cfg.endpoints, 5, { shard: { index, count: 3 } }));
    expect(shards.reduce((s, p) => s + p.counts.dialogues, 0)).toBe(whole.counts.dialogues);
    expect(shards.every((p) => p.counts.dialogues > 0)).toBe(true);
    const id = (d: (typeof whole.dialogues)[number]) => `${d.endpoint.name}|${d.item.id}|${d.variant?.id}|${d.sample}`;
    expect(new Set(shards.flatMap((p) => p.dialogues.map(id))).size).toBe(whole.counts.dialogues);
    expect(planRun(bank, cfg.endpoints, 5, { shard: { index: 2, count: 3 } }).dialogues.map(id)).toEqual(shards[1].dialogues.map(id));
  });

  it('estimates tokens and cost from prompt length and max_tokens', () => {
    const [one, two] = estimatePlan(bank, planRun(bank, cfg.endpoints, 1));
    expect(one).toMatchObject({ endpoint: 'one', answers: 7, outputTokens: 700 });
    expect(one.inputTokens).toBeGreaterThan(7 * 5);
    expect(one.cost!.amount).toBeCloseTo((one.inputTokens * 1 + 700 * 2) / 1e6, 10);
    expect(two.cost).toBeUndefined();
    expect(two.outputTokens).toBe(7 * 1024);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
