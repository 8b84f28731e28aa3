import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJudgePersona } from '../../src/endpoints/sim/judge-persona.js';
import { judgeAnswer } from '../../src/scorer/judge/judge.js';
import { loadJudgeTemplate } from '../../src/scorer/judge/template.js';
import { GOOD_ANSWER, item, simClient } from './fixtures.js';

/** A server without structured outputs: 400 on response_format, plain JSON answers otherwise (wrapped in prose). */
let server: Server;
let baseURL: string;
const seen: { structured: boolean }[] = [];

beforeAll(async () => {
  const persona = createJudgePersona({ items: [item] });
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      const request = JSON.parse(body);
      seen.push({ structured: request.response_format !== undefined });
      res.setHeader('content-type', 'application/json');
      if (request.response_format) {
        res.statusCode = 400;
        res.end(JSON.stringify({ error: { message: "Unknown parameter: 'response_format'", type: 'invalid_request_error' } }));
        return;
      }
      const reply = await persona.reply(request, Math.random);
      const content = `Here is my grading:\n\`\`\`json\n${reply.content}\n\`\`\``;
      res.end(JSON.stringify({ id: 'x', object: 'chat.completion', created: 0, model: request.model, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('judge on a server without structured outputs', () => {
  it('falls back to plain JSON once, then asks that endpoint without response_format', async () => {
    const client = simClient(baseURL, 'legacy-judge');
    const entries = item.rubric.points.map((p) => ({ id: p.id, kind: 'point' as const, text: p.text }));
    const input = { client, template: loadJudgeTemplate(), question: [{ role: 'user' as const, content: 'q' }], answer: GOOD_ANSWER, entries };
    const first = await judgeAnswer(input);
    expect(first.error).toBeUndefined();
    expect(first.calls).toBe(2);
    expect(first.opinions!.get('restage')!.met).toBe(true);
    const second = await judgeAnswer(input);
    expect(second.calls).toBe(1);
    expect(seen.map((s) => s.structured)).toEqual([true, false, false]);
  });
});
