/**
 * The simulated OpenAI-compatible endpoint: a real HTTP server on 127.0.0.1 serving
 * `/v1/chat/completions` (streamed or not) and `/v1/models` for several simulated vendors
 * ("personas"), with injectable faults. Answers are deterministic for a seed and a request;
 * faults are drawn from the server's own sequence so that a retried request can succeed.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatMessage } from '../../schema/bank.js';
import type { Usage } from '../../schema/run.js';
import { contentHash } from '../../io/hash.js';
import { drawFault, drawLatency, FAULT_EFFECTS, type FaultKind, type FaultSpec } from './faults.js';
import { seedFrom } from './random.js';
import { createRandom } from '../../analysis/random.js';
import { estimateTokens } from '../tokens.js';
import { createBatchService } from './batches.js';

export interface SimRequest {
  model: string;
  messages: ChatMessage[];
  response_format?: unknown;
  seed?: number;
  temperature?: number;
  max_tokens?: number;
}

export interface SimReply {
  content: string | null;
  reasoning?: string;
  finish_reason?: string;
  usage?: Usage;
}

export interface SimPersona {
  /** The model id clients ask for. */
  name: string;
  description?: string;
  reply(request: SimRequest, rng: () => number): SimReply | Promise<SimReply>;
}

export interface SimServerOptions {
  port?: number;
  host?: '127.0.0.1';
  personas: SimPersona[];
  faults?: FaultSpec;
  seed?: number;
  /**
   * Keep a log entry for every request (default true, for tests). A long-running server or a
   * benchmark turns it off so memory does not grow with the requests served; the count stays.
   */
  keepLog?: boolean;
  /** How long a batch stays in progress before its output is ready (tests of collecting later). */
  batchDelayMs?: number;
}

/** One request as the server saw it: tests use it to count repeats and check Retry-After spacing. */
export interface SimRequestLogEntry {
  at: number;
  model: string;
  /** Content hash of the request body (stream flags excluded). */
  hash: string;
  fault: FaultKind | null;
  stream: boolean;
  /** When the request's headers arrived and when its response was handed to the socket (ms since the epoch, sub-ms): the benchmark's timeline. */
  receivedAt: number;
  sentAt?: number;
}

export interface SimServer {
  baseURL: string;
  port: number;
  requests(): number;
  /** Batches created through /v1/batches. */
  batches(): number;
  /** Every request in order; empty when started with `keepLog: false`. */
  log(): readonly SimRequestLogEntry[];
  close(): Promise<void>;
}

export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
  const personas = new Map(options.personas.map((p) => [p.name, p]));
  const faults = options.faults ?? {};
  const seed = options.seed ?? 0;
  const faultRng = createRandom(seed ^ 0x5eed);
  const keepLog = options.keepLog ?? true;
  const log: SimRequestLogEntry[] = [];
  let served = 0;

  const batches = createBatchService({ complete: (body) => completeInBatch(body), delayMs: options.batchDelayMs ?? 0 });
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, `simulated endpoint failed: ${(err as Error).message}`, 'server_error');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = preciseNow();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/v1/models') {
      return sendJson(res, 200, {
        object: 'list',
        data: [...personas.values()].map((p) => ({ id: p.name, object: 'model', created: 0, owned_by: 'caps-sim', description: p.description })),
      });
    }
    if (url.pathname.startsWith('/v1/files') || url.pathname.startsWith('/v1/batches')) return batches.handle(req, res, url);
    if (req.method !== 'POST' || url.pathname !== '/v1/chat/completions') {
      return sendError(res, 404, `no route ${req.method} ${url.pathname}; the simulated endpoint serves POST /v1/chat/completions, GET /v1/models, /v1/files and /v1/batches`, 'invalid_request_error');
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return sendError(res, 400, 'the request body is not valid JSON', 'invalid_request_error');
    }
    const model = String(body.model ?? '');
    const messages = normaliseMessages(body.messages);
    if (!messages) return sendError(res, 400, 'messages must be a non-empty array of {role, content}', 'invalid_request_error');
    const stream = body.stream === true;
    const { stream: _s, stream_options: _o, ...content } = body;
    const hash = contentHash(content);
    const fault = drawFault(faults, faultRng);
    served++;
    if (keepLog) {
      const entry: SimRequestLogEntry = { at: Date.now(), model, hash, fault, stream, receivedAt };
      log.push(entry);
      res.once('finish', () => (entry.sentAt = preciseNow()));
    }

    const latency = drawLatency(faults, faultRng);
    const persona = personas.get(model);
    // The answer is made while the request waits out its latency, so the response leaves
    // `latency` after the request arrived whatever making it cost (a real endpoint's latency is
    // end to end too; the benchmark's ideal run time is counted in it).
    const made = persona && (!fault || FAULT_EFFECTS[fault].answers) ? await complete(persona, body, messages, hash, fault) : null;
    const wait = receivedAt + latency - preciseNow();
    // Timers count whole milliseconds: rounded up, so that no response leaves early.
    if (latency > 0 && wait > 0) await sleep(Math.ceil(wait));

    if (!persona) return sendError(res, 404, `The model \`${model}\` does not exist; available: ${[...personas.keys()].join(', ')}`, 'invalid_request_error', 'model_not_found');
    if (fault === 'reset') return void req.socket.destroy();
    if (fault === 'rateLimit') {
      const retryAfter = faults.rateLimit?.retryAfterSeconds;
      if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
      return sendJson(res, 429, FAULT_ERRORS[429]);
    }
    if (fault === 'serverError') return sendJson(res, 500, FAULT_ERRORS[500]);

    const { answer, usage, completion } = made!;
    if (stream) {
      const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
      return sendStream(res, { id: completion.id, created: completion.created, model, answer, usage: includeUsage ? usage : undefined, fault, chunkDelayMs: faults.slowStream?.chunkDelayMs ?? 0 });
    }
    const text = JSON.stringify(completion);
    if (fault === 'malformed') return sendRaw(res, 200, text.slice(0, Math.floor(text.length / 2)) + '<!-- upstream proxy error -->');
    if (fault === 'truncated') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      return void setTimeout(() => res.destroy(), 5);
    }
    if (fault === 'slowStream') return sendSlowly(res, text, faults.slowStream?.chunkDelayMs ?? 0);
    return sendRaw(res, 200, text);
  }

  async function complete(persona: SimPersona, body: Record<string, unknown>, messages: ChatMessage[], hash: string, fault: FaultKind | null) {
    const model = persona.name;
    const request: SimRequest = {
      model,
      messages,
      response_format: body.response_format,
      seed: typeof body.seed === 'number' ? body.seed : undefined,
      temperature: typeof body.temperature === 'number' ? body.temperature : undefined,
      max_tokens: typeof body.max_tokens === 'number' ? body.max_tokens : undefined,
    };
    const reply = await persona.reply(request, createRandom(seedFrom(`${seed}\n${hash}`)));
    const answer: SimReply = fault === 'empty' ? { ...reply, content: '', reasoning: undefined } : reply;
    const usage = answer.usage ?? estimateUsage(messages, answer.content);
    const completion = {
      id: `chatcmpl-sim-${hash.slice(0, 16)}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: answer.content, ...(answer.reasoning && { reasoning_content: answer.reasoning }) },
          finish_reason: answer.finish_reason ?? 'stop',
        },
      ],
      usage,
    };
    return { answer, usage, completion };
  }

  /** One request of a batch file, answered as the chat route would (faults become error statuses). */
  async function completeInBatch(body: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const messages = normaliseMessages(body.messages);
    if (!messages) return { status: 400, body: errorBody('messages must be a non-empty array of {role, content}', 'invalid_request_error') };
    const persona = personas.get(String(body.model ?? ''));
    if (!persona) return { status: 404, body: errorBody(`The model \`${String(body.model)}\` does not exist`, 'invalid_request_error', 'model_not_found') };
    const fault = drawFault(faults, faultRng);
    served++;
    const failure = fault && FAULT_EFFECTS[fault].inBatch;
    if (failure) return { status: failure, body: FAULT_ERRORS[failure] };
    const { stream: _s, stream_options: _o, ...content } = body;
    return { status: 200, body: (await complete(persona, body, messages, contentHash(content), fault)).completion };
  }

  // Keep idle connections open longer than clients pool them, so a client never reuses a
  // socket the server is closing (that race shows up as "other side closed" under load).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    port,
    requests: () => served,
    batches: () => batches.created(),
    log: () => log,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function normaliseMessages(value: unknown): ChatMessage[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const messages: ChatMessage[] = [];
  for (const m of value as { role?: unknown; content?: unknown }[]) {
    if (!m || typeof m.role !== 'string') return null;
    // Content may be a string or OpenAI content parts.
    const content = Array.isArray(m.content)
      ? m.content.map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : '')).join('')
      : String(m.content ?? '');
    messages.push({ role: m.role as ChatMessage['role'], content });
  }
  return messages;
}

function estimateUsage(messages: ChatMessage[], content: string | null): Usage {
  const prompt_tokens = messages.reduce((sum, m) => sum + estimateTokens(m.content) + 4, 0);
  const completion_tokens = estimateTokens(content ?? '');
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

interface StreamPlan {
  id: string;
  created: number;
  model: string;
  answer: SimReply;
  usage?: Usage;
  fault: FaultKind | null;
  chunkDelayMs: number;
}

async function sendStream(res: ServerResponse, plan: StreamPlan): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id: plan.id, object: 'chat.completion.chunk', created: plan.created, model: plan.model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
  const events = [chunk({ role: 'assistant', content: '' })];
  for (const piece of splitText(plan.answer.reasoning ?? '', 24)) events.push(chunk({ reasoning_content: piece }));
  for (const piece of splitText(plan.answer.content ?? '', 24)) events.push(chunk({ content: piece }));
  events.push(chunk({}, plan.answer.finish_reason ?? 'stop'));
  if (plan.usage) events.push(`data: ${JSON.stringify({ id: plan.id, object: 'chat.completion.chunk', created: plan.created, model: plan.model, choices: [], usage: plan.usage })}\n\n`);
  events.push('data: [DONE]\n\n');
  for (let i = 0; i < events.length; i++) {
    if (plan.fault === 'truncated' && i === Math.floor(events.length / 2)) return void res.destroy();
    if (plan.fault === 'malformed' && i === Math.floor(events.length / 2)) {
      res.write('data: {"id": "broken", "choices": [\n\n');
      continue;
    }
    res.write(events[i]);
    if (plan.fault === 'slowStream' && plan.chunkDelayMs > 0) await sleep(plan.chunkDelayMs);
  }
  res.end();
}

async function sendSlowly(res: ServerResponse, text: string, chunkDelayMs: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json' });
  for (const piece of splitText(text, Math.max(64, Math.ceil(text.length / 8)))) {
    res.write(piece);
    await sleep(chunkDelayMs);
  }
  res.end();
}

function splitText(text: string, size: number): string[] {
  const chars = Array.from(text);
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(''));
  return pieces;
}

export function readBody(req: IncomingMessage): Promise<string> {
  return readBytes(req).then((bytes) => bytes.toString('utf8'));
}

export function readBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendRaw(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendRaw(res, status, JSON.stringify(value));
}

/** Errors in OpenAI's JSON shape, so clients classify them as they would a vendor's. */
export function sendError(res: ServerResponse, status: number, message: string, type: string, code: string | null = null): void {
  sendJson(res, status, errorBody(message, type, code));
}

function errorBody(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

/** The error bodies of injected rate limits and server errors, direct or in a batch. */
const FAULT_ERRORS = {
  429: errorBody('Rate limit reached for requests (simulated)', 'requests', 'rate_limit_exceeded'),
  500: errorBody('The server had an error while processing your request (simulated)', 'server_error'),
};

/** Wall-clock milliseconds with a fraction, comparable across processes. */
function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
