/**
 * The fast reader (src/bank/plain-yaml.ts) against the full parser, `yaml`'s Document: on every
 * text either the fast reader declines, or it gives the same values and, for every path into
 * them, the same line, column and inline-ness. A text the full parser reports anything on (error
 * or warning) is never read fast, so its diagnostics stay the full parser's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readPlainYaml } from '../../src/bank/plain-yaml.js';
import { parseYamlDocument, type PathSegment } from '../../src/bank/source.js';

const REPO = join(import.meta.dirname, '..', '..');

/** Every path into the data, and beside each a key and an index that are not there (nearest-ancestor positions). */
function paths(data: unknown, prefix: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  out.push(prefix);
  if (Array.isArray(data)) {
    data.forEach((v, i) => paths(v, [...prefix, i], out));
    out.push([...prefix, data.length], [...prefix, 'absent']);
  } else if (data !== null && typeof data === 'object') {
    for (const [k, v] of Object.entries(data)) paths(v, [...prefix, k], out);
    out.push([...prefix, 'absent-key'], [...prefix, 0]);
  }
  return out;
}

/** Which reader read `text`: the fast one only where it agrees with the full parser in everything. */
function compare(text: string): 'plain' | 'full' {
  const full = parseYamlDocument('f.yaml', text);
  const plain = readPlainYaml(text);
  if (!full.source || full.diagnostics.length > 0) {
    expect(plain, `read fast though the full parser reports ${JSON.stringify(full.diagnostics.map((d) => d.code))} on ${JSON.stringify(text)}`).toBeNull();
    return 'full';
  }
  if (!plain) return 'full';
  const shown = JSON.stringify(text);
  expect(isDeepStrictEqual(plain.data, full.source.data), `values differ on ${shown}: ${JSON.stringify(plain.data)} vs ${JSON.stringify(full.source.data)}`).toBe(true);
  for (const path of paths(full.source.data)) {
    for (const target of ['value', 'key'] as const) {
      expect(plain.index.locate(path, target), `${target} of ${JSON.stringify(path)} in ${shown}`).toEqual(full.source.locator.locate(path, target));
    }
    expect(plain.index.isFlowMapping(path), `inline ${JSON.stringify(path)} in ${shown}`).toBe(full.source.locator.isFlowMapping(path));
  }
  const data = full.source.data;
  for (const key of [...(data && typeof data === 'object' ? Object.keys(data) : []), 'absent']) {
    expect(plain.index.hasTopLevelKey(key)).toBe(full.source.locator.hasTopLevelKey(key));
  }
  return 'plain';
}

const SCALARS = [
  '1e9', '1E9', '1e+9', '-1.5e-3', '1e999', '-1e999', '+1', '-0', '0', '007', '09', '0o17', '0O17', '0x1F', '0X1f', '-0x1', '0b101',
  '.5', '5.', '-.5', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '1_000', '1,000', '12345678901234567890', '9007199254740993', '0.1',
  '2024-01-01', '2024-01-01T10:00:00Z', '12:30:00', 'yes', 'no', 'on', 'off', 'y', '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True',
  'TRUE', 'tRUE', 'false', 'FALSE', '"1"', "'x'", "'it''s'", '中文', '单位 mg/kg，每日一次', '"\\u4e2d\\x41\\t\\N\\_\\L\\P\\e\\0\\/"', '"a\\\n  b"',
  '"multi\n  line"', "'multi\n\n  line'", 'plain\n  continued', 'a #c', 'a#c', '"  spaces  "', 'x\u00a0y', '\u3000全角', 'a   b', '[1, 2,]',
  '{a: 1, b: }', '{a, b}', '[a: 1]', '{"a":1}', '[{a: 1}]', '[? a : b]', '{}', '[]', '|\n  lit\n', '|-\n  lit\n\n', '>\n  folded\n  text\n',
  '|2\n    indented\n', '>+\n  keep\n\n', '| # comment\n  x\n', '&a x', '*a', '!!str 1', '!x y', '@x', '`x', '',
];

describe('the fast YAML reader agrees with the full parser', () => {
  it('on tricky scalars and collections in every position', () => {
    const contexts = [(s: string) => `k: ${s}\n`, (s: string) => `- ${s}\n`, (s: string) => `a:\n  - ${s}\n  - z\nb: ${s}\n`, (s: string) => `{k: ${s}}\n`, (s: string) => `[${s}]\n`, (s: string) => `${s}: v\n`, (s: string) => `- k: ${s}\n  k2: ${s}\n`];
    const read = { plain: 0, full: 0 };
    for (const scalar of SCALARS) for (const context of contexts) read[compare(context(scalar))]++;
    expect(read.plain).toBeGreaterThan(read.full);
  });

  it('on YAML documents that need the full parser', () => {
    for (const text of [
      '', '# only a comment\n', 'a: &x 1\nb: *x\n', 'a: &x {x: 1}\nb:\n  <<: *x\n', 'a: 1\rb: 2\n', '%YAML 1.1\n---\na: yes\n', 'a: !!binary aGk=\n',
      '---\na: 1\n---\nb: 2\n', '? [a]\n: 1\n', '~: 1\n', 'null: 1\n', '? \n: 1\n', 'true: a\n"true": b\n', 'a: [\n  1\n]\n', 'a:\n  b: [\n  1\n  ]\n', 'a: |2\n   x\n', '- "": "2024-0\\\n\n      1-01"\n', '- a\n-\tb\n', '\ta[]\n', 'a:\n- "x"b": 1\n', "a:\n- 'x' b: 1\n", 'a:\n- [x]b: 1\n', 'a: "x"#c\n',
    ]) {
      expect(compare(text), JSON.stringify(text)).toBe('full');
    }
  });

  it('on empty values, absent values, comments and line ends', () => {
    for (const text of [
      'a:\nb: 1\n', 'a:   \nb:\n', 'a: # note\nb: 1\n', 'a:\n  # note\nb:\n', '-\n- x\n-   # c\n', '- - \n  -\n', '? a\n? b\n: 1\n', '{a, b: 1}\n', '{a: , b: }\n',
      '[a, b, ]\n', 'a:\n  - x: \n    y:\n', 'k: v\r\nk2: v2\r\n', '- [a, b]\n-\n- {c: d}\n-\n', 'a: |\n\nb: >-\n\n', '? a\n:: 1\n', '- a:\n  -x: 1\n', '--- \na: 1\n...\n', '"a b": 1\n\'c\': 2\n',
      'a: [1, [2, [3]]]\nb: 1\n', 'x: [a,\n  b]\ny: 1\n', '~\n', 'a: {x: 1}\nb:\n  <<: {x: 2}\n', 'a: |\r\n  x\r\n  y\r\nb: c\r\n  d\r\n',
    ]) {
      compare(text);
    }
  });

  it('on every YAML file of this repository', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory() && !['node_modules', 'dist', '.git'].includes(entry.name)) walk(join(dir, entry.name));
        else if (/\.ya?ml$/.test(entry.name)) files.push(join(dir, entry.name));
      }
    };
    for (const dir of ['questions', 'templates', 'rubrics', 'test/fixtures']) walk(join(REPO, dir));
    expect(files.length).toBeGreaterThan(40);
    const read = files.map((f) => compare(readFileSync(f, 'utf8')));
    expect(read.filter((r) => r === 'plain').length).toBeGreaterThanOrEqual(16);
  });

  const piece = fc.constantFrom(
    'a', 'z', '中', '药', ' ', ':', ': ', '#', ' #', '-', '- ', '?', "'", '"', '\\', '\t', '\n', '|', '>', '{', '}', '[', ']', ',', '.', '0', '1', 'e', 'E',
    '+', 'x', '_', '~', '\u00a0', '\u3000', '\u2028', '\r', '\r\n', 'null', 'true', 'yes', '.inf', '1e9', '0x1F', '2024-01-01', '__proto__',
  );
  const text = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));
  const value = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null)),
      fc.array(tie('v'), { maxLength: 4 }),
      fc.dictionary(text, tie('v'), { maxKeys: 4 }),
    ),
  })).v;
  const yamlOptions = fc.record({
    collectionStyle: fc.constantFrom('any', 'block', 'flow'),
    defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
    defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE'),
    indent: fc.constantFrom(2, 4),
    indentSeq: fc.boolean(),
    lineWidth: fc.constantFrom(0, 12, 80),
    minContentWidth: fc.constantFrom(0, 20),
  } as const);
  const jsYamlOptions = fc.record({ flowLevel: fc.constantFrom(-1, 1, 2), lineWidth: fc.constantFrom(-1, 12, 80), indent: fc.constantFrom(2, 3), quoteStyle: fc.constantFrom('single', 'double'), forceQuotes: fc.boolean() } as const);
  const written = fc.oneof(
    fc.tuple(value, yamlOptions).map(([v, options]) => stringify(v, options)),
    fc.tuple(value, jsYamlOptions).map(([v, options]) => dump(v, { ...options, noRefs: true })),
  );
  const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('insert', 'delete', 'duplicate-line', 'indent'), piece, length: fc.integer({ min: 1, max: 4 }) });
  const mutate = (source: string, edits: { at: number; kind: string; piece: string; length: number }[]) =>
    edits.reduce((s, e) => {
      const at = s.length === 0 ? 0 : e.at % s.length;
      const lineStart = s.lastIndexOf('\n', at - 1) + 1;
      const lineEnd = s.indexOf('\n', at) < 0 ? s.length : s.indexOf('\n', at) + 1;
      if (e.kind === 'insert') return s.slice(0, at) + e.piece + s.slice(at);
      if (e.kind === 'delete') return s.slice(0, at) + s.slice(at + e.length);
      if (e.kind === 'duplicate-line') return s.slice(0, lineEnd) + s.slice(lineStart, lineEnd) + s.slice(lineEnd);
      return s.slice(0, lineStart) + ' '.repeat(e.length) + s.slice(lineStart);
    }, source);

  // FUZZ_RUNS=50000 searches longer.
  const runs = Number(process.env.FUZZ_RUNS ?? 2000);

  it('on generated documents, in the styles both serializers write', () => {
    const read = { plain: 0, full: 0 };
    fc.assert(fc.property(written, (source) => void read[compare(source)]++), { numRuns: runs });
    expect(read.plain).toBeGreaterThan(runs / 2);
  });

  it('on generated documents with random edits, broken ones included', () => {
    const read = { plain: 0, full: 0 };
    fc.assert(fc.property(written, fc.array(edit, { minLength: 1, maxLength: 3 }), (source, edits) => void read[compare(mutate(source, edits))]++), { numRuns: runs });
    expect(read.plain).toBeGreaterThan(runs / 5);
  });
});
