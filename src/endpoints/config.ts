/**
 * Loads `caps.config.yaml` and reports every mistake as `file:line:col message`, like the
 * bank loader, with a did-you-mean hint for misspelt keys.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { CapsConfig } from '../schema/config.js';
import { UserError } from '../errors.js';

export function loadConfig(path: string): CapsConfig {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`${path}: cannot read the config (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Copy caps.config.example.yaml and edit it.`);
  }
  return parseConfig(source, path);
}

/** Parses config text; `file` names it in messages. */
export function parseConfig(source: string, file: string): CapsConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    throw new UserError(doc.errors.map((e) => `${at(e.pos[0])} error ${e.message.split('\n')[0]}`).join('\n'));
  }
  const parsed = CapsConfig.safeParse(doc.toJS() ?? {});
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(CapsConfig, path);
      return issue.keys
        .map((key) => {
          const hint = closest(key, known);
          const where = at(keyOffset(doc, path, key));
          return `${where} error unknown key "${key}" at ${describePath(path)}${hint ? `; did you mean "${hint}"?` : `; allowed: ${known.join(', ')}`}`;
        })
        .join('\n');
    }
    return `${at(nodeOffset(doc, path))} error ${describePath(path)}: ${issue.message}`;
  });
  throw new UserError(lines.join('\n'));
}

function describePath(path: (string | number)[]): string {
  return path.length === 0 ? '(top level)' : path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
}

/** Offset of the deepest node on the path that exists (a missing key points at its parent). */
function nodeOffset(doc: Document, path: (string | number)[]): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as Node | undefined;
    if (node && node.range) return node.range[0];
  }
  return 0;
}

function keyOffset(doc: Document, path: (string | number)[], key: string): number {
  const parent = path.length === 0 ? doc.contents : (doc.getIn(path, true) as Node | undefined);
  if (isMap(parent)) {
    for (const pair of parent.items) {
      if (isPair(pair) && isScalar(pair.key) && pair.key.value === key && pair.key.range) return pair.key.range[0];
    }
  }
  return nodeOffset(doc, path);
}

/** The keys a strict object schema allows at a path (for did-you-mean hints). */
function knownKeysAt(schema: z.ZodType, path: (string | number)[]): string[] {
  let current: unknown = schema;
  const unwrap = (s: unknown): unknown => {
    let node = s as { def?: { type: string; innerType?: unknown; in?: unknown } };
    while (node?.def && ['optional', 'default', 'nullable', 'pipe', 'prefault'].includes(node.def.type)) {
      node = (node.def.type === 'pipe' ? node.def.in : node.def.innerType) as typeof node;
    }
    return node;
  };
  for (const segment of path) {
    const node = unwrap(current) as { def: { type: string; shape?: Record<string, unknown>; element?: unknown; valueType?: unknown } };
    if (node.def.type === 'object' && typeof segment === 'string') current = node.def.shape?.[segment];
    else if (node.def.type === 'array') current = node.def.element;
    else if (node.def.type === 'record') current = node.def.valueType;
    else return [];
  }
  const node = unwrap(current) as { def?: { type: string; shape?: Record<string, unknown> } };
  return node?.def?.type === 'object' ? Object.keys(node.def.shape ?? {}) : [];
}

/** The known key nearest to a misspelt one, if it is close enough to be a typo. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length];
}
