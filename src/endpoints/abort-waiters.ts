/**
 * Callbacks waiting on a long-lived stop signal (a run's, an endpoint's): one EventTarget
 * listener per signal, however many requests wait on it. Adding and removing a listener walks
 * all the others, so with hundreds of requests in flight on one signal each would pay for them
 * all; and a listener left behind by each request would keep it alive for the whole run.
 */
const waitersBySignal = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `onAbort` when `signal` aborts (at once if it has); returns what stops waiting. */
export function whenAborted(signal: AbortSignal, onAbort: () => void): () => void {
  if (signal.aborted) {
    onAbort();
    return () => undefined;
  }
  let waiters = waitersBySignal.get(signal);
  if (!waiters) {
    const set = new Set<() => void>();
    waiters = set;
    waitersBySignal.set(signal, set);
    signal.addEventListener('abort', () => set.forEach((waiter) => waiter()), { once: true });
  }
  waiters.add(onAbort);
  return () => waiters.delete(onAbort);
}

/** How many callbacks wait on `signal` (for tests: none may be left once their requests end). */
export function waitingOn(signal: AbortSignal): number {
  return waitersBySignal.get(signal)?.size ?? 0;
}
