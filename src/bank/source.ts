/**
 * Reading one YAML file with positions: any path into the data (e.g.
 * items.3.rubric.points.0.score) maps back to a line and column. Block-style YAML is read in
 * one pass over the text (src/bank/fast-yaml.ts), other plain YAML from js-yaml's events
 * (src/bank/plain-yaml.ts), with the same values and positions either way; anything else, and every file with a syntax error, by `yaml`'s
 * Document, whose nodes keep their source ranges. Unreadable, binary, non-UTF-8 and
 * syntactically broken files become diagnostics.
 */
import { readFileSync, statSync } from 'node:fs';
import { Alias, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { Diagnostic, Severity } from './diagnostic.js';
import { readFastYaml } from './fast-yaml.js';
import { readPlainYaml } from './plain-yaml.js';

/** Larger files are refused rather than risking the memory of a CI runner; banks split into files. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** Past this many syntax errors a file is usually not YAML at all; more lines would only bury the first. */
export const MAX_SYNTAX_ERRORS = 20;

export interface YamlSource {
  file: string;
  /** The document as plain data. */
  data: unknown;
  /** Where the nodes of `data` are written. */
  locator: Locator;
}

/** Paths into a file's data mapped back to the text. */
export interface Locator {
  /** Line and column of the node at `path`, or of its nearest existing ancestor. `key` points at the key itself. */
  locate(path: readonly PathSegment[], target?: 'key' | 'value'): Position;
  /** Whether the node at `path` is a mapping written inline, `{ a: 1, b: 2 }`. */
  isFlowMapping(path: readonly PathSegment[]): boolean;
  /** Whether the root is a mapping with this key. */
  hasTopLevelKey(key: string): boolean;
}

export type SourceResult = { source: YamlSource; diagnostics: Diagnostic[] } | { source: null; diagnostics: Diagnostic[] };

export interface Position {
  line: number;
  col: number;
}

export type PathSegment = string | number;

export function readYamlSource(file: string): SourceResult {
  try {
    const size = statSync(file).size;
    if (size > MAX_FILE_BYTES) {
      return failure(file, 1, 1, 'file-too-large', `file is ${(size / 1048576).toFixed(1)} MB, above the ${MAX_FILE_BYTES / 1048576} MB limit; split the bank into several files with the same bank: id`);
    }
    return parseYamlSource(file, readFileSync(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a folder' : (err as Error).message;
    return failure(file, 1, 1, 'file-unreadable', `cannot read this file (${reason})`);
  }
}

/** Decodes and parses file content; never throws. */
export function parseYamlSource(file: string, bytes: Uint8Array): SourceResult {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const at = offsetPosition(new TextDecoder().decode(bytes.subarray(0, nul)), nul);
    return failure(file, at.line, at.col, 'not-text', 'this is not a text file (it contains binary data); a bank is YAML text saved as UTF-8');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const at = offsetPosition(lenient, lenient.indexOf('\uFFFD'));
    return failure(file, at.line, at.col, 'not-utf8', 'this file is not UTF-8 text (perhaps saved as GBK/GB18030 or Latin-1); save it again with UTF-8 encoding');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const plain = readFastYaml(text) ?? readPlainYaml(text);
  return plain ? { source: { file, data: plain.data, locator: plain.index }, diagnostics: [] } : parseYamlDocument(file, text);
}

/** Any YAML text, by `yaml`'s Document: the reading every diagnostic and position is defined by. */
export function parseYamlDocument(file: string, text: string): SourceResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, keepSourceTokens: false });
  if (doc.errors.length > 0) return { source: null, diagnostics: syntaxDiagnostics(file, text, doc, lineCounter) };

  const diagnostics: Diagnostic[] = doc.warnings.map((w) => {
    const at = lineCounter.linePos(w.pos[0]);
    return { file, line: at.line, col: at.col, severity: 'warning', code: 'yaml-warning', message: firstLine(w.message) };
  });
  if (doc.contents === null) {
    return failure(file, 1, 1, 'empty-file', 'file is empty; a bank file starts with bank:, version: and items:');
  }
  const unresolved = unresolvedAlias(doc);
  if (unresolved) {
    const at = lineCounter.linePos(unresolved.range?.[0] ?? 0);
    return failure(file, at.line, at.col, 'yaml-syntax', `alias *${unresolved.source} refers to no anchor &${unresolved.source} above it; define the anchor first or write the value out`);
  }
  try {
    return { source: { file, data: doc.toJS({ maxAliasCount: 1000 }), locator: new DocumentLocator(doc, lineCounter) }, diagnostics };
  } catch (err) {
    return failure(file, 1, 1, 'yaml-syntax', `the YAML cannot be read: ${firstLine((err as Error).message)}`);
  }
}

/** Line and column of the node at `path`, or of its nearest existing ancestor. `key` points at the key itself. */
export function locate(source: YamlSource, path: readonly PathSegment[], target: 'key' | 'value' = 'value'): Position {
  return source.locator.locate(path, target);
}

/** Whether the mapping at `path` is written inline, `{ a: 1, b: 2 }`, where a comma starts a new key. */
export function isFlowMapping(source: YamlSource, path: readonly PathSegment[]): boolean {
  return source.locator.isFlowMapping(path);
}

/** Positions from the ranges of a `yaml` Document's nodes. */
class DocumentLocator implements Locator {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lineCounter: LineCounter,
  ) {}

  locate(path: readonly PathSegment[], target: 'key' | 'value' = 'value'): Position {
    const { node, keyNode } = this.walk(path);
    const chosen = target === 'key' && keyNode ? keyNode : (node as Node | null);
    const offset = chosen?.range?.[0] ?? keyNode?.range?.[0] ?? 0;
    return this.lineCounter.linePos(offset);
  }

  isFlowMapping(path: readonly PathSegment[]): boolean {
    const { node, complete } = this.walk(path);
    const resolved = isAlias(node) ? node.resolve(this.doc) : node;
    return complete && isMap(resolved) && resolved.flow === true;
  }

  hasTopLevelKey(key: string): boolean {
    const root = this.doc.contents;
    return isMap(root) && root.items.some((p) => keyText(p.key) === key);
  }

  private walk(path: readonly PathSegment[]): { node: unknown; keyNode: Node | undefined; complete: boolean } {
    let node: unknown = this.doc.contents;
    let keyNode: Node | undefined;
    let depth = 0;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => keyText(p.key) === String(segment));
        if (!pair) break;
        keyNode = pair.key as Node;
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] != null) {
        keyNode = undefined;
        node = node.items[segment];
      } else {
        break;
      }
      depth++;
    }
    return { node, keyNode, complete: depth === path.length };
  }
}

export function diagnoseAt(
  source: YamlSource,
  path: readonly PathSegment[],
  severity: Severity,
  code: string,
  message: string,
  options: { item?: string; target?: 'key' | 'value' } = {},
): Diagnostic {
  const at = locate(source, path, options.target);
  return { file: source.file, line: at.line, col: at.col, severity, ...(options.item ? { item: options.item } : {}), code, message };
}

/** Whether the top-level mapping of the document has this key (taxonomy files have `taxonomy:`). */
export function hasTopLevelKey(source: YamlSource, key: string): boolean {
  return source.locator.hasTopLevelKey(key);
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function failure(file: string, line: number, col: number, code: string, message: string): SourceResult {
  return { source: null, diagnostics: [{ file, line, col, severity: 'error', code, message }] };
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

function offsetPosition(text: string, offset: number): Position {
  const before = text.slice(0, Math.max(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, col: lines[lines.length - 1].length + 1 };
}

function unresolvedAlias(doc: Document.Parsed): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias(_key, alias) {
      if (alias.resolve(doc) === undefined) {
        found = alias;
        return visit.BREAK;
      }
    },
  });
  return found;
}

const INDENTATION_CODES = new Set(['BAD_INDENT', 'BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY', 'BAD_DIRECTIVE']);

/** YAML syntax errors in the same file:line:col form, phrased for people who write rubrics, not parsers. */
function syntaxDiagnostics(file: string, text: string, doc: Document.Parsed, lineCounter: LineCounter): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const error of doc.errors) {
    let offset = error.pos[0];
    const yamlSays = firstLine(error.message);
    let code = 'yaml-syntax';
    let message = `YAML syntax error: ${yamlSays}`;
    if (error.code === 'TAB_AS_INDENT') {
      code = 'yaml-tab';
      message = 'a tab is used to indent this line; YAML indentation must use spaces (set your editor to insert spaces for tabs)';
    } else if (error.code === 'DUPLICATE_KEY') {
      code = 'yaml-duplicate-key';
      const key = /^[^:\n]*/.exec(text.slice(offset))?.[0].trim() ?? '';
      message = `key "${key}" appears twice in the same block; keep only one of them`;
    } else if (error.code === 'MISSING_CHAR' && /quote/.test(yamlSays)) {
      code = 'yaml-unclosed-quote';
      const quoted = openQuote(doc, offset);
      if (quoted !== undefined) offset = quoted;
      const mark = text[offset] === "'" ? "'" : '"';
      message = `this quoted text is never closed; add the closing ${mark} at its end (or remove the opening ${mark})`;
    } else if (error.code === 'MULTIPLE_DOCS') {
      code = 'yaml-multiple-documents';
      message = 'a bank file holds one YAML document; remove this "---" line or move what follows into a file of its own';
    } else if (INDENTATION_CODES.has(error.code) || /without - indicator/.test(yamlSays)) {
      code = 'yaml-indentation';
      message = `the indentation is wrong here: keys of one block must start at the same column, and each list entry starts with "- " (YAML says: ${yamlSays})`;
    }
    const at = lineCounter.linePos(offset);
    // Errors reported at the start of an indented line are about its first character.
    const indent = /^[ ]*/.exec(text.slice(offset, offset + 200))![0].length;
    const col = at.col === 1 && code !== 'yaml-tab' ? indent + 1 : at.col;
    const key = `${at.line}:${col}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push({ file, line: at.line, col, severity: 'error', code, message });
    if (diagnostics.length === MAX_SYNTAX_ERRORS) {
      if (doc.errors.length > MAX_SYNTAX_ERRORS) {
        diagnostics.push({ file, line: at.line, col, severity: 'error', code: 'yaml-syntax', message: `${doc.errors.length - MAX_SYNTAX_ERRORS} more YAML errors follow; is this file YAML at all?` });
      }
      break;
    }
  }
  return diagnostics;
}

/** Start of the quoted scalar an "unclosed quote" error at `offset` belongs to. */
function openQuote(doc: Document.Parsed, offset: number): number | undefined {
  let start: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      const range = node.range;
      if (range && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && range[0] < offset && offset <= range[2]) {
        start = range[0];
      }
    },
  });
  return start;
}
