/**
 * The keys of a keyed JSONL file read without checking whole records (the first pass of a
 * scoring): a key read from a line's bytes must be the key JSON.parse finds, whoever wrote the
 * line, and a line with no key is reported as every reader reports it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { z } from 'zod';
import { keyOfLine, readJsonlKeys, readJsonlLocated, setBadLinePolicy, type JsonlKey } from '../../src/io/jsonl.js';
import { UserError } from '../../src/errors.js';

const Row = z.object({ key: z.string(), text: z.string() });

/** What JSON.parse makes of the line's key: the reference every key read must agree with. */
function parsedKey(line: string): string | undefined {
  try {
    const value = JSON.parse(line) as { key?: unknown } | null;
    return value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value.key === 'string' ? value.key : undefined;
  } catch {
    return undefined;
  }
}

const LINES = [
  // As this harness writes them.
  JSON.stringify({ key: 'm|q1|clean|t0|s0', text: 'an answer' }),
  JSON.stringify({ key: '模型|题1|clean|t0|s0', text: '回答：肿瘤' }),
  // Escapes in the key: a quote, a backslash, a line break, a \u escape.
  JSON.stringify({ key: 'a"b', text: 'x' }),
  JSON.stringify({ key: 'a\\b', text: 'x' }),
  JSON.stringify({ key: 'a\nb', text: 'x' }),
  '{"key":"\\u6a21\\u578b|q1","text":"x"}',
  // Odd spacing, the key not first, other tools' layouts.
  '{ "key" : "spaced", "text": "x" }',
  '{"key": "python", "text": "\\u4e2d\\u6587"}',
  '{"text":"x","key":"last"}',
  '\t{"key":"indented","text":"x"}  ',
  '{"key":"crlf","text":"x"}\r',
  // A nested "key" before and after the record's own.
  '{"meta":{"key":"nested"},"key":"outer","text":"x"}',
  '{"key":"outer","meta":{"key":"nested"},"text":"x"}',
  // Repeated names: JSON.parse keeps the last, also when spelled with escapes.
  '{"key":"first","text":"x","key":"second"}',
  '{"key":"first","text":"x","k\\u0065y":"escaped"}',
  '{"key":"first","text":"x","\\u006Bey":"escaped upper"}',
  // "key" inside a string value is not a name.
  '{"key":"real","text":"the \\"key\\": is \\u00e9 here"}',
  // Not a string key, not an object, not JSON, cut short.
  '{"key":5,"text":"x"}',
  '{"key":null}',
  '["key","x"]',
  '{"key":"cut","text":"trunc',
  '{"key":"cut"} trailing',
  '{"key":"ctl\u0001","text":"x"}',
  '\u0000\u0000\u0000',
  '',
];

describe('keyOfLine', () => {
  it('finds the key JSON.parse finds on every line, or none where it finds none', () => {
    for (const line of LINES) expect(keyOfLine(Buffer.from(line)), line).toBe(parsedKey(line));
  });
});

/**
 * Lines that begin and end as this harness writes them but are not JSON: the key is read from
 * their bytes all the same (no line is parsed whole here); the full read reports them.
 */
const NOT_JSON_KEYED = ['{"key":"a","t":"x"}}', '{"key":"a",}', '{"key":"a","t":"x\u0000y"}', '{"key":"a","usage":{"n":1}'];

describe('keyOfLine on lines that are not JSON', () => {
  it('gives the key of a line that starts and ends as a record, whose full read then fails', async () => {
    for (const line of NOT_JSON_KEYED) {
      expect(keyOfLine(Buffer.from(line)), line).toBe('a');
      expect(parsedKey(line), line).toBeUndefined();
    }
    const path = join(mkdtempSync(join(tmpdir(), 'caps-keys-')), 'rows.jsonl');
    writeFileSync(path, `${NOT_JSON_KEYED.join('\n')}\n`);
    const reported: string[] = [];
    setBadLinePolicy({ skip: true, report: (m) => reported.push(m) });
    try {
      for await (const row of readJsonlLocated(path, Row, { offset: 0, line: 0 })) expect.fail(`read as a record: ${JSON.stringify(row.record)}`);
    } finally {
      setBadLinePolicy({ skip: false, report: (m) => process.stderr.write(`caps: ${m}\n`) });
    }
    expect(reported).toEqual([
      `${path}:1: not valid JSON; skipped (--skip-bad-lines)`,
      `${path}:2: not valid JSON; skipped (--skip-bad-lines)`,
      `${path}:3: holds NUL bytes (overwritten or damaged); skipped (--skip-bad-lines)`,
      `${path}:4: not valid JSON; skipped (--skip-bad-lines)`,
    ]);
  });
});

describe('readJsonlKeys', () => {
  const reported: string[] = [];
  afterEach(() => {
    reported.length = 0;
    setBadLinePolicy({ skip: false, report: (m) => process.stderr.write(`caps: ${m}\n`) });
  });

  async function keysOf(path: string): Promise<JsonlKey[]> {
    const all: JsonlKey[] = [];
    for await (const batch of readJsonlKeys(path, Row)) all.push(...batch);
    return all;
  }

  it('gives each keyed line where the full read finds it, and reports the lines without a key as the full read does', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'caps-keys-')), 'rows.jsonl');
    const rows = ['{"key":"a","text":"one"}', '{"text":"two","key":"b"}', 'not json', '', '{"text":"no key"}', '{"key":"a","text":"again"}'];
    writeFileSync(path, `${rows.join('\n')}\n{"key":"unfinished"`);
    setBadLinePolicy({ skip: true, report: (m) => reported.push(m) });
    const keys = await keysOf(path);
    const fromKeys = [...reported];
    reported.length = 0;
    const located = [];
    for await (const row of readJsonlLocated(path, Row, { offset: 0, line: 0 })) located.push({ key: row.record.key, offset: row.offset, bytes: row.bytes });
    expect(keys).toEqual(located);
    expect(fromKeys).toEqual(reported);
    expect(fromKeys).toEqual([
      `${path}:3: not valid JSON; skipped (--skip-bad-lines)`,
      expect.stringMatching(new RegExp(`^${path}:5: not a record of this file: key: .*; skipped`)),
      `${path}:7: unfinished last line (a writer was stopped mid-line or is still writing); ignored`,
    ]);
  });

  it('fails on a line without a key unless skipping is accepted', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'caps-keys-')), 'rows.jsonl');
    writeFileSync(path, '{"key":"a","text":"one"}\n{"hello":"world"}\n');
    setBadLinePolicy({ skip: false, report: (m) => reported.push(m) });
    await expect(keysOf(path)).rejects.toThrow(UserError);
    expect(reported).toEqual([expect.stringMatching(new RegExp(`^${path}:2: not a record of this file: .*; cannot be read$`))]);
  });
});
