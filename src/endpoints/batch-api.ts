/**
 * The OpenAI Batch API through the `openai` client: upload a JSONL of chat requests
 * (/v1/files, purpose batch), create a batch (/v1/batches), poll it, and read its output and
 * error files line by line. About half the price of direct calls at the vendors that offer it.
 */
import { openAsBlob } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import OpenAI, { APIError, toFile } from 'openai';
import type { EndpointConfig } from '../schema/config.js';
import type { ResponseError } from '../schema/run.js';
import { classifyError } from './classify.js';
import { UserError } from '../errors.js';
import { answerOf, judgeAnswer, resolveApiKey, resolveHeaders, type Answer } from './client.js';

/** The vendors' limit on requests per batch file. */
export const MAX_BATCH_REQUESTS = 50_000;
export const CHAT_COMPLETIONS = '/v1/chat/completions';
const FINISHED = new Set(['completed', 'failed', 'expired', 'cancelled']);

/** One line of a batch input file. */
export interface BatchRequestLine {
  custom_id: string;
  method: 'POST';
  url: typeof CHAT_COMPLETIONS;
  body: unknown;
}

/** One request's outcome from a batch's output or error file. */
export type BatchOutcome = { customId: string } & ({ ok: true; answer: Answer } | { ok: false; error: ResponseError });

export interface BatchStatus {
  id: string;
  status: string;
  completed: number;
  failed: number;
  total: number;
  outputFileId: string | null;
  errorFileId: string | null;
  /** Why a batch failed as a whole (its input was refused), when it did. */
  problem?: string;
}

export interface BatchApi {
  submit(inputPath: string, metadata: Record<string, string>): Promise<{ batchId: string; inputFileId: string }>;
  status(batchId: string): Promise<BatchStatus>;
  /** Polls until the batch has finished (completed, failed, expired or cancelled) or the signal stops it (then null). */
  wait(batchId: string, options: { pollMs: number; signal?: AbortSignal; onStatus?: (s: BatchStatus) => void }): Promise<BatchStatus | null>;
  outcomes(fileId: string): AsyncGenerator<BatchOutcome>;
}

export function createBatchApi(endpoint: EndpointConfig, env: NodeJS.ProcessEnv = process.env): BatchApi {
  const openai = new OpenAI({ apiKey: resolveApiKey(endpoint, env), baseURL: endpoint.baseURL, defaultHeaders: resolveHeaders(endpoint, env), maxRetries: 5, logLevel: 'off', timeout: endpoint.timeout_ms });

  /** A Batch API call; its failure becomes one line naming the endpoint, the call, why, and what to do. */
  async function call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      const { error, retryable } = classifyError(err, { timedOut: false, aborted: false, now: Date.now() });
      if (error.kind === 'aborted') throw err;
      throw new UserError(`${endpoint.name}: the Batch API failed to ${what}: ${error.message.replace(/\.$/, '')}. ${batchAdvice(error, retryable)}`, retryable ? 2 : 1);
    }
  }

  async function status(batchId: string): Promise<BatchStatus> {
    const b = await call(`report batch ${batchId}`, () => openai.batches.retrieve(batchId));
    const problem = b.errors?.data?.map((e) => `${e.line ? `line ${e.line}: ` : ''}${e.message ?? e.code}`).join('; ');
    return {
      id: b.id,
      status: b.status,
      completed: b.request_counts?.completed ?? 0,
      failed: b.request_counts?.failed ?? 0,
      total: b.request_counts?.total ?? 0,
      outputFileId: b.output_file_id ?? null,
      errorFileId: b.error_file_id ?? null,
      ...(problem ? { problem } : {}),
    };
  }

  return {
    async submit(inputPath, metadata) {
      // A file-backed Blob: the upload streams from disk instead of holding the file (up to 50,000 requests) in memory.
      const upload = await toFile(await openAsBlob(inputPath), 'caps-batch.jsonl');
      const file = await call('upload the requests (POST /files)', () => openai.files.create({ file: upload, purpose: 'batch' }));
      const batch = await call(`create a batch of file ${file.id} (POST /batches)`, () => openai.batches.create({ input_file_id: file.id, endpoint: CHAT_COMPLETIONS, completion_window: '24h', metadata }));
      return { batchId: batch.id, inputFileId: file.id };
    },
    status,
    async wait(batchId, { pollMs, signal, onStatus }) {
      for (;;) {
        const current = await status(batchId);
        onStatus?.(current);
        if (FINISHED.has(current.status)) return current;
        const stopped = await sleep(pollMs, signal);
        if (stopped) return null;
      }
    },
    async *outcomes(fileId) {
      const response = await call(`download results file ${fileId}`, () => openai.files.content(fileId));
      if (!response.body) return;
      const lines = createInterface({ input: Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), crlfDelay: Infinity });
      for await (const line of lines) {
        if (line.trim() === '') continue;
        yield outcomeOf(line);
      }
    },
  };
}

/** What to do about a failed Batch API call, by what failed. */
function batchAdvice(error: ResponseError, retryable: boolean): string {
  if (retryable) return 'The vendor is failing or out of reach: run the same command again later; answers recorded and batches already submitted are kept, and those batches are collected then.';
  if (error.status === 401 || error.status === 403) return "Check the endpoint's key (apiKeyEnv) and that it may use the Batch API.";
  if (error.status === 404 || error.status === 405) return 'This base URL does not offer the OpenAI Batch API (/files, /batches): run without --batch, or check baseURL.';
  return 'The vendor refused the request: check the model and parameters in the config, or run without --batch.';
}

/** A batch output or error line, classified as the direct client would classify the same reply. */
export function outcomeOf(line: string): BatchOutcome {
  let entry: { custom_id?: unknown; response?: { status_code?: unknown; body?: unknown } | null; error?: { code?: unknown; message?: unknown } | null };
  try {
    entry = JSON.parse(line);
  } catch {
    return { customId: '', ok: false, error: { kind: 'malformed', message: 'a batch result line is not JSON' } };
  }
  const customId = typeof entry.custom_id === 'string' ? entry.custom_id : '';
  const status = typeof entry.response?.status_code === 'number' ? entry.response.status_code : undefined;
  if (status === 200) {
    try {
      const judged = judgeAnswer(answerOf(entry.response!.body));
      return judged.ok ? { customId, ok: true, answer: judged.value } : { customId, ok: false, error: judged.error };
    } catch (err) {
      return { customId, ok: false, error: { kind: 'malformed', message: (err as Error).message } };
    }
  }
  if (status !== undefined) {
    const body = entry.response?.body as { error?: { message?: string } } | undefined;
    const apiError = APIError.generate(status, body?.error ?? body, body?.error?.message, new Headers());
    return { customId, ok: false, error: classifyError(apiError, { timedOut: false, aborted: false, now: Date.now() }).error };
  }
  const message = typeof entry.error?.message === 'string' ? entry.error.message : 'the batch returned no response for this request';
  return { customId, ok: false, error: { kind: entry.error?.code === 'batch_expired' ? 'timeout' : 'server', message } };
}

/** Resolves true when the signal stopped the wait. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (stopped: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(stopped);
    };
    const onAbort = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
