/**
 * Texts both YAML reader tests run on: tricky scalars in every position, documents written by
 * both serializers in all their styles, random edits of them, and the repository's YAML files.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { stringify } from 'yaml';

const REPO = join(import.meta.dirname, '..', '..');

export const SCALARS = [
  '1e9', '1E9', '1e+9', '-1.5e-3', '1e999', '-1e999', '+1', '-0', '0', '007', '09', '0o17', '0O17', '0x1F', '0X1f', '-0x1', '0b101',
  '.5', '5.', '-.5', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '1_000', '1,000', '12345678901234567890', '9007199254740993', '0.1',
  '2024-01-01', '2024-01-01T10:00:00Z', '12:30:00', 'yes', 'no', 'on', 'off', 'y', '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True',
  'TRUE', 'tRUE', 'false', 'FALSE', '"1"', "'x'", "'it''s'", '中文', '单位 mg/kg，每日一次', '"\\u4e2d\\x41\\t\\N\\_\\L\\P\\e\\0\\/"', '"a\\\n  b"',
  '"multi\n  line"', "'multi\n\n  line'", 'plain\n  continued', 'a #c', 'a#c', '"  spaces  "', 'x\u00a0y', '\u3000全角', 'a   b', '[1, 2,]',
  '{a: 1, b: }', '{a, b}', '[a: 1]', '{"a":1}', '[{a: 1}]', '[? a : b]', '{}', '[]', '|\n  lit\n', '|-\n  lit\n\n', '>\n  folded\n  text\n',
  '|2\n    indented\n', '>+\n  keep\n\n', '| # comment\n  x\n', '&a x', '*a', '!!str 1', '!x y', '@x', '`x', '',
];

/** Places a scalar can stand in a document. */
export const CONTEXTS = [(s: string) => `k: ${s}\n`, (s: string) => `- ${s}\n`, (s: string) => `a:\n  - ${s}\n  - z\nb: ${s}\n`, (s: string) => `{k: ${s}}\n`, (s: string) => `[${s}]\n`, (s: string) => `${s}: v\n`, (s: string) => `- k: ${s}\n  k2: ${s}\n`];

export const piece = fc.constantFrom(
  'a', 'z', '中', '药', ' ', ':', ': ', '#', ' #', '-', '- ', '?', "'", '"', '\\', '\t', '\n', '|', '>', '{', '}', '[', ']', ',', '.', '0', '1', 'e', 'E',
  '+', 'x', '_', '~', '\u00a0', '\u3000', '\u2028', '\r', '\r\n', 'null', 'true', 'yes', '.inf', '1e9', '0x1F', '2024-01-01', '__proto__',
);
const text = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));
export const value = fc.letrec((tie) => ({
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
export const written = fc.oneof(
  fc.tuple(value, yamlOptions).map(([v, options]) => stringify(v, options)),
  fc.tuple(value, jsYamlOptions).map(([v, options]) => dump(v, { ...options, noRefs: true })),
);
export const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('insert', 'delete', 'duplicate-line', 'indent'), piece, length: fc.integer({ min: 1, max: 4 }) });
export const mutate = (source: string, edits: { at: number; kind: string; piece: string; length: number }[]) =>
  edits.reduce((s, e) => {
    const at = s.length === 0 ? 0 : e.at % s.length;
    const lineStart = s.lastIndexOf('\n', at - 1) + 1;
    const lineEnd = s.indexOf('\n', at) < 0 ? s.length : s.indexOf('\n', at) + 1;
    if (e.kind === 'insert') return s.slice(0, at) + e.piece + s.slice(at);
    if (e.kind === 'delete') return s.slice(0, at) + s.slice(at + e.length);
    if (e.kind === 'duplicate-line') return s.slice(0, lineEnd) + s.slice(lineStart, lineEnd) + s.slice(lineEnd);
    return s.slice(0, lineStart) + ' '.repeat(e.length) + s.slice(lineStart);
  }, source);

/** FUZZ_RUNS=50000 searches longer. */
export const runs = Number(process.env.FUZZ_RUNS ?? 2000);

/** Every YAML file under the repository's folders of banks, templates and fixtures. */
export function repositoryYamlFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !['node_modules', 'dist', '.git'].includes(entry.name)) walk(join(dir, entry.name));
      else if (/\.ya?ml$/.test(entry.name)) files.push(join(dir, entry.name));
    }
  };
  for (const dir of ['questions', 'templates', 'rubrics', 'test/fixtures']) walk(join(REPO, dir));
  return files;
}
