import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEndpointClient } from '../../src/endpoints/client.js';
import { parseFaultSpec, type FaultSpecInput } from '../../src/endpoints/sim/faults.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { FaultSpec } from '../../src/endpoints/sim/faults.js';
import { UserError } from '../../src/errors.js';
import { waitingOn } from '../../src/endpoints/abort-waiters.js';
import { countingEchoPersona, echoPersona, endpoint, stallingEventStream } from './helpers.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(faults: FaultSpecInput = {}, seed = 7): Promise<SimServer> {
  server = await startSimServer({ personas: [echoPersona], faults: FaultSpec.parse(faults), seed });
  return server;
}

const ask = (n: number) => ({ messages: [{ role: 'user' as const, content: `question ${n}` }] });

describe('endpoint client against the simulated endpoint', () => {
  it('records text, finish reason, usage, served model and one attempt', async () => {
    const sim = await start();
    const client = createEndpointClient(endpoint(sim.baseURL));
    const result = await client.chat(ask(1));
    expect(result).toMatchObject({ text: 'echo: question 1', finishReason: 'stop', servedModel: 'echo', attempts: 1, error: null });
    expect(result.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it('never has more than concurrency requests at the server, however many calls wait', async () => {
    // Each request is held until three are in hand (or a second passes, however loaded the
    // machine): a client that sent a fourth, or kept fewer than three going, shows in the peak.
    let inFlight = 0;
    let peak = 0;
    const waiting = new Set<() => void>();
    const gated = { ...echoPersona, reply: async (request: Parameters<typeof echoPersona.reply>[0], rng: () => number) => {
      peak = Math.max(peak, ++inFlight);
      if (inFlight >= 3) for (const release of waiting) release();
      else await new Promise<void>((resolve) => {
        const release = () => (waiting.delete(release), clearTimeout(timer), resolve());
        const timer = setTimeout(release, 1000);
        waiting.add(release);
      });
      inFlight--;
      return echoPersona.reply(request, rng);
    } };
    server = await startSimServer({ personas: [gated] });
    const client = createEndpointClient(endpoint(server.baseURL, { concurrency: 3 }));
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => client.chat(ask(i))));
    expect(results.map((r) => r.text)).toEqual(Array.from({ length: 12 }, (_, i) => `echo: question ${i}`));
    expect(peak).toBe(3);
  });

  it('reads streamed answers with reasoning_content and usage', async () => {
    const reasoner = { name: 'reasoner', reply: () => ({ content: '先新辅助治疗，再评估手术。'.repeat(5), reasoning: 'IIIA 期 N2，不宜直接手术。' }) };
    server = await startSimServer({ personas: [reasoner] });
    const client = createEndpointClient(endpoint(server.baseURL, { model: 'reasoner', stream: true }));
    const result = await client.chat(ask(1));
    expect(result.text).toBe('先新辅助治疗，再评估手术。'.repeat(5));
    expect(result.reasoning).toBe('IIIA 期 N2，不宜直接手术。');
    expect(result.usage?.completion_tokens).toBeGreaterThan(0);
    expect(server.log()[0].stream).toBe(true);
  });

  const recoverable: [string, FaultSpecInput][] = [
    ['429', { rateLimit: { rate: 0.5, retryAfterSeconds: 0 } }],
    ['500', { serverError: { rate: 0.5 } }],
    ['reset', { reset: { rate: 0.5 } }],
    ['malformed', { malformed: { rate: 0.5 } }],
    ['truncated', { truncated: { rate: 0.5 } }],
    ['empty', { empty: { rate: 0.5 } }],
    ['slow-stream', { slowStream: { rate: 0.5, chunkDelayMs: 5 } }],
  ];
  for (const stream of [false, true]) {
    for (const [name, faults] of recoverable) {
      it(`recovers from ${name} faults by retrying (${stream ? 'streamed' : 'plain'})`, async () => {
        const sim = await start(faults);
        const client = createEndpointClient(endpoint(sim.baseURL, { retries: 12, stream }), { backoffBaseMs: 1 });
        const results = await Promise.all(Array.from({ length: 12 }, (_, i) => client.chat(ask(i))));
        results.forEach((r, i) => expect(r).toMatchObject({ text: `echo: question ${i}`, error: null }));
        const faulted = sim.log().filter((e) => e.fault !== null).length;
        expect(faulted).toBeGreaterThan(0);
        if (name !== 'slow-stream') expect(results.reduce((s, r) => s + r.attempts - 1, 0)).toBe(faulted);
        expect(sim.requests()).toBe(results.reduce((s, r) => s + r.attempts, 0));
      });
    }
  }

  const permanent: [string, FaultSpecInput, string][] = [
    ['429', { rateLimit: { rate: 1 } }, 'rate_limit'],
    ['500', { serverError: { rate: 1 } }, 'server'],
    ['reset', { reset: { rate: 1 } }, 'connection'],
    ['malformed', { malformed: { rate: 1 } }, 'malformed'],
    ['truncated', { truncated: { rate: 1 } }, 'connection'],
    ['empty', { empty: { rate: 1 } }, 'empty'],
  ];
  for (const [name, faults, kind] of permanent) {
    it(`records a ${name} fault that outlasts the retries as a ${kind} error, never as an answer`, async () => {
      const sim = await start(faults);
      const client = createEndpointClient(endpoint(sim.baseURL, { retries: 2 }), { backoffBaseMs: 1 });
      const result = await client.chat(ask(1));
      expect(result.text).toBeNull();
      expect(result.error?.kind).toBe(kind);
      expect(result.attempts).toBe(3);
      expect(sim.requests()).toBe(3);
    });
  }

  it('records a slow stream that outlasts the timeout as a timeout error', async () => {
    const sim = await start({ slowStream: { rate: 1, chunkDelayMs: 400 } });
    const client = createEndpointClient(endpoint(sim.baseURL, { retries: 1, timeout_ms: 150 }), { backoffBaseMs: 1 });
    const result = await client.chat(ask(1));
    expect(result.error?.kind).toBe('timeout');
    expect(result.attempts).toBe(2);
  });

  for (const stream of [false, true]) {
    it(`records an answer that outlasts the timeout as a timeout error (${stream ? 'streamed' : 'plain'})`, async () => {
      server = await startSimServer({ personas: [countingEchoPersona(1_000).persona], faults: {} });
      const client = createEndpointClient(endpoint(server.baseURL, { retries: 1, timeout_ms: 100, stream }), { backoffBaseMs: 1 });
      const result = await client.chat(ask(1));
      expect(result).toMatchObject({ text: null, attempts: 2 });
      expect(result.error?.kind).toBe('timeout');
    });

    it(`abandons requests in flight when the caller's stop signal aborts, with no listener left per request (${stream ? 'streamed' : 'plain'})`, async () => {
      const slow = countingEchoPersona(1_000);
      server = await startSimServer({ personas: [slow.persona], faults: {} });
      const client = createEndpointClient(endpoint(server.baseURL, { stream, concurrency: 8 }));
      const stop = new AbortController();
      const pending = Promise.all(Array.from({ length: 8 }, (_, i) => client.chat({ ...ask(i), signal: stop.signal })));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(waitingOn(stop.signal)).toBe(8);
      stop.abort();
      const results = await pending;
      for (const r of results) expect(r).toMatchObject({ text: null, attempts: 1, error: { kind: 'aborted' } });
      expect(waitingOn(stop.signal)).toBe(0);
    });
  }

  it('leaves nothing waiting on the stop signal once its requests are answered', async () => {
    const sim = await start();
    const client = createEndpointClient(endpoint(sim.baseURL, { concurrency: 4 }));
    const stop = new AbortController();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.chat({ ...ask(i), signal: stop.signal })));
    results.forEach((r, i) => expect(r.text).toBe(`echo: question ${i}`));
    expect(waitingOn(stop.signal)).toBe(0);
  });

  it('does not retry a content filter or a client error', async () => {
    const filtered = { name: 'filtered', reply: () => ({ content: null, finish_reason: 'content_filter' }) };
    server = await startSimServer({ personas: [filtered] });
    const filteredResult = await createEndpointClient(endpoint(server.baseURL, { model: 'filtered' })).chat(ask(1));
    expect(filteredResult.error?.kind).toBe('content_filter');
    expect(filteredResult.attempts).toBe(1);
    const missing = await createEndpointClient(endpoint(server.baseURL, { model: 'no-such-model' })).chat(ask(1));
    expect(missing.error).toMatchObject({ kind: 'client', status: 404 });
    expect(missing.attempts).toBe(1);
  });

  it('honours Retry-After: the retry of a 429 comes no sooner than the server asked', async () => {
    const sim = await start({ rateLimit: { rate: 0.5, retryAfterSeconds: 1 } }, 3);
    const client = createEndpointClient(endpoint(sim.baseURL, { retries: 8 }), { backoffBaseMs: 1 });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => client.chat(ask(i))));
    expect(results.every((r) => r.error === null)).toBe(true);
    const log = sim.log();
    const limited = log.filter((e) => e.fault === 'rateLimit');
    expect(limited.length).toBeGreaterThan(0);
    for (const entry of limited) {
      const next = log.find((e) => e.hash === entry.hash && e.at > entry.at);
      expect(next, 'every rate-limited request is asked again').toBeDefined();
      expect(next!.at - entry.at).toBeGreaterThanOrEqual(1000 - 5);
    }
    expect(results.reduce((s, r) => s + r.attempts, 0)).toBe(log.length);
  });

  it('fails before any request when the key variable is missing', async () => {
    const sim = await start();
    expect(() => createEndpointClient(endpoint(sim.baseURL, { apiKeyEnv: 'CAPS_TEST_MISSING_KEY' }), { env: {} })).toThrow(UserError);
    expect(() => createEndpointClient(endpoint(sim.baseURL, { apiKeyEnv: 'CAPS_TEST_MISSING_KEY' }), { env: {} })).toThrow(/CAPS_TEST_MISSING_KEY/);
    expect(sim.requests()).toBe(0);
  });
});

describe('fault spec', () => {
  it('parses every fault kind with options', () => {
    expect(parseFaultSpec('latency=20-80ms,429=0.05:retry-after=1,500=0.02,reset=0.01,malformed=0.01,truncated=0.01,empty=0.01,slow-stream=0.02:chunk-delay=200ms')).toEqual({
      latency: { minMs: 20, maxMs: 80 },
      rateLimit: { rate: 0.05, retryAfterSeconds: 1 },
      serverError: { rate: 0.02 },
      reset: { rate: 0.01 },
      malformed: { rate: 0.01 },
      truncated: { rate: 0.01 },
      empty: { rate: 0.01 },
      slowStream: { rate: 0.02, chunkDelayMs: 200 },
    });
    expect(parseFaultSpec('latency=50ms')).toEqual({ latency: { minMs: 50, maxMs: 50 } });
  });

  it('rejects a bad spec with a clear message', () => {
    expect(() => parseFaultSpec('429=2')).toThrow(/between 0 and 1/);
    expect(() => parseFaultSpec('boom=0.1')).toThrow(/unknown fault "boom"/);
    expect(() => parseFaultSpec('latency=fast')).toThrow(/not a duration/);
    expect(() => parseFaultSpec('500=0.1:retry-after=1')).toThrow(/unknown option/);
  });
});

describe('endpoint client against a server that answers a plain request with an event stream and then stalls', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  async function stallingServer(): Promise<{ url: string; closedStreams: () => number }> {
    let closedStreams = 0;
    const handler = stallingEventStream(() => closedStreams++);
    const server = createServer((req, res) => req.resume().on('end', () => handler(req, res)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => (server.closeAllConnections(), server.close()));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, closedStreams: () => closedStreams };
  }

  /** Fails at once when `promise` is still pending after `ms`, instead of waiting for the test's own timeout. */
  const within = <T>(ms: number, promise: Promise<T>): Promise<T> =>
    Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms))]);

  for (const path of ['sse', 'redirect']) {
    it(`records a timeout on time, with and without a stop signal (${path})`, async () => {
      const { url } = await stallingServer();
      const client = createEndpointClient(endpoint(`${url}/${path}/v1`, { retries: 0, timeout_ms: 300 }));
      for (const signal of [undefined, new AbortController().signal]) {
        const started = Date.now();
        const result = await within(3_000, client.chat({ ...ask(1), signal }));
        expect(result).toMatchObject({ text: null, attempts: 1, error: { kind: 'timeout' } });
        expect(Date.now() - started).toBeLessThan(2_000);
        if (signal) expect(waitingOn(signal)).toBe(0);
      }
    });

    it(`ends it when the stop signal aborts and closes the socket (${path})`, async () => {
      const { url, closedStreams } = await stallingServer();
      const client = createEndpointClient(endpoint(`${url}/${path}/v1`, { retries: 0, timeout_ms: 60_000 }));
      const stop = new AbortController();
      const pending = client.chat({ ...ask(1), signal: stop.signal });
      await new Promise((resolve) => setTimeout(resolve, 200));
      stop.abort();
      expect(await within(2_000, pending)).toMatchObject({ text: null, error: { kind: 'aborted' } });
      expect(waitingOn(stop.signal)).toBe(0);
      for (let waited = 0; closedStreams() === 0 && waited < 2_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(closedStreams()).toBe(1);
    });
  }
});
