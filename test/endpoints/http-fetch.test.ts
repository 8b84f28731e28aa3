import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { BufferedResponse, RawHeaders, createHttpFetch, stoppedBy, streamedRequest, type HttpFetch } from '../../src/endpoints/http-fetch.js';
import { waitingOn } from '../../src/endpoints/abort-waiters.js';
import { stallingEventStream } from './helpers.js';

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

  it('sends Host and the body\'s length in bytes as fetch does (never chunked), and the caller\'s headers in any form fetch takes', async () => {
    const { url } = await serve((req, res, body) => {
      const h = req.headers;
      res.end(JSON.stringify({ method: req.method, host: h.host, length: h['content-length'] ?? null, chunked: h['transfer-encoding'] ?? null, connection: h.connection, x: h['x-caller'] ?? null, body }));
    });
    const http = pool();
    const host = new URL(url).host;
    const ask = async (init: RequestInit) => (await http.fetch(`${url}/v1/echo`, init)).json();
    const viaBuiltin = async (init: RequestInit) => {
      const { method, length, chunked, x, body } = (await (await fetch(`${url}/v1/echo`, init)).json()) as Record<string, unknown>;
      return { method, length, chunked, x, body };
    };
    const forms: RequestInit[] = [
      { method: 'POST', headers: new Headers({ 'X-Caller': 'h' }), body: '{"q":"肺癌分期"}' },
      { method: 'POST', headers: [['X-Caller', 'a']], body: new TextEncoder().encode('bytes') },
      { method: 'PUT', headers: { 'X-Caller': 'o' } },
      { method: 'post', body: '' },
      { method: 'GET' },
    ];
    for (const init of forms) {
      const ours = (await ask(init)) as Record<string, unknown>;
      expect(ours).toMatchObject({ host, connection: 'keep-alive', ...(await viaBuiltin(init)) });
    }
    expect(await ask(forms[0])).toMatchObject({ length: String(Buffer.byteLength('{"q":"肺癌分期"}')), chunked: null });
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

  it('passes the event stream of a streamed request through chunk by chunk', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      setTimeout(() => res.end('data: two\n\n'), 20);
    });
    const response = await pool().fetch(url, { method: 'GET', ...streamedRequest });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: one\n\n');
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(rest).toBe('data: two\n\n');
  });

  it('reads the event stream of a plain request whole before resolving, directly and through a redirect', async () => {
    let ended = 0;
    const { url } = await serve((req, res) => {
      if (req.url === '/old') {
        res.writeHead(307, { location: '/sse' });
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      setTimeout(() => (ended++, res.end('data: two\n\n')), 50);
    });
    const http = pool();
    for (const path of ['/sse', '/old']) {
      const response = await http.fetch(`${url}${path}`, { method: 'POST', body: 'x' });
      expect(ended).toBe(path === '/sse' ? 1 : 2);
      expect(await response.text()).toBe('data: one\n\ndata: two\n\n');
    }
  });

  it('keeps an event stream handed over through a redirect under the stop signal until it is read or cancelled', async () => {
    let closed = 0;
    const { url } = await serve(stallingEventStream(() => closed++));
    const http = pool();
    const stop = new AbortController();
    const init = { method: 'GET', ...streamedRequest, ...stoppedBy(stop.signal) };
    // Read to its end, or cancelled: nothing is left waiting on the signal.
    const ends = await http.fetch(`${url}/redirect/ends`, init);
    expect(ends.redirected).toBe(true);
    expect(waitingOn(stop.signal)).toBe(1);
    expect(await ends.text()).toBe('data: {"choices":[]}\n\ndata: [DONE]\n\n');
    expect(waitingOn(stop.signal)).toBe(0);
    await (await http.fetch(`${url}/redirect/cancelled`, init)).body!.cancel();
    expect(waitingOn(stop.signal)).toBe(0);
    // A stalled one is ended by the stop, and its socket closed.
    const stalled = await http.fetch(`${url}/redirect/stalls`, init);
    const reading = stalled.text();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closedBefore = closed;
    stop.abort();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(waitingOn(stop.signal)).toBe(0);
    for (let waited = 0; closed === closedBefore && waited < 2_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(closedBefore + 1);
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

  it('abandons a request when the stop signal given in its init aborts, and leaves nothing waiting on it', async () => {
    let closed = 0;
    const { url } = await serve((req, res) => {
      if (req.url === '/hang') return res.on('close', () => closed++); // never answers
      res.end('ok');
    });
    const http = pool();
    const stop = new AbortController();
    // Finished requests, answered or redirected, stop waiting on the signal.
    for (let i = 0; i < 5; i++) expect(await (await http.fetch(`${url}/fine`, { method: 'POST', body: 'x', ...stoppedBy(stop.signal) })).text()).toBe('ok');
    expect(waitingOn(stop.signal)).toBe(0);
    const pending = http.fetch(`${url}/hang`, { method: 'POST', body: 'x', ...stoppedBy(stop.signal) });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(waitingOn(stop.signal)).toBe(1);
    stop.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(waitingOn(stop.signal)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(1); // the socket was closed, not left to the server
    await expect(http.fetch(`${url}/fine`, { method: 'GET', ...stoppedBy(stop.signal) })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('stops a redirected request too, and reads its body whole before resolving', async () => {
    const { url } = await serve((req, res) => {
      if (req.url === '/old') {
        res.writeHead(307, { location: '/new' });
        return res.end();
      }
      if (req.url === '/new') return res.end('moved here');
      res.writeHead(200, { 'content-length': '100' });
      res.write('part'); // the rest never comes
    });
    const http = pool();
    const stop = new AbortController();
    const moved = await http.fetch(`${url}/old`, { method: 'GET', ...stoppedBy(stop.signal) });
    expect(moved.redirected).toBe(true);
    expect(await moved.text()).toBe('moved here');
    expect(waitingOn(stop.signal)).toBe(0);
    // A body that stalls, asked directly and through a redirect to another server (the built-in fetch's path).
    const stalled = http.fetch(`${url}/stall`, { method: 'GET', ...stoppedBy(stop.signal) });
    const other = await serve((_req, res) => {
      res.writeHead(307, { location: `${url}/stall` });
      res.end();
    });
    const viaRedirect = http.fetch(`${other.url}/old`, { method: 'GET', ...stoppedBy(stop.signal) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    stop.abort();
    await expect(stalled).rejects.toMatchObject({ name: 'AbortError' });
    await expect(viaRedirect).rejects.toMatchObject({ name: 'AbortError' });
    expect(waitingOn(stop.signal)).toBe(0);
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

  it('reads a whole body once, as fetch does, by any of the body methods or as a stream', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"text":"头痛 headache"}');
    });
    const http = pool();
    const response = await http.fetch(`${url}/a`);
    expect(response.url).toBe(`${url}/a`);
    expect(response.bodyUsed).toBe(false);
    const copy = response.clone();
    expect(await response.json()).toEqual({ text: '头痛 headache' });
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
    expect(() => response.clone()).toThrow(TypeError);
    expect(new TextDecoder().decode(await copy.arrayBuffer())).toBe('{"text":"头痛 headache"}');

    const blob = await (await http.fetch(url)).blob();
    expect(blob.type).toBe('application/json; charset=utf-8');
    expect(await blob.text()).toBe('{"text":"头痛 headache"}');
    const bytes = await ((await http.fetch(url)) as unknown as BufferedResponse).bytes();
    expect(new TextDecoder().decode(bytes)).toBe('{"text":"头痛 headache"}');
    const streamed = await http.fetch(url);
    expect(await new Response(streamed.body).text()).toBe('{"text":"头痛 headache"}');
    await expect(streamed.text()).rejects.toThrow(TypeError);
    const peeked = await http.fetch(url);
    expect(peeked.body).not.toBeNull();
    expect(await peeked.json()).toEqual({ text: '头痛 headache' });
  });

  it('gives the same status, headers and body as the built-in fetch for the same responses', async () => {
    const { url } = await serve((req, res) => {
      const status = Number(req.url!.slice(1));
      res.writeHead(status, 'Custom Reason', [['Content-Type', 'text/plain'], ['X-Multi', 'a'], ['x-multi', 'b'], ['Set-Cookie', 'c=1'], ['Set-Cookie', 'd=2'], ['Retry-After', '3']]);
      res.end(status === 204 || status === 304 ? undefined : `status ${status}`);
    });
    const http = pool();
    for (const status of [200, 201, 204, 400, 404, 429, 500, 503]) {
      const ours = await http.fetch(`${url}/${status}`);
      const builtin = await fetch(`${url}/${status}`);
      const seen = (r: Response) => ({ status: r.status, statusText: r.statusText, ok: r.ok, headers: [...r.headers].filter(([name]) => !['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name)) });
      expect(seen(ours)).toEqual(seen(builtin));
      for (const name of ['x-multi', 'X-MULTI', 'set-cookie', 'retry-after', 'missing']) {
        expect(ours.headers.get(name)).toBe(builtin.headers.get(name));
        expect(ours.headers.has(name)).toBe(builtin.headers.has(name));
      }
      expect(ours.headers.getSetCookie()).toEqual(builtin.headers.getSetCookie());
      expect(ours.body === null).toBe(builtin.body === null);
      expect(await ours.text()).toBe(await builtin.text());
    }
  });

  it('parses each URL once and still sends every request to its own path and query', async () => {
    const { url } = await serve((req, res) => res.end(req.url));
    const http = pool();
    for (const path of ['/v1/a?x=1', '/v1/b', '/v1/a?x=1', '/v1/a?x=2']) expect(await (await http.fetch(`${url}${path}`)).text()).toBe(path);
    expect(await (await http.fetch(new URL(`${url}/v1/c`))).text()).toBe('/v1/c');
  });
});

describe('RawHeaders', () => {
  it('iterates like Headers: lower-case names, sorted, repeats joined, set-cookie one by one', () => {
    const raw = ['X-B', '2', 'set-cookie', 's=1', 'x-a', '1', 'X-B', '3', 'Set-Cookie', 't=2'];
    const ours = new RawHeaders(raw);
    const theirs = new Headers();
    for (let i = 0; i < raw.length; i += 2) theirs.append(raw[i], raw[i + 1]);
    expect([...ours]).toEqual([...theirs]);
    expect([...ours.keys()]).toEqual([...theirs.keys()]);
    expect([...ours.values()]).toEqual([...theirs.values()]);
    const seen: string[] = [];
    ours.forEach((value, name) => seen.push(`${name}=${value}`));
    expect(seen).toEqual(['set-cookie=s=1', 'set-cookie=t=2', 'x-a=1', 'x-b=2, 3']);
    expect(ours.get('set-cookie')).toBe(theirs.get('set-cookie'));
  });

  it('drops a leading byte order mark from text and JSON, as fetch does', async () => {
    const body = Buffer.from('\ufeff{"a":"\u00e9"}', 'utf8');
    const ours = () => new BufferedResponse('http://127.0.0.1/', 200, 'OK', new RawHeaders([]), body);
    expect(await ours().text()).toBe(await new Response(body).text());
    expect(await ours().json()).toEqual(await new Response(body).json());
  });

  it('a body-less response has a null body and an empty text', async () => {
    const response = new BufferedResponse('http://127.0.0.1/', 204, 'No Content', new RawHeaders([]), null);
    expect(response.body).toBeNull();
    expect(response.ok).toBe(true);
    expect(await response.text()).toBe('');
  });
});
