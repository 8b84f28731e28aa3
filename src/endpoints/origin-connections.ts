/**
 * Keep-alive connections to one origin for the fetch (http-fetch.ts): up to `size` undici
 * `Client`s, each carrying one request at a time, the most recently freed handed out first and
 * requests queued in order while all are busy.
 *
 * Why not undici's `Pool`: a client with `pipelining: 1` resumes one event-loop turn after its
 * response ends, so the pool takes the connection back only then, and the socket's idle check
 * (unsolicited bytes or a close from the server are read before a request is written) waits for
 * the check phase again: a request sent as soon as an answer arrived waited a whole turn of other
 * answers' work, 10-20% of a run's wall time at 100 in flight (docs/benchmarks.md). A client
 * allowed two requests in flight resumes at once; this class never gives it a second, so a
 * connection is free as soon as its response has ended, and only the idle check remains.
 */
import type { Dispatcher } from 'undici';
// The client's module alone: the package's index loads all of undici (fetch, WebSocket, mocks),
// about 110 ms more CPU at start-up.
import Client from 'undici/lib/dispatcher/client.js';

/** A request's handler, told by `release` when the connection may carry another request. */
export interface ReleasingHandler extends Dispatcher.DispatchHandlers {
  release: (() => void) | null;
}

type Waiting = [Dispatcher.DispatchOptions, ReleasingHandler];

export class OriginConnections {
  readonly #clients: Client[] = [];
  readonly #idle: Client[] = [];
  readonly #waiting: Waiting[] = [];

  constructor(
    private readonly origin: string,
    private readonly size: number,
  ) {}

  dispatch(options: Dispatcher.DispatchOptions, handler: ReleasingHandler): void {
    const client = this.#idle.pop() ?? (this.#clients.length < this.size ? this.#open() : undefined);
    if (client) this.#send(client, options, handler);
    else this.#waiting.push([options, handler]);
  }

  /** Closes the connections: idle ones now, busy ones when their requests end. */
  close(): void {
    for (const client of this.#clients) void client.close();
  }

  #open(): Client {
    // No timeouts of undici's own: the caller's timer covers a request, as with the built-in fetch.
    const client = new Client(this.origin, { pipelining: 2, headersTimeout: 0, bodyTimeout: 0 });
    this.#clients.push(client);
    return client;
  }

  #send(client: Client, options: Dispatcher.DispatchOptions, handler: ReleasingHandler): void {
    // Freed after undici's own bookkeeping of the ended response, which follows the handler's call.
    handler.release = () => queueMicrotask(() => this.#release(client));
    client.dispatch(options, handler);
  }

  #release(client: Client): void {
    const next = this.#waiting.shift();
    if (next) this.#send(client, next[0], next[1]);
    else this.#idle.push(client);
  }
}
