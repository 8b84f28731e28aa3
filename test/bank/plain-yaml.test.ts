/**
 * The event reader (src/bank/plain-yaml.ts) against the full parser, `yaml`'s Document: on every
 * text either the event reader declines, or it gives the same values and, for every path into
 * them, the same line, column and inline-ness. A text the full parser reports anything on (error
 * or warning) is never read fast, so its diagnostics stay the full parser's.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readPlainYaml } from '../../src/bank/plain-yaml.js';
import { parseYamlDocument, type PathSegment } from '../../src/bank/source.js';
import { CONTEXTS, edit, mutate, repositoryYamlFiles, runs, SCALARS, written } from './yaml-texts.js';

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

describe('the fast YAML reader agrees with the full parser', () => {
  it('on tricky scalars and collections in every position', () => {
    const read = { plain: 0, full: 0 };
    for (const scalar of SCALARS) for (const context of CONTEXTS) read[compare(context(scalar))]++;
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
    const files = repositoryYamlFiles();
    expect(files.length).toBeGreaterThan(40);
    const read = files.map((f) => compare(readFileSync(f, 'utf8')));
    expect(read.filter((r) => r === 'plain').length).toBeGreaterThanOrEqual(16);
  });

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
