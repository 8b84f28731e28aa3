/**
 * Reads YAML files checked by a zod schema (`caps.config.yaml`, personas files) and reports
 * every mistake as `file:line:col error message`, like the bank loader, with a did-you-mean
 * hint for misspelt keys.
 */
import { readUtf8File } from '../io/text.js';
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { CapsConfig } from '../schema/config.js';
import { UserError } from '../errors.js';
import { closestMatch } from '../bank/suggest.js';

export function loadConfig(path: string): CapsConfig {
  return loadYamlFile(CapsConfig, path, 'Copy caps.config.example.yaml and edit it.');
}

/** Parses config text; `file` names it in messages. */
export function parseConfig(source: string, file: string): CapsConfig {
  return parseYaml(CapsConfig, source, file);
}

export function loadYamlFile<T extends z.ZodType>(schema: T, path: string, hint: string): z.infer<T> {
  let source: string;
  try {
    source = readUtf8File(path);
  } catch (err) {
    throw new UserError(`${(err as Error).message} ${hint}`);
  }
  return parseYaml(schema, source, path);
}

export function parseYaml<T extends z.ZodType>(schema: T, source: string, file: string): z.infer<T> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    throw new UserError(doc.errors.map((e) => `${at(e.pos[0])} error ${e.message.split('\n')[0]}`).join('\n'));
  }
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, path);
      return issue.keys
        .map((key) => {
          const hint = closestMatch(key, known);
          const where = at(keyOffset(doc, path, key));
          return `${where} error unknown key "${key}" at ${describePath(path)}${hint ? `; did you mean "${hint}"?` : `; allowed: ${known.join(', ')}`}`;
        })
        .join('\n');
    }
    const last = path.at(-1);
    if (typeof last === 'string' && doc.getIn(path) === undefined) {
      // A required key is missing: most often it is there but misspelt.
      const parentPath = path.slice(0, -1);
      const known = knownKeysAt(schema, parentPath);
      const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
      const misspelt = isMap(parent)
        ? parent.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : '')).find((key) => !known.includes(key) && closestMatch(key, [last]))
        : undefined;
      if (misspelt) return `${at(keyOffset(doc, parentPath, misspelt))} error unknown key "${misspelt}" at ${describePath(parentPath)}; did you mean "${last}"?`;
      return `${at(nodeOffset(doc, parentPath))} error ${describePath(parentPath)}: missing required key "${last}"`;
    }
    return `${at(nodeOffset(doc, path))} error ${describePath(path)}: ${issue.message}`;
  });
  throw new UserError([...new Set(lines)].join('\n'));
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
