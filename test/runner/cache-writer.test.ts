import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CacheWriter, ResponseCache, type CachedAnswer } from '../../src/runner/cache.js';
import { BufferedJsonlAppender } from '../../src/io/jsonl.js';
import { contentHash } from '../../src/io/hash.js';

const identity = { baseURL: 'http://127.0.0.1:1/v1', model: 'echo' };
const answer = (n: number): CachedAnswer => ({ request_hash: contentHash({ n }), endpoint: identity, model: 'echo', text: `answer ${n}`, finish_reason: 'stop', usage: null, latency_ms: 1, created_at: '2026-01-01T00:00:00.000Z' });
const tempDir = () => mkdtempSync(join(tmpdir(), 'caps-cache-writer-'));
const failOnError = (err: unknown) => {
  throw err;
};

/** A cache that fails its next `failures` writes, as a full disk does, then writes for real. */
function fullDiskCache(dir: string, failures: number): ResponseCache {
  const cache = new ResponseCache(dir);
  const put = cache.put.bind(cache);
  cache.put = (entry) => {
    if (failures > 0) {
      failures--;
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    }
    put(entry);
  };
  return cache;
}

describe('CacheWriter', () => {
  it('writes the answers added in one turn of the event loop at its end, or at once on flush', async () => {
    const cache = new ResponseCache(tempDir());
    const writer = new CacheWriter(cache, failOnError);
    writer.add(answer(1));
    writer.add(answer(2));
    expect(cache.get(answer(1).request_hash, identity)).toBeUndefined();
    await nextTurn();
    expect(cache.get(answer(1).request_hash, identity)?.text).toBe('answer 1');
    expect(cache.get(answer(2).request_hash, identity)?.text).toBe('answer 2');
    writer.add(answer(3));
    writer.flush();
    expect(cache.get(answer(3).request_hash, identity)?.text).toBe('answer 3');
  });

  it('before an appender writes records, writes their answers to the cache; a failed cache write keeps the records unwritten until it succeeds', async () => {
    const dir = tempDir();
    const cache = fullDiskCache(join(dir, '.cache'), 1);
    const errors: unknown[] = [];
    const writer = new CacheWriter(cache, (err) => errors.push(err));
    const path = join(dir, 'responses.jsonl');
    const appender = new BufferedJsonlAppender(path, { maxLines: 256, maxDelayMs: 60_000, onError: failOnError, beforeWrite: () => writer.flush() });
    for (const n of [1, 2]) {
      writer.add(answer(n));
      appender.append({ request_hash: answer(n).request_hash });
    }
    expect(() => appender.flush()).toThrow(/ENOSPC/);
    expect(readFileSync(path, 'utf8')).toBe('');
    expect(cache.get(answer(1).request_hash, identity)).toBeUndefined();
    // The end-of-turn write found nothing left to write: the failed answers wait for the next flush.
    await nextTurn();
    expect(errors).toEqual([]);
    appender.close();
    const written = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { request_hash: string });
    expect(written.map((r) => r.request_hash)).toEqual([answer(1).request_hash, answer(2).request_hash]);
    for (const record of written) expect(cache.get(record.request_hash, identity)).toBeDefined();
  });

  it('reports a failed end-of-turn write to onError', async () => {
    const errors: unknown[] = [];
    const writer = new CacheWriter(fullDiskCache(tempDir(), 1), (err) => errors.push(err));
    writer.add(answer(1));
    await nextTurn();
    expect(errors).toHaveLength(1);
    writer.flush();
    expect(errors).toHaveLength(1);
  });
});
