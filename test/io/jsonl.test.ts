import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonlAppender } from '../../src/io/jsonl.js';

describe('JsonlAppender', () => {
  it('ends a half-written last line before appending, and leaves whole lines alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'caps-jsonl-'));
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, '{"key":"a"}\n{"key":"b","te');
    const appender = new JsonlAppender(cut);
    appender.append({ key: 'c' });
    appender.close();
    expect(readFileSync(cut, 'utf8')).toBe('{"key":"a"}\n{"key":"b","te\n{"key":"c"}\n');
    const whole = join(dir, 'whole.jsonl');
    writeFileSync(whole, '{"key":"a"}\n');
    new JsonlAppender(whole).close();
    new JsonlAppender(join(dir, 'new.jsonl')).close();
    expect(readFileSync(whole, 'utf8')).toBe('{"key":"a"}\n');
    expect(readFileSync(join(dir, 'new.jsonl'), 'utf8')).toBe('');
  });
});
