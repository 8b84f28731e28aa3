import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BufferedJsonlAppender } from '../../src/io/jsonl.js';

const file = () => join(mkdtempSync(join(tmpdir(), 'caps-appender-')), 'lines.jsonl');
const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
const failOnError = (err: unknown) => {
  throw err;
};

describe('BufferedJsonlAppender', () => {
  it('with maxDelayMs 0 writes what arrived in one turn of the event loop at the end of that turn, in order', async () => {
    const path = file();
    const appender = new BufferedJsonlAppender(path, { maxLines: 256, maxDelayMs: 0, onError: failOnError });
    appender.append({ n: 1 });
    appender.append({ n: 2 });
    expect(lines(path)).toEqual([]);
    await nextTurn();
    expect(lines(path)).toEqual([{ n: 1 }, { n: 2 }]);
    appender.append({ n: 3 });
    await nextTurn();
    expect(lines(path)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    appender.close();
  });

  it('serialises a record when it writes it, not when it is appended (the caller goes on first)', async () => {
    const path = file();
    const appender = new BufferedJsonlAppender(path, { maxLines: 256, maxDelayMs: 0, onError: failOnError });
    let serialised = 0;
    appender.append({ n: 1, toJSON: () => (serialised++, { n: 1 }) });
    expect(serialised).toBe(0);
    await nextTurn();
    expect(serialised).toBe(1);
    expect(lines(path)).toEqual([{ n: 1 }]);
    appender.close();
  });

  it('writes at once when maxLines are waiting, and what waits on flush and close', async () => {
    const path = file();
    const appender = new BufferedJsonlAppender(path, { maxLines: 2, maxDelayMs: 60_000, onError: failOnError });
    appender.append({ n: 1 });
    expect(lines(path)).toEqual([]);
    appender.append({ n: 2 });
    expect(lines(path)).toEqual([{ n: 1 }, { n: 2 }]);
    appender.append({ n: 3 });
    appender.flush();
    expect(lines(path)).toHaveLength(3);
    appender.append({ n: 4 });
    appender.close();
    expect(lines(path)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
  });

  it('writes after maxDelayMs when fewer than maxLines wait', async () => {
    const path = file();
    const appender = new BufferedJsonlAppender(path, { maxLines: 256, maxDelayMs: 20, onError: failOnError });
    appender.append({ n: 1 });
    await nextTurn();
    expect(lines(path)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(lines(path)).toEqual([{ n: 1 }]);
    appender.close();
  });
});
