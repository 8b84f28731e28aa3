/**
 * A `fetch` for the `openai` client built on node:http(s) with a keep-alive agent per endpoint.
 * Node 20's built-in fetch (undici with WHATWG streams) costs several times more CPU per request
 * than node:http; at thousands of answers a second that, not the network, bounds a run (see
 * docs/benchmarks.md). Non-streamed bodies are read whole and handed over as a `Response`;
 * event streams are passed through as they arrive. Anything this cannot send (stream bodies,
 * other protocols) and redirects go to the built-in fetch, so behaviour never differs.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

export interface HttpFetch {
  fetch: typeof fetch;
  /** Closes the pooled connections (idle ones; busy ones close when their request ends). */
  close(): void;
}

/** Statuses whose Response must have no body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);

export function createHttpFetch(options: { maxSockets: number }): HttpFetch {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' as const };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };

  const send = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const body = init.body;
    const protocol = url.protocol as keyof typeof agents;
    if (input instanceof Request || !(protocol in agents) || (body != null && typeof body !== 'string' && !(body instanceof Uint8Array))) {
      return fetch(input, init);
    }
    return new Promise<Response>((resolve, reject) => {
      const signal = init.signal;
      if (signal?.aborted) return reject(abortError(signal));
      const transport = protocol === 'https:' ? https : http;
      const request = transport.request(url, { method: init.method ?? 'GET', headers: plainHeaders(init.headers), agent: agents[protocol] }, (response) => {
        const status = response.statusCode ?? 0;
        if (REDIRECT.has(status) && response.headers.location) {
          // Rare for an API; the built-in fetch follows redirects by the standard's rules.
          response.resume();
          signal?.removeEventListener('abort', onAbort);
          return resolve(fetch(input, init));
        }
        const headers = responseHeaders(response.rawHeaders);
        const head = { status, statusText: response.statusMessage ?? '', headers };
        if (NULL_BODY.has(status)) {
          response.resume();
          signal?.removeEventListener('abort', onAbort);
          return resolve(new Response(null, head));
        }
        if ((response.headers['content-type'] ?? '').startsWith('text/event-stream')) {
          response.once('close', () => signal?.removeEventListener('abort', onAbort));
          return resolve(new Response(Readable.toWeb(response) as ReadableStream<Uint8Array>, head));
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(new Response(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), head));
        });
        // A body cut off before its end (a reset, or a proxy dropping the connection).
        response.once('close', () => {
          if (!response.complete) fail(new TypeError('terminated: the connection closed before the response body ended'));
        });
      });
      function fail(err: Error) {
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      }
      function onAbort() {
        const err = abortError(signal!);
        request.destroy(err);
        reject(err);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
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

function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  return headers as Record<string, string>;
}

function responseHeaders(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  return headers;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError');
}
