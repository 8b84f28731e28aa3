/**
 * A `fetch` for the `openai` client built on node:http(s) with a keep-alive agent per endpoint.
 * Node 20's built-in fetch (undici with WHATWG streams) costs several times more CPU per request
 * than node:http; at thousands of answers a second that, not the network, bounds a run (see
 * docs/benchmarks.md). A plain request's body is read whole, whatever its Content-Type, and handed
 * over as a `BufferedResponse` (below), so a timer that runs until the fetch resolves covers the
 * body; only a request marked `STREAMED` gets its event stream passed through as it arrives, in a
 * standard `Response`. Anything this cannot send (stream bodies, other protocols) and redirects go
 * to the built-in fetch, under the same rules, so behaviour never differs.
 *
 * A caller's long-lived stop signal can be given in the init under `STOP_SIGNAL` (through the
 * `openai` client's per-request `fetchOptions`): the request is abandoned when it aborts. Handing
 * the client a fresh AbortController per request for that cost more CPU than any other part of
 * the endpoint client (see docs/benchmarks.md). A body handed over unread (an event stream) stays
 * covered by the stop signal until it is read to its end or cancelled.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { urlToHttpOptions } from 'node:url';
import { whenAborted } from './abort-waiters.js';

export interface HttpFetch {
  fetch: typeof fetch;
  /** Closes the pooled connections (idle ones; busy ones close when their request ends). */
  close(): void;
}

interface Target {
  href: string;
  protocol: string;
  /** The Host header's value: host and port as the URL has them (no default port). */
  host: string;
  options: http.RequestOptions;
}

/** The init key of a stop signal that abandons the request when it aborts (see above). */
export const STOP_SIGNAL = Symbol('caps.stopSignal');

/** Fetch options that abandon the request when `signal` aborts. */
export function stoppedBy(signal: AbortSignal): { [STOP_SIGNAL]: AbortSignal } {
  return { [STOP_SIGNAL]: signal };
}

/**
 * The init key marking a streamed request, whose event-stream answer is passed through as it
 * arrives. Unmarked requests are plain: a server that answers one with an event stream and then
 * stalls must still run into the caller's timer, which only covers the fetch until it resolves.
 */
export const STREAMED = Symbol('caps.streamed');

/** Fetch options of a streamed request (see `STREAMED`). */
export const streamedRequest: { readonly [STREAMED]: true } = Object.freeze({ [STREAMED]: true as const });

type StoppableInit = RequestInit & { [STOP_SIGNAL]?: AbortSignal; [STREAMED]?: boolean };

/** Whether the fetch may hand this answer's body over unread: a streamed request's event stream. */
function passedThrough(init: StoppableInit, contentType: string | null): boolean {
  return init[STREAMED] === true && (contentType ?? '').startsWith('text/event-stream');
}

/** Statuses whose Response must have no body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);

export function createHttpFetch(options: { maxSockets: number }): HttpFetch {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' as const };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };

  // A client asks the same few URLs over and over: each is parsed once.
  const targets = new Map<string, Target>();
  const targetOf = (input: string | URL): Target => {
    const href = String(input);
    let target = targets.get(href);
    if (!target) {
      const url = new URL(href);
      if (targets.size >= 64) targets.clear();
      target = { href: url.href, protocol: url.protocol, host: url.host, options: urlToHttpOptions(url) };
      targets.set(href, target);
    }
    return target;
  };

  const send = (input: string | URL | Request, init: StoppableInit = {}): Promise<Response> => {
    const target = input instanceof Request ? null : targetOf(input);
    const body = init.body;
    if (!target || !(target.protocol in agents) || (body != null && typeof body !== 'string' && !(body instanceof Uint8Array))) {
      return builtInFetch(input, init);
    }
    const protocol = target.protocol as keyof typeof agents;
    return new Promise<Response>((resolve, reject) => {
      const signal = init.signal;
      const stop = init[STOP_SIGNAL];
      if (signal?.aborted) return reject(abortError(signal));
      if (stop?.aborted) return reject(abortError(stop));
      const transport = protocol === 'https:' ? https : http;
      const { hostname, port, path } = target.options;
      const method = normalizedMethod(init.method ?? 'GET');
      const request = transport.request({ protocol, hostname, port, path, method, headers: headerList(method, init.headers, target, body), agent: agents[protocol] }, (response) => {
        const status = response.statusCode ?? 0;
        // Read from node's raw list: its `headers` object is built on first access, per response.
        const headers = new RawHeaders(response.rawHeaders);
        if (REDIRECT.has(status) && headers.get('location')) {
          // Rare for an API; the built-in fetch follows redirects by the standard's rules.
          response.resume();
          settle();
          return resolve(builtInFetch(input, init));
        }
        const statusText = response.statusMessage ?? '';
        if (NULL_BODY.has(status)) {
          response.resume();
          settle();
          return resolve(new BufferedResponse(target.href, status, statusText, headers, null) as unknown as Response);
        }
        if (passedThrough(init, headers.get('content-type'))) {
          // The signals stay on until the stream closes: read to its end, cancelled or abandoned.
          response.once('close', settle);
          return resolve(new Response(Readable.toWeb(response) as ReadableStream<Uint8Array>, { status, statusText, headers: responseHeaders(response.rawHeaders) }));
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () => {
          settle();
          const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          resolve(new BufferedResponse(target.href, status, statusText, headers, body) as unknown as Response);
        });
        // A body cut off before its end (a reset, or a proxy dropping the connection).
        response.once('close', () => {
          if (!response.complete) fail(new TypeError('terminated: the connection closed before the response body ended'));
        });
      });
      function settle() {
        signal?.removeEventListener('abort', onAbort);
        unstop?.();
      }
      function fail(err: Error) {
        settle();
        reject(err);
      }
      function abandon(by: AbortSignal) {
        const err = abortError(by);
        settle();
        request.destroy(err);
        reject(err);
      }
      function onAbort() {
        abandon(signal!);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      const unstop = stop ? whenAborted(stop, () => abandon(stop)) : null;
      request.once('error', fail);
      request.end(body ?? undefined);
    });
  };

  return {
    fetch: send as typeof fetch,
    close: () => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

/**
 * The built-in fetch, for what node:http does not send here: stopped by the init's stop signal
 * too, and its body read whole before it resolves (a streamed request's event stream aside), as
 * the fetch above does.
 */
async function builtInFetch(input: string | URL | Request, init: StoppableInit): Promise<Response> {
  const stop = init[STOP_SIGNAL];
  let signal = init.signal;
  let unstop: (() => void) | null = null;
  if (stop) {
    // A rare path (redirects, streamed or form bodies): one controller joining the two signals.
    const joined = new AbortController();
    const from = signal;
    if (from?.aborted) joined.abort(from.reason);
    else from?.addEventListener('abort', () => joined.abort(from.reason), { once: true });
    unstop = whenAborted(stop, () => joined.abort(stop.reason));
    signal = joined.signal;
  }
  let handedOver = false;
  try {
    const response = await fetch(input, { ...init, signal });
    if (response.body !== null && passedThrough(init, response.headers.get('content-type'))) {
      handedOver = true;
      return unstop ? coveredUntilDone(response, unstop) : response;
    }
    const bytes = response.body === null ? null : Buffer.from(await response.arrayBuffer());
    return new BufferedResponse(response.url, response.status, response.statusText, new RawHeaders(rawListOf(response.headers)), bytes, response.redirected) as unknown as Response;
  } finally {
    if (!handedOver) unstop?.();
  }
}

/**
 * The response with a body that calls `done` once read to its end, failed or cancelled: until
 * then the stop signal, joined into the built-in fetch's signal, still aborts the body's read.
 */
function coveredUntilDone(response: Response, done: () => void): Response {
  const reader = response.body!.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (!chunk.done) return controller.enqueue(chunk.value);
        done();
        controller.close();
      } catch (err) {
        done();
        controller.error(err);
      }
    },
    async cancel(reason) {
      done();
      await reader.cancel(reason);
    },
  });
  const wrapped = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  // Set by fetch only; the wrapper keeps what the client may read of them.
  Object.defineProperties(wrapped, { url: { value: response.url }, redirected: { value: response.redirected } });
  return wrapped;
}

/** A Headers list as node's flat [name, value, ...] list (set-cookie values one by one). */
function rawListOf(headers: Headers): string[] {
  const raw: string[] = [];
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') raw.push(name, value);
  });
  for (const cookie of headers.getSetCookie()) raw.push('set-cookie', cookie);
  return raw;
}

/** Fetch upper-cases these methods whatever case they are given in, and no others. */
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

function normalizedMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}

/**
 * The request's headers as node's flat [name, value, ...] list, with the Host and Content-Length
 * headers fetch adds. Given a list, node writes the header block at once instead of setting
 * (validating, lower-casing and storing) each header and then writing it, about 10 us less per
 * request; it also adds no header of its own but Connection, so those two are added here.
 */
function headerList(method: string, headers: RequestInit['headers'], target: Target, body: string | Uint8Array | null | undefined): string[] {
  const list: string[] = [];
  if (headers instanceof Headers) headers.forEach((value, name) => list.push(name, value));
  else if (Array.isArray(headers)) for (const [name, value] of headers) list.push(name, value);
  else if (headers) for (const name of Object.keys(headers)) list.push(name, (headers as Record<string, string>)[name]);
  let host = false;
  let length = false;
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i].toLowerCase();
    host ||= name === 'host';
    length ||= name === 'content-length' || name === 'transfer-encoding';
  }
  if (!host) list.push('Host', target.host);
  if (!length) {
    // As fetch: the body's length, and 0 for a POST or PUT without one.
    if (body != null) list.push('Content-Length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength));
    else if (method === 'POST' || method === 'PUT') list.push('Content-Length', '0');
  }
  return list;
}

function responseHeaders(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  return headers;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError');
}

/** Decodes a body as fetch does: UTF-8, a leading byte order mark dropped (some servers send one before JSON). */
function utf8(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * A whole response body already in memory, with the parts of the fetch `Response` a client
 * reads (status, headers, `json()`, `text()`, `arrayBuffer()`, `blob()`, `bytes()`, `body`,
 * `clone()`). A standard `Response` wraps its body in a web ReadableStream and copies the
 * headers into a `Headers` list, which cost more CPU than the rest of the request; here the
 * body is parsed straight from the buffer and a stream is only made if `body` is read.
 */
export class BufferedResponse {
  readonly ok: boolean;
  readonly type = 'basic';
  #bytes: Buffer | null;
  #used = false;
  #stream: ReadableStream<Uint8Array> | null | undefined;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    readonly headers: RawHeaders,
    bytes: Buffer | null,
    readonly redirected = false,
  ) {
    this.ok = status >= 200 && status <= 299;
    this.#bytes = bytes;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  /** The body as a web stream, made on first use; the body methods then read that stream. */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream === undefined) {
      this.#stream = this.#bytes === null ? null : new Response(this.#bytes).body;
      this.#bytes = null;
    }
    return this.#stream;
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.#take());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return utf8(await this.#take());
  }

  async json(): Promise<unknown> {
    return JSON.parse(utf8(await this.#take()));
  }

  async blob(): Promise<Blob> {
    return new Blob([await this.#take()], { type: this.headers.get('content-type') ?? '' });
  }

  clone(): BufferedResponse {
    if (this.#used) throw new TypeError('Response.clone: the body has already been used');
    const copy = new BufferedResponse(this.url, this.status, this.statusText, this.headers, this.#bytes, this.redirected);
    if (this.#stream) [this.#stream, copy.#stream] = this.#stream.tee();
    else copy.#stream = this.#stream;
    return copy;
  }

  /** The body's bytes, once, as fetch allows; from the stream if one was handed out (a locked or read one fails as in fetch). */
  async #take(): Promise<Buffer> {
    if (this.#used) throw new TypeError('Body is unusable: the body has already been read');
    this.#used = true;
    if (this.#stream) return Buffer.from(await new Response(this.#stream).arrayBuffer());
    const bytes = this.#bytes ?? Buffer.alloc(0);
    this.#bytes = null;
    return bytes;
  }
}

const byName = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * Read-only response headers over node's raw name/value list, with the lookups of the fetch
 * `Headers` (case-insensitive names; repeated headers joined by ", "; iteration sorted by
 * lower-case name, set-cookie values one by one). Nothing is copied until a header is asked for.
 */
export class RawHeaders {
  #raw: string[];
  #sorted: [string, string][] | undefined;

  constructor(raw: string[]) {
    this.#raw = raw;
  }

  get(name: string): string | null {
    const wanted = name.toLowerCase();
    const raw = this.#raw;
    let value: string | null = null;
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i].length === wanted.length && raw[i].toLowerCase() === wanted) value = value === null ? raw[i + 1] : `${value}, ${raw[i + 1]}`;
    }
    return value;
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  getSetCookie(): string[] {
    const raw = this.#raw;
    const cookies: string[] = [];
    for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === 'set-cookie') cookies.push(raw[i + 1]);
    return cookies;
  }

  entries(): IterableIterator<[string, string]> {
    return this.#entries()[Symbol.iterator]();
  }

  keys(): IterableIterator<string> {
    return this.#entries().map(([name]) => name)[Symbol.iterator]();
  }

  values(): IterableIterator<string> {
    return this.#entries().map(([, value]) => value)[Symbol.iterator]();
  }

  forEach(callback: (value: string, name: string, headers: RawHeaders) => void): void {
    for (const [name, value] of this.#entries()) callback(value, name, this);
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  #entries(): [string, string][] {
    if (this.#sorted) return this.#sorted;
    // Sorted by name (a stable sort keeps repeated headers in arrival order), then repeats joined;
    // made for every response the client logs, so without a Map.
    const raw = this.#raw;
    const pairs: [string, string][] = [];
    for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i].toLowerCase(), raw[i + 1]]);
    pairs.sort(byName);
    const sorted: [string, string][] = [];
    for (const pair of pairs) {
      const last = sorted.at(-1);
      if (last && last[0] === pair[0] && pair[0] !== 'set-cookie') last[1] = `${last[1]}, ${pair[1]}`;
      else sorted.push(pair);
    }
    this.#sorted = sorted;
    return sorted;
  }
}
