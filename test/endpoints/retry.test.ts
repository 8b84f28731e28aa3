import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { backoffDelay, parseRetryAfter, withRetries, type RetryClock } from '../../src/endpoints/retry.js';
import { RpmLimiter } from '../../src/endpoints/rate-limit.js';
import { createEndpointClient } from '../../src/endpoints/client.js';
import { endpoint } from './helpers.js';

const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null });

describe('retry policy', () => {
  const policy = { retries: 4, baseMs: 100, maxDelayMs: 1000, maxTotalMs: 5000 };

  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffDelay(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999);
    expect(backoffDelay(2, policy, () => 0)).toBe(0);
    expect(backoffDelay(1, policy, () => 0.5, 700)).toBe(700);
    expect(backoffDelay(1, policy, () => 0.5, 7000)).toBe(1000);
  });

  it('reads Retry-After as seconds, an HTTP date, or retry-after-ms', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(parseRetryAfter(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5000);
    expect(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('stops at the attempt cap and at the time cap, and not for permanent errors', async () => {
    let now = 0;
    const slept: number[] = [];
    const clock: RetryClock = { now: () => now, random: () => 0.999, sleep: async (ms) => void (slept.push(ms), (now += ms)) };
    const failing = async () => ({ ok: false as const, error: { kind: 'server' as const, message: 'down' }, retryable: true });
    expect((await withRetries(failing, policy, clock)).attempts).toBe(5);
    expect(slept).toEqual([99, 199, 399, 799]);
    now = 0;
    const slow = async () => ({ ok: false as const, error: { kind: 'rate_limit' as const, message: 'wait' }, retryable: true, retryAfterMs: 1000 });
    expect((await withRetries(slow, { ...policy, retries: 50, maxTotalMs: 3500 }, clock)).attempts).toBe(4);
    const permanent = async () => ({ ok: false as const, error: { kind: 'client' as const, message: 'bad' }, retryable: false });
    expect((await withRetries(permanent, policy, clock)).attempts).toBe(1);
  });
});

describe('requests-per-minute limiter', () => {
  it('spaces request starts evenly', () => {
    let now = 1000;
    const limiter = new RpmLimiter(120, () => now);
    expect([limiter.reserve(), limiter.reserve(), limiter.reserve()]).toEqual([0, 500, 1000]);
    now += 5000;
    expect(limiter.reserve()).toBe(0);
  });
});

describe('roughly compatible vendors', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('accepts an answer without usage or model, with reasoning in a `reasoning` field', async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: '先新辅助治疗。', reasoning: 'N2 disease' }, finish_reason: 'length' }] }));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const result = await createEndpointClient(endpoint(baseURL)).chat({ messages: [{ role: 'user', content: 'IIIA?' }] });
    expect(result).toMatchObject({ text: '先新辅助治疗。', reasoning: 'N2 disease', finishReason: 'length', error: null });
    // No usage from the server: counted from the text and marked as estimated.
    expect(result.usage).toMatchObject({ estimated: true, completion_tokens: 5 });
    expect(result.servedModel).toBeUndefined();
  });
});
