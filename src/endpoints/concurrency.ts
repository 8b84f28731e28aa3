/**
 * A concurrency limit for calls that return promises: at most `concurrency` run at once, the
 * rest wait in call order. A call made while there is room starts at once, in the caller's own
 * turn, where a queue-first limiter (p-limit) queues every call and starts it a microtask later:
 * the runner's workers never exceed an endpoint's concurrency, so every call of theirs passes
 * straight through at the cost of a count.
 */
export type ConcurrencyLimit = <T>(task: () => Promise<T>) => Promise<T>;

export function concurrencyLimit(concurrency: number): ConcurrencyLimit {
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError(`concurrency must be a whole number of at least 1, not ${concurrency}`);
  let active = 0;
  // Callers waiting for a slot, first at `head`; a finished call hands its slot to the next one.
  let waiting: ((() => void) | undefined)[] = [];
  let head = 0;
  const release = () => {
    const next = waiting[head];
    if (next === undefined) {
      active--;
      if (head > 0) [waiting, head] = [[], 0];
      return;
    }
    waiting[head++] = undefined;
    if (head >= 1024 && head * 2 >= waiting.length) [waiting, head] = [waiting.slice(head), 0];
    next();
  };
  const start = <T>(task: () => Promise<T>): Promise<T> => {
    let running: Promise<T>;
    try {
      running = task();
    } catch (err) {
      running = Promise.reject(err);
    }
    running.then(release, release);
    return running;
  };
  return <T>(task: () => Promise<T>): Promise<T> => {
    if (active < concurrency) {
      active++;
      return start(task);
    }
    return new Promise<void>((resolve) => waiting.push(resolve)).then(() => start(task));
  };
}
