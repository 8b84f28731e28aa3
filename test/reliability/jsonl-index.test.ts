import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JsonlIndex } from '../../src/io/jsonl-index.js';
import { readJsonlAt, readJsonlKeys, readJsonlLocated, setBadLinePolicy } from '../../src/io/jsonl.js';

const Row = z.object({ key: z.string(), text: z.string().nullable() });
const line = (key: string, text: string | null) => `${JSON.stringify({ key, text })}\n`;

let dir: string;
let file: string;
const reported: string[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'caps-jsonl-index-'));
  file = join(dir, 'rows.jsonl');
  reported.length = 0;
  setBadLinePolicy({ skip: false, report: (m) => reported.push(m) });
});
afterEach(() => {
  setBadLinePolicy({ skip: false, report: (m) => process.stderr.write(`caps: ${m}\n`) });
  rmSync(dir, { recursive: true, force: true });
});

/** Keeps the text's length as what memory holds; an answer without text is left out. */
const index = () => new JsonlIndex(file, Row, (r) => (r.text === null ? undefined : { length: r.text.length }));

describe('readJsonlLocated', () => {
  it('gives each record the byte offset and length of its line, across multi-byte text, CRLF and chunk boundaries', async () => {
    // 2.4 MB: the line runs over more than two read chunks (1 MiB), one of them without a newline.
    const long = '肺癌'.repeat(400_000);
    const text = [line('a', '发热三天'), `${JSON.stringify({ key: 'b', text: 'x' })}\r\n`, '\n', line('c', long), line('d', 'é')].join('');
    writeFileSync(file, text);
    const cursor = { offset: 0, line: 0 };
    const found = [];
    for await (const r of readJsonlLocated(file, Row, cursor)) found.push(r);
    expect(found.map((r) => r.record.key)).toEqual(['a', 'b', 'c', 'd']);
    expect(found[2].record.text).toBe(long);
    for (const r of found) expect(readJsonlAt(file, Row, r)).toEqual(r.record);
    expect(cursor).toEqual({ offset: Buffer.byteLength(text), line: 5 });
    // The key reader splits the same chunks into the same lines.
    const keys = [];
    for await (const batch of readJsonlKeys(file, Row)) keys.push(...batch);
    expect(keys).toEqual(found.map((r) => ({ key: r.record.key, offset: r.offset, bytes: r.bytes })));
  });

  it('reads an unfinished last line longer than a read chunk as unfinished, and whole once it is finished', async () => {
    writeFileSync(file, line('a', '1') + `{"key":"b","text":"${'x'.repeat(2_200_000)}`);
    const cursor = { offset: 0, line: 0 };
    const keys = [];
    for await (const r of readJsonlLocated(file, Row, cursor)) keys.push(r.record.key);
    expect(keys).toEqual(['a']);
    expect(reported).toEqual([`${file}:2: unfinished last line (a writer was stopped mid-line or is still writing); ignored`]);
    appendFileSync(file, '"}\n');
    for await (const r of readJsonlLocated(file, Row, cursor)) keys.push(r.record.key);
    expect(keys).toEqual(['a', 'b']);
    expect(cursor).toEqual({ offset: Buffer.byteLength(line('a', '1')) + 2_200_000 + 22, line: 2 });
  });

  it('leaves the cursor before an unfinished last line and reads it once it is finished', async () => {
    writeFileSync(file, line('a', '1') + '{"key":"b","te');
    const cursor = { offset: 0, line: 0 };
    const keys = [];
    for await (const r of readJsonlLocated(file, Row, cursor)) keys.push(r.record.key);
    expect(keys).toEqual(['a']);
    expect(reported.join('\n')).toMatch(/rows\.jsonl:2: unfinished last line/);
    appendFileSync(file, 'xt":"2"}\n');
    for await (const r of readJsonlLocated(file, Row, cursor)) keys.push(r.record.key);
    expect(keys).toEqual(['a', 'b']);
    expect(cursor.line).toBe(2);
  });
});

describe('JsonlIndex', () => {
  it("holds each key's latest record, reads it from the file, and takes in appended lines", async () => {
    writeFileSync(file, line('a', 'first') + line('b', null) + line('a', 'second'));
    const rows = index();
    await rows.refresh();
    expect([...rows.keys()]).toEqual(['a']);
    expect(rows.meta('a')).toEqual({ length: 6 });
    expect(await rows.read('a')).toEqual({ key: 'a', text: 'second' });
    appendFileSync(file, line('b', 'now answered') + line('a', null));
    await rows.refresh();
    expect([...rows.keys()]).toEqual(['b']);
    expect(await rows.read('b')).toEqual({ key: 'b', text: 'now answered' });
    expect(await rows.read('a')).toBeUndefined();
  });

  it('reads a file rewritten under it again whole: shorter, replaced, or with lines moved', async () => {
    writeFileSync(file, line('a', 'one') + line('b', 'two'));
    const rows = index();
    await rows.refresh();
    writeFileSync(file, line('b', '2'));
    await rows.refresh();
    expect([...rows.keys()]).toEqual(['b']);
    writeFileSync(join(dir, 'next.jsonl'), line('c', 'three') + line('d', 'four'));
    renameSync(join(dir, 'next.jsonl'), file);
    await rows.refresh();
    expect([...rows.keys()]).toEqual(['c', 'd']);
    // Same inode, longer, lines shifted: found when a read misses its key.
    writeFileSync(file, line('zz', 'padding') + line('c', 'three') + line('d', 'four!'));
    expect(await rows.read('d')).toEqual({ key: 'd', text: 'four!' });
  });

  it('keeps what it held when a refresh meets a bad line, and says where', async () => {
    writeFileSync(file, line('a', 'one'));
    const rows = index();
    await rows.refresh();
    appendFileSync(file, 'not json\n' + line('b', 'two'));
    await expect(rows.refresh()).rejects.toThrow(/rows\.jsonl: 1 line cannot be read/);
    expect(reported.join('\n')).toMatch(/rows\.jsonl:2: not valid JSON/);
    expect([...rows.keys()]).toEqual(['a']);
  });
});

describe('JsonlIndex with a lighter check while indexing', () => {
  it('indexes by key alone and says which line does not fit the whole record when it is read', async () => {
    writeFileSync(file, line('a', 'one') + JSON.stringify({ key: 'b', text: 42 }) + '\n');
    const rows = new JsonlIndex(file, Row, () => true as const, z.object({ key: z.string() }));
    await rows.refresh();
    expect([...rows.keys()]).toEqual(['a', 'b']);
    expect(await rows.read('a')).toEqual({ key: 'a', text: 'one' });
    await expect(rows.read('b')).rejects.toThrow(/rows\.jsonl: the line at byte 25 is not a record of this file \(text: /);
  });
});
