import { afterEach, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';

let server: SimServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function ask(baseURL: string, content: string): Promise<string> {
  const response = await fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'echo', messages: [{ role: 'user', content }] }),
  });
  const completion = (await response.json()) as { choices: { message: { content: string } }[] };
  return completion.choices[0].message.content;
}

describe('simulated endpoint request log', () => {
  const personas = [{ name: 'echo', reply: (request: { messages: { content: string }[] }) => ({ content: `echo: ${request.messages.at(-1)!.content}` }) }];

  it('logs every request by default', async () => {
    server = await startSimServer({ personas });
    await ask(server.baseURL, 'a');
    await ask(server.baseURL, 'b');
    expect(server.requests()).toBe(2);
    expect(server.log().map((e) => e.model)).toEqual(['echo', 'echo']);
    expect(new Set(server.log().map((e) => e.hash)).size).toBe(2);
  });

  it('with keepLog false, still answers and counts requests but keeps no entries', async () => {
    server = await startSimServer({ personas, keepLog: false });
    expect(await ask(server.baseURL, 'a')).toBe('echo: a');
    await ask(server.baseURL, 'b');
    expect(server.requests()).toBe(2);
    expect(server.log()).toEqual([]);
  });

  it('logs when each request arrived and when its response left, the latency apart, the answer made while it waited', async () => {
    const asked: number[] = [];
    const slow = [{ name: 'echo', reply: (request: { messages: { content: string }[] }) => (asked.push(performance.timeOrigin + performance.now()), { content: request.messages.at(-1)!.content }) }];
    server = await startSimServer({ personas: slow, faults: { latency: { minMs: 40, maxMs: 40 } } });
    expect(await ask(server.baseURL, 'a')).toBe('a');
    const [entry] = server.log();
    expect(entry.sentAt).toBeDefined();
    // Timers count whole milliseconds from the loop's clock: a response may leave at most 1 ms before its latency is up.
    expect(entry.sentAt! - entry.receivedAt).toBeGreaterThanOrEqual(39);
    expect(asked[0]).toBeLessThan(entry.sentAt!);
  });
});
