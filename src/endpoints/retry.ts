/**
 * The one retry policy: exponential backoff with full jitter, honouring the server's
 * Retry-After, capped by attempt count and by total time. The client applies it in exactly
 * one place (the `openai` client's own retries are switched off so they never stack).
 */
import type { ResponseError } from '../schema/run.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  baseMs: number;
  maxDelayMs: number;
  /** No retry starts after this much time has passed since the first attempt. */
  maxTotalMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 5, baseMs: 500, maxDelayMs: 30_000, maxTotalMs: 300_000 };

export type AttemptOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; error: ResponseError; retryable: boolean; retryAfterMs?: number };

export interface RetryClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

export const systemClock: RetryClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
  random: Math.random,
};

/** Delay before retry number `retry` (1-based): the server's Retry-After if given, else full jitter. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** Retry-After as milliseconds: `retry-after-ms`, delta seconds, or an HTTP date. */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface RetryResult<T> {
  outcome: AttemptOutcome<T>;
  attempts: number;
}

/** Runs `attempt` until it succeeds, fails for good, or the policy's budget is spent. */
export async function withRetries<T>(
  attempt: (n: number) => Promise<AttemptOutcome<T>>,
  policy: RetryPolicy,
  clock: RetryClock = systemClock,
  signal?: AbortSignal,
): Promise<RetryResult<T>> {
  const started = clock.now();
  for (let n = 1; ; n++) {
    const outcome = await attempt(n);
    if (outcome.ok || !outcome.retryable || n > policy.retries || signal?.aborted) return { outcome, attempts: n };
    const delay = backoffDelay(n, policy, clock.random, outcome.retryAfterMs);
    if (clock.now() + delay - started > policy.maxTotalMs) return { outcome, attempts: n };
    await clock.sleep(delay, signal);
    if (signal?.aborted) return { outcome, attempts: n };
  }
}
