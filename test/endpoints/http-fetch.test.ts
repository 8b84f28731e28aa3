import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { createHttpFetch, type HttpFetch } from '../../src/endpoints/http-fetch.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function serve(handler: Handler): Promise<{ url: string; sockets: () => number }> {
  let sockets = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => handler(req, res, body));
  });
  server.on('connection', () => sockets++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets: () => sockets };
}

function pool(maxSockets = 4): HttpFetch {
  const http = createHttpFetch({ maxSockets });
  cleanups.push(() => http.close());
  return http;
}

describe('createHttpFetch', () => {
  it('sends method, headers and body, and returns status, headers and body as a Response', async () => {
    const { url } = await serve((req, res, body) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'req-1' });
      res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization, body }));
    });
    const response = await pool().fetch(`${url}/v1/echo`, { method: 'POST', headers: new Headers({ authorization: 'Bearer t' }), body: '{"a":1}' });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-request-id')).toBe('req-1');
    expect(await response.json()).toEqual({ method: 'POST', auth: 'Bearer t', body: '{"a":1}' });
  });

  it('keeps connections alive: many sequential requests share one socket', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const http = pool();
    for (let i = 0; i < 20; i++) expect(await (await http.fetch(server.url)).text()).toBe('ok');
    expect(server.sockets()).toBe(1);
  });

  it('opens no more connections than maxSockets, queueing the rest', async () => {
    const server = await serve((_req, res) => setTimeout(() => res.end('ok'), 5));
    const http = pool(3);
    const texts = await Promise.all(Array.from({ length: 30 }, async () => (await http.fetch(server.url)).text()));
    expect(texts.every((t) => t === 'ok')).toBe(true);
    expect(server.sockets()).toBeLessThanOrEqual(3);
  });

  it('passes an event stream through chunk by chunk', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      setTimeout(() => res.end('data: two\n\n'), 20);
    });
    const response = await pool().fetch(url);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: one\n\n');
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(rest).toBe('data: two\n\n');
  });

  it('gives a 204 no body', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const response = await pool().fetch(url);
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it('rejects with a TypeError when the connection closes before the body ends', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"cut');
      setTimeout(() => res.destroy(), 5);
    });
    await expect(pool().fetch(url)).rejects.toThrow(TypeError);
  });

  it('rejects with an AbortError when the signal aborts, and when it already has', async () => {
    const { url } = await serve(() => {}); // never answers
    const controller = new AbortController();
    const pending = pool().fetch(url, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(pool().fetch(url, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('follows a redirect as fetch does', async () => {
    const { url } = await serve((req, res) => {
      if (req.url === '/old') {
        res.writeHead(307, { location: '/new' });
        return res.end();
      }
      res.end(`at ${req.url}`);
    });
    expect(await (await pool().fetch(`${url}/old`, { method: 'POST', body: 'x' })).text()).toBe('at /new');
  });

  it('serves the openai client: a chat completion and an API error with its status', async () => {
    const { url } = await serve((req, res, body) => {
      const request = JSON.parse(body) as { model: string };
      if (request.model === 'missing') {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: { message: 'no such model', type: 'invalid_request_error', code: 'model_not_found' } }));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'c1', object: 'chat.completion', created: 0, model: request.model, choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }] }));
    });
    const openai = new OpenAI({ apiKey: 'k', baseURL: `${url}/v1`, maxRetries: 0, fetch: pool().fetch });
    const completion = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0].message.content).toBe('hello');
    await expect(openai.chat.completions.create({ model: 'missing', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 404 });
  });
});
