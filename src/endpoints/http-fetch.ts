/**
 * A `fetch` for the `openai` client built on the `undici` package's own HTTP/1.1 client, with a
 * keep-alive connection pool per origin. Node 20's built-in fetch (undici with WHATWG streams)
 * costs several times more CPU per request than a plain HTTP client; at thousands of answers a
 * second that, not the network, bounds a run. undici's dispatcher (one parser callback per
 * message, no request and response streams per exchange) took less CPU per answer than node:http
 * (see docs/benchmarks.md). A plain request's body is read whole, whatever its Content-Type, and
 * handed over as a `BufferedResponse` (below), so a timer that runs until the fetch resolves
 * covers the body; only a request marked `STREAMED` gets its event stream passed through as it
 * arrives, in a standard `Response`. Anything this cannot send (stream bodies, other protocols)
 * and redirects go to the built-in fetch, under the same rules, so behaviour never differs.
 *
 * A caller's long-lived stop signal can be given in the init under `STOP_SIGNAL` (through the
 * `openai` client's per-request `fetchOptions`): the request is abandoned when it aborts. Handing
 * the client a fresh AbortController per request for that cost more CPU than any other part of
 * the endpoint client (see docs/benchmarks.md). A body handed over unread (an event stream) stays
 * covered by the stop signal until it is read to its end or cancelled.
 */
import type { Dispatcher } from 'undici';
import { OriginConnections, type ReleasingHandler } from './origin-connections.js';
import { whenAborted } from './abort-waiters.js';

export interface HttpFetch {
  fetch: typeof fetch;
  /** Closes the pooled connections (idle ones; busy ones close when their request ends). */
  close(): void;
}

interface Target {
  href: string;
  protocol: string;
  path: string;
  /** The connections to the URL's origin. */
  pool: OriginConnections;
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
  const pools = new Map<string, OriginConnections>();

  // A client asks the same few URLs over and over: each is parsed once.
  const targets = new Map<string, Target>();
  const targetOf = (input: string | URL): Target => {
    const href = String(input);
    let target = targets.get(href);
    if (!target) {
      const url = new URL(href);
      let pool = pools.get(url.origin);
      if (!pool && (url.protocol === 'http:' || url.protocol === 'https:')) pools.set(url.origin, (pool = new OriginConnections(url.origin, options.maxSockets)));
      if (targets.size >= 64) targets.clear();
      target = { href: url.href, protocol: url.protocol, path: url.pathname + url.search, pool: pool! };
      targets.set(href, target);
    }
    return target;
  };

  const send = (input: string | URL | Request, init: StoppableInit = {}): Promise<Response> => {
    const target = input instanceof Request ? null : targetOf(input);
    const body = init.body;
    if (!target?.pool || (body != null && typeof body !== 'string' && !(body instanceof Uint8Array))) {
      return builtInFetch(input, init);
    }
    return new Promise<Response>((resolve, reject) => {
      const signal = init.signal;
      const stop = init[STOP_SIGNAL];
      if (signal?.aborted) return reject(abortError(signal));
      if (stop?.aborted) return reject(abortError(stop));
      const exchange = new Exchange(input as string | URL, init, target.href, resolve, reject);
      exchange.listen(signal ?? undefined, stop);
      const method = normalizedMethod(init.method ?? 'GET') as Dispatcher.HttpMethod;
      target.pool.dispatch({ path: target.path, method, headers: headerList(init.headers), body: body as string | Uint8Array | null | undefined }, exchange);
    });
  };

  return {
    fetch: send as typeof fetch,
    close: () => {
      for (const pool of pools.values()) pool.close();
      pools.clear();
      targets.clear();
    },
  };
}

/**
 * One request on undici's dispatcher: its answer read whole into a `BufferedResponse`, a streamed
 * request's event stream passed through, a redirect handed to the built-in fetch, and the two
 * signals listened to until the body has ended.
 */
class Exchange implements ReleasingHandler {
  release: (() => void) | null = null;
  #abort: ((err: Error) => void) | null = null;
  #stopped: Error | null = null;
  #settled = false;
  #status = 0;
  #statusText = '';
  #headers: RawHeaders | null = null;
  #chunks: Buffer[] | null = null;
  #stream: ReadableStreamDefaultController<Uint8Array> | null = null;
  #resume: (() => void) | null = null;
  #signal: AbortSignal | undefined;
  #unstop: (() => void) | null = null;
  readonly #onAbort = () => this.#abandon(this.#signal!);

  constructor(
    private readonly input: string | URL,
    private readonly init: StoppableInit,
    private readonly href: string,
    private readonly resolve: (response: Response) => void,
    private readonly reject: (err: Error) => void,
  ) {}

  listen(signal: AbortSignal | undefined, stop: AbortSignal | undefined): void {
    this.#signal = signal;
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    if (stop) this.#unstop = whenAborted(stop, () => this.#abandon(stop));
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.#stopped) abort(this.#stopped);
    else this.#abort = abort;
  }

  onHeaders(status: number, rawHeaders: Buffer[] | string[] | null, resume: () => void, statusText: string): boolean {
    if (status < 200) return true;
    const raw: string[] = [];
    if (rawHeaders) for (const value of rawHeaders) raw.push(typeof value === 'string' ? value : value.toString('latin1'));
    const headers = new RawHeaders(raw);
    if (REDIRECT.has(status) && headers.get('location')) {
      // Rare for an API; the built-in fetch follows redirects by the standard's rules.
      this.#settle();
      this.resolve(builtInFetch(this.input, this.init) as unknown as Response);
      return true;
    }
    if (NULL_BODY.has(status)) {
      this.#settle();
      this.resolve(new BufferedResponse(this.href, status, statusText, headers, null) as unknown as Response);
      return true;
    }
    if (passedThrough(this.init, headers.get('content-type'))) {
      // The signals stay on until the stream closes: read to its end, cancelled or abandoned.
      this.#resume = resume;
      const stream = new ReadableStream<Uint8Array>({
        start: (controller) => void (this.#stream = controller),
        pull: () => this.#resume?.(),
        cancel: (reason) => {
          this.#settle();
          this.#abort?.(reason instanceof Error ? reason : new DOMException('The body was cancelled', 'AbortError'));
        },
      });
      this.resolve(new Response(stream, { status, statusText, headers: responseHeaders(raw) }));
      return true;
    }
    this.#status = status;
    this.#statusText = statusText;
    this.#headers = headers;
    this.#chunks = [];
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#stream) {
      this.#stream.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      return (this.#stream.desiredSize ?? 0) > 0;
    }
    this.#chunks?.push(chunk);
    return true;
  }

  onComplete(): void {
    this.#free();
    if (this.#stream) {
      this.#settle();
      this.#stream.close();
      return;
    }
    const chunks = this.#chunks;
    if (!chunks || this.#settled) return;
    this.#settle();
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    this.resolve(new BufferedResponse(this.href, this.#status, this.#statusText, this.#headers!, body) as unknown as Response);
  }

  onError(err: Error): void {
    this.#free();
    // A body cut off before its end (a reset, or a proxy dropping the connection) fails as fetch's does.
    const failure = this.#stopped ?? (this.#chunks || this.#stream ? new TypeError('terminated: the connection closed before the response body ended', { cause: err }) : err);
    if (this.#stream) {
      this.#settle();
      this.#stream.error(failure);
      return;
    }
    if (this.#settled) return;
    this.#settle();
    this.reject(failure);
  }

  #abandon(by: AbortSignal): void {
    const err = abortError(by);
    this.#stopped = err;
    const streamed = this.#stream !== null;
    if (!streamed) {
      this.#settle();
      this.reject(err);
    }
    this.#abort?.(err);
  }

  /** Hands the connection back once this request is done with it. */
  #free(): void {
    this.release?.();
    this.release = null;
  }

  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#unstop?.();
  }
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

/** The request's headers as a flat [name, value, ...] list; undici adds Host and Content-Length as fetch does. */
function headerList(headers: RequestInit['headers']): string[] {
  const list: string[] = [];
  if (headers instanceof Headers) headers.forEach((value, name) => list.push(name, value));
  else if (Array.isArray(headers)) for (const [name, value] of headers) list.push(name, value);
  else if (headers) for (const name of Object.keys(headers)) list.push(name, (headers as Record<string, string>)[name]);
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
