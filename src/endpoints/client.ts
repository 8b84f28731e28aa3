/**
 * One endpoint, asked through the `openai` package over real HTTP. Tolerates roughly
 * compatible vendors (no usage, reasoning_content, content-filter finishes) and never
 * throws for an endpoint failure: the result carries the classified error instead.
 */
import OpenAI from 'openai';
import type { ChatMessage } from '../schema/bank.js';
import type { EndpointConfig, EndpointParams } from '../schema/config.js';
import type { ResponseError, Usage } from '../schema/run.js';
import { UserError } from '../errors.js';
import { redact, registerSecret } from '../io/redact.js';
import { classifyError } from './classify.js';
import { estimateTokens } from './tokens.js';
import { concurrencyLimit } from './concurrency.js';
import { createHttpFetch, stoppedBy, streamedRequest } from './http-fetch.js';
import { whenAborted } from './abort-waiters.js';
import { RpmLimiter } from './rate-limit.js';
import { systemClock, withRetries, type AttemptOutcome, type RetryClock, type RetryPolicy } from './retry.js';

export type { ChatMessage };

export interface ChatRequest {
  messages: ChatMessage[];
  params?: Partial<EndpointParams>;
  /** OpenAI `response_format`, e.g. from `zodResponseFormat`. */
  responseFormat?: unknown;
  signal?: AbortSignal;
  /** What the request is for (an answer key): names it in batch request maps; never sent. */
  label?: string;
}

export interface ChatResult {
  text: string | null;
  reasoning?: string;
  finishReason: string | null;
  usage: Usage | null;
  servedModel?: string;
  latencyMs: number;
  attempts: number;
  error: ResponseError | null;
}

export interface EndpointClient {
  name: string;
  model: string;
  chat(request: ChatRequest): Promise<ChatResult>;
}

export interface EndpointClientOptions {
  env?: NodeJS.ProcessEnv;
  clock?: RetryClock;
  /** Base delay of the exponential backoff (tests shorten it). */
  backoffBaseMs?: number;
}

/** Sent to servers that need no key (vLLM, Ollama, the simulated endpoint): not a secret. */
export const PLACEHOLDER_API_KEY = 'no-key-needed';

export interface Answer {
  text: string | null;
  reasoning?: string;
  finishReason: string | null;
  usage: Usage | null;
  servedModel?: string;
}

export function createEndpointClient(endpoint: EndpointConfig, options: EndpointClientOptions = {}): EndpointClient {
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const apiKey = resolveApiKey(endpoint, env);
  const headers = resolveHeaders(endpoint, env);
  const openai = new OpenAI({
    apiKey,
    baseURL: endpoint.baseURL,
    defaultHeaders: headers,
    maxRetries: 0,
    // Failures are classified and recorded per answer; the SDK's own console logging would only add noise.
    logLevel: 'off',
    timeout: endpoint.timeout_ms,
    // One pool of keep-alive connections per endpoint, as many as requests it may have in flight.
    fetch: createHttpFetch({ maxSockets: endpoint.concurrency }).fetch,
  });
  const policy: RetryPolicy = {
    retries: endpoint.retries,
    baseMs: options.backoffBaseMs ?? 500,
    maxDelayMs: 60_000,
    maxTotalMs: endpoint.retry_max_ms,
  };
  // Calls beyond the endpoint's concurrency wait their turn; the runner's workers never exceed it, so theirs start at once.
  const limit = concurrencyLimit(endpoint.concurrency);
  const rpm = endpoint.rpm ? new RpmLimiter(endpoint.rpm, clock.now) : null;

  async function attempt(request: ChatRequest): Promise<AttemptOutcome<Answer>> {
    if (rpm) await clock.sleep(rpm.reserve(), request.signal);
    const body = chatBody(endpoint, request);
    if (endpoint.stream) return attemptStreaming(body, request.signal);
    try {
      // The client's own timer (timeout_ms) runs until the fetch resolves, and the fetch resolves
      // with the whole body of a request not marked streamed, whatever its Content-Type: it covers
      // the answer. The caller's stop reaches the socket through the fetch, so no AbortController
      // is made per request.
      const options = request.signal ? { fetchOptions: stoppedBy(request.signal) as FetchOptions } : undefined;
      return judgeAnswer(answerOf(await openai.chat.completions.create(body, options)));
    } catch (err) {
      return { ok: false, ...classifyError(err, { timedOut: false, aborted: request.signal?.aborted ?? false, now: clock.now() }) };
    }
  }

  /** A streamed answer arrives after the fetch resolved: a timer and a controller of its own cover the whole stream. */
  async function attemptStreaming(body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, stop: AbortSignal | undefined): Promise<AttemptOutcome<Answer>> {
    // Node 20's AbortSignal.any keeps every combined signal alive as long as the caller's signal, which leaks in long runs.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, endpoint.timeout_ms);
    const unlisten = stop ? whenAborted(stop, () => controller.abort()) : null;
    try {
      return judgeAnswer(await askStreaming(openai, body, controller.signal));
    } catch (err) {
      return { ok: false, ...classifyError(err, { timedOut, aborted: stop?.aborted ?? false, now: clock.now() }) };
    } finally {
      clearTimeout(timer);
      unlisten?.();
    }
  }

  return {
    name: endpoint.name,
    model: endpoint.model,
    chat: (request) => limit(() => ask(request)),
  };

  async function ask(request: ChatRequest): Promise<ChatResult> {
    const started = clock.now();
    const { outcome, attempts } = await withRetries(() => attempt(request), policy, clock, request.signal);
    const latencyMs = clock.now() - started;
    if (outcome.ok) {
      // A literal, not a spread of the answer: made for every request.
      const answer = outcome.value;
      return { text: answer.text, reasoning: answer.reasoning, finishReason: answer.finishReason, usage: answer.usage ?? estimatedUsage(request.messages, answer.text), servedModel: answer.servedModel, latencyMs, attempts, error: null };
    }
    // A server may echo the key back in its error body: redacted before it is recorded or printed.
    return { text: null, finishReason: null, usage: null, latencyMs, attempts, error: { ...outcome.error, message: redact(outcome.error.message) } };
  }
}

/** The client's per-request fetch options (its type names only the standard RequestInit fields). */
type FetchOptions = NonNullable<Parameters<OpenAI['chat']['completions']['create']>[1]>['fetchOptions'];

/** Usage counted from the text when the server reports none, marked as estimated. */
export function estimatedUsage(messages: ChatMessage[], text: string | null): Usage {
  const prompt_tokens = messages.reduce((sum, m) => sum + estimateTokens(m.content) + 4, 0);
  const completion_tokens = estimateTokens(text ?? '');
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens, estimated: true };
}

/** The request body of a chat completion, as sent directly or inside a batch file (built by assignment: it is made per request). */
export function chatBody(endpoint: EndpointConfig, request: Omit<ChatRequest, 'signal'>): OpenAI.Chat.ChatCompletionCreateParamsNonStreaming {
  const params = request.params ? { ...endpoint.params, ...request.params } : endpoint.params;
  const body: Record<string, unknown> = { model: endpoint.model, messages: request.messages };
  if (params.temperature !== undefined) body.temperature = params.temperature;
  if (params.top_p !== undefined) body.top_p = params.top_p;
  if (params.max_tokens !== undefined) body.max_tokens = params.max_tokens;
  if (params.seed !== undefined) body.seed = params.seed;
  if (request.responseFormat !== undefined) body.response_format = request.responseFormat;
  return body as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
}

/** An answer without text is an error (never recorded as an empty answer). */
export function judgeAnswer(answer: Answer): AttemptOutcome<Answer> {
  if (answer.text !== null && answer.text.trim() !== '') return { ok: true, value: answer };
  if (answer.finishReason === 'content_filter') {
    return { ok: false, error: { kind: 'content_filter', message: 'the vendor withheld the answer (finish_reason content_filter)' }, retryable: false };
  }
  return { ok: false, error: { kind: 'empty', message: `the server returned no answer text (finish_reason ${answer.finishReason ?? 'missing'})` }, retryable: true };
}

type RawMessage = { content?: unknown; reasoning_content?: unknown; reasoning?: unknown };

/** The answer in a chat completion body; throws SyntaxError for anything else. */
export function answerOf(data: unknown): Answer {
  const completion = data as { choices?: { message?: RawMessage; finish_reason?: unknown }[]; usage?: unknown; model?: unknown };
  if (!completion || typeof completion !== 'object' || !Array.isArray(completion.choices)) {
    throw new SyntaxError('the response is not a chat completion (no choices array)');
  }
  const choice = completion.choices[0];
  return {
    text: typeof choice?.message?.content === 'string' ? choice.message.content : null,
    reasoning: reasoningOf(choice?.message),
    finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : null,
    usage: usageOf(completion.usage),
    servedModel: typeof completion.model === 'string' ? completion.model : undefined,
  };
}

async function askStreaming(openai: OpenAI, body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, signal: AbortSignal): Promise<Answer> {
  const stream = await openai.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, { signal, fetchOptions: streamedRequest as FetchOptions });
  let text: string | null = null;
  let reasoning = '';
  let finishReason: string | null = null;
  let usage: Usage | null = null;
  let servedModel: string | undefined;
  for await (const chunk of stream) {
    const raw = chunk as unknown as { choices?: { delta?: RawMessage; finish_reason?: unknown }[]; usage?: unknown; model?: unknown };
    if (typeof raw.model === 'string') servedModel = raw.model;
    if (raw.usage) usage = usageOf(raw.usage);
    const choice = raw.choices?.[0];
    if (typeof choice?.delta?.content === 'string') text = (text ?? '') + choice.delta.content;
    reasoning += reasoningOf(choice?.delta) ?? '';
    if (typeof choice?.finish_reason === 'string') finishReason = choice.finish_reason;
  }
  return { text, reasoning: reasoning || undefined, finishReason, usage, servedModel };
}

/** DeepSeek and Qwen send `reasoning_content`; some vLLM builds send `reasoning`. */
function reasoningOf(message: RawMessage | undefined): string | undefined {
  const value = message?.reasoning_content ?? message?.reasoning;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function usageOf(value: unknown): Usage | null {
  if (!value || typeof value !== 'object') return null;
  const usage: Usage = {};
  for (const key of ['prompt_tokens', 'completion_tokens', 'total_tokens'] as const) {
    const n = (value as Record<string, unknown>)[key];
    if (typeof n === 'number' && n >= 0) usage[key] = n;
  }
  return Object.keys(usage).length > 0 ? usage : null;
}

export function resolveApiKey(endpoint: EndpointConfig, env: NodeJS.ProcessEnv): string {
  if (!endpoint.apiKeyEnv) return PLACEHOLDER_API_KEY;
  const key = env[endpoint.apiKeyEnv];
  if (!key) {
    throw new UserError(`endpoint "${endpoint.name}": the environment variable ${endpoint.apiKeyEnv} is not set. Export it (export ${endpoint.apiKeyEnv}=...) or remove apiKeyEnv for a server that needs no key.`);
  }
  registerSecret(key);
  return key;
}

/** Header values may name environment variables as ${VAR} so that tokens stay out of the config; every value is registered for redaction. */
export function resolveHeaders(endpoint: EndpointConfig, env: NodeJS.ProcessEnv): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(endpoint.headers ?? {})) {
    headers[name] = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, variable: string) => {
      const resolved = env[variable];
      if (resolved === undefined) {
        throw new UserError(`endpoint "${endpoint.name}": header ${name} uses \${${variable}} but that environment variable is not set.`);
      }
      registerSecret(resolved);
      return resolved;
    });
    // Configured header values are treated as secrets wherever they might be echoed back.
    registerSecret(headers[name]);
  }
  return headers;
}
