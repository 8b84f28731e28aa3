/** Maps whatever a request threw to a recorded ResponseErrorKind and whether retrying may help. */
import { APIConnectionTimeoutError, APIConnectionError, APIError, APIUserAbortError } from 'openai';
import type { ResponseError } from '../schema/run.js';
import { parseRetryAfter } from './retry.js';

export interface ClassifiedError {
  error: ResponseError;
  retryable: boolean;
  retryAfterMs?: number;
}

export function classifyError(err: unknown, context: { timedOut: boolean; aborted: boolean; now: number }): ClassifiedError {
  const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
  if (context.aborted) return { error: { kind: 'aborted', message: 'the run was stopped' }, retryable: false };
  if (context.timedOut || err instanceof APIConnectionTimeoutError) {
    return { error: { kind: 'timeout', message: `no complete answer before the timeout (${message})` }, retryable: true };
  }
  if (err instanceof APIUserAbortError) return { error: { kind: 'aborted', message }, retryable: false };
  if (err instanceof APIConnectionError) return { error: { kind: 'connection', message: causeMessage(err) }, retryable: true };
  if (err instanceof APIError && typeof err.status === 'number') {
    const status = err.status;
    const retryAfterMs = parseRetryAfter(err.headers, context.now);
    if (status === 429) return { error: { kind: 'rate_limit', message, status }, retryable: true, retryAfterMs };
    if (status >= 500) return { error: { kind: 'server', message, status }, retryable: true, retryAfterMs };
    if (status === 408) return { error: { kind: 'timeout', message, status }, retryable: true, retryAfterMs };
    if (status === 409) return { error: { kind: 'server', message, status }, retryable: true, retryAfterMs };
    return { error: { kind: 'client', message, status }, retryable: false };
  }
  if (err instanceof SyntaxError) return { error: { kind: 'malformed', message: `the server sent invalid JSON (${message})` }, retryable: true };
  // fetch reports a body cut off mid-way ("terminated") or a reset socket as a TypeError.
  if (err instanceof TypeError || (err as NodeJS.ErrnoException)?.code) {
    return { error: { kind: 'connection', message: causeMessage(err) }, retryable: true };
  }
  return { error: { kind: 'malformed', message }, retryable: true };
}

function causeMessage(err: unknown): string {
  const parts: string[] = [];
  // "Connection error.: fetch failed" reads as one sentence without the inner full stops.
  for (let e: unknown = err; e instanceof Error && parts.length < 3; e = (e as Error & { cause?: unknown }).cause) parts.push(e.message.replace(/\.$/, ''));
  return parts.join(': ').slice(0, 500);
}
