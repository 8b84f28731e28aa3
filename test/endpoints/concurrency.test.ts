import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from '../../src/endpoints/concurrency.js';

/** A task that resolves (or rejects) when told, recording when it started. */
function gate<T>(started: string[], name: string) {
  let settle!: { resolve: (v: T) => void; reject: (e: unknown) => void };
  const task = () => {
    started.push(name);
    return new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  };
  return { task, settle: () => settle };
}

describe('concurrencyLimit', () => {
  it('starts a call at once, in the caller\'s turn, while there is room', () => {
    const limit = concurrencyLimit(2);
    const started: string[] = [];
    void limit(gate(started, 'a').task);
    void limit(gate(started, 'b').task);
    expect(started).toEqual(['a', 'b']);
  });

  it('runs at most `concurrency` at once and starts the waiting ones in call order as slots free', async () => {
    const limit = concurrencyLimit(2);
    const started: string[] = [];
    const gates = ['a', 'b', 'c', 'd', 'e'].map((n) => gate<string>(started, n));
    const results = gates.map((g, i) => limit(g.task).then((v) => `${i}:${v}`));
    expect(started).toEqual(['a', 'b']);
    gates[1].settle().resolve('B');
    await results[1];
    await Promise.resolve();
    expect(started).toEqual(['a', 'b', 'c']);
    gates[0].settle().reject(new Error('A failed'));
    await expect(results[0]).rejects.toThrow('A failed');
    await Promise.resolve();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    gates[2].settle().resolve('C');
    gates[3].settle().resolve('D');
    await Promise.all([results[2], results[3]]);
    await Promise.resolve();
    gates[4].settle().resolve('E');
    expect(await Promise.all(results.slice(1))).toEqual(['1:B', '2:C', '3:D', '4:E']);
  });

  it('frees the slot of a call that throws before returning a promise', async () => {
    const limit = concurrencyLimit(1);
    await expect(limit(() => { throw new Error('bad'); })).rejects.toThrow('bad');
    expect(await limit(async () => 'next')).toBe('next');
  });

  it('keeps the bound over many waiting calls and after the queue empties', async () => {
    const limit = concurrencyLimit(3);
    let running = 0;
    let peak = 0;
    const task = async (i: number) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setImmediate(r));
      running--;
      return i;
    };
    for (const n of [5000, 10]) {
      peak = 0;
      const done = await Promise.all(Array.from({ length: n }, (_, i) => limit(() => task(i))));
      expect(done).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(peak).toBe(3);
    }
  });

  it('refuses a concurrency below 1', () => {
    expect(() => concurrencyLimit(0)).toThrow(RangeError);
  });
});
