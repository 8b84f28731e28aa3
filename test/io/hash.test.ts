import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash, sha256 } from '../../src/io/hash.js';
import { createHash } from 'node:crypto';

/** The definition canonicalJson must keep: JSON.stringify rebuilding every object with sorted keys. */
const byReplacer = (value: unknown) =>
  JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])) : v,
  );

describe('canonicalJson', () => {
  const values: unknown[] = [
    null,
    0,
    -0,
    1.5e300,
    NaN,
    -Infinity,
    'plain',
    '中文 "quoted" \\ \n \u2028 \ud800',
    true,
    [],
    {},
    [1, undefined, () => 1, Symbol('s'), null, [2, [3]]],
    { b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined, f: () => 1 }, é: 'x', A: 2 },
    { 10: 'ten', 2: 'two', b: 1, '01': 'not an index', '-1': 'neither', 4294967295: 'too large', 4294967294: 'largest index' },
    { when: new Date(Date.UTC(2026, 0, 2)), boxed: [new Number(3), new String('s'), new Boolean(false)] },
    { nested: { toJSON: () => ({ y: 1, x: 2 }) } },
    { endpoint: { baseURL: 'http://127.0.0.1:1/v1', model: 'm' }, params: { temperature: 0, seed: 3 }, messages: [{ role: 'user', content: '问题' }], sample: 0 },
  ];
  it('writes the same text as JSON.stringify with a key-sorting replacer', () => {
    for (const value of values) expect(canonicalJson(value)).toBe(byReplacer(value));
  });
  it('writes the same text on generated values, keys that look like indexes and repeated keys included', () => {
    const key = fc.oneof(fc.string(), fc.constantFrom('id', 'text', '0', '7', '01', '4294967294', '4294967295', '-1', '__proto__', '"q"', '中'));
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.anything(), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(key, tie('v'), { maxKeys: 5 })),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(byReplacer(v));
      }),
      { numRuns: 2000 },
    );
  });
  it('sorts keys at every depth, so equal values hash equally', () => {
    expect(contentHash({ a: 1, b: [{ d: 1, c: 2 }] })).toBe(contentHash({ b: [{ c: 2, d: 1 }], a: 1 }));
  });
  it('sha256 is the hex SHA-256 of the UTF-8 text', () => {
    for (const text of ['', 'abc', '中文']) expect(sha256(text)).toBe(createHash('sha256').update(text).digest('hex'));
  });
});
