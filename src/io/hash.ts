import * as crypto from 'node:crypto';

/**
 * JSON with object keys sorted, so equal values always hash equally. The same text as
 * `JSON.stringify` with a replacer that rebuilds every object with sorted keys (integer-like
 * keys therefore come first, in numeric order, as in any rebuilt object), written directly:
 * request keys are hashed for every answer, and rebuilding each object cost more than hashing.
 */
export function canonicalJson(value: unknown): string {
  return jsonOf(value) as string;
}

const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;

function jsonOf(input: unknown): string | undefined {
  let value = input;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') value = (value as { toJSON(): unknown }).toJSON();
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    case 'bigint':
      return JSON.stringify(value); // throws, as JSON.stringify does for any BigInt
    default:
      return undefined; // undefined, functions and symbols
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + (jsonOf(value[i]) ?? 'null');
    return out + ']';
  }
  const object = value as Record<string, unknown>;
  let keys = Object.keys(object).sort();
  // A rebuilt object lists array-index keys first, ascending: the replacer form's order. Such a key starts with a digit.
  if (keys.some((k) => isDigit(k.charCodeAt(0)) && ARRAY_INDEX.test(k) && Number(k) < 4294967295)) keys = Object.keys(Object.fromEntries(keys.map((k) => [k, 0])));
  let out = '{';
  let first = true;
  for (const key of keys) {
    const json = jsonOf(object[key]);
    if (json === undefined) continue;
    out += (first ? '' : ',') + quotedKey(key) + ':' + json;
    first = false;
  }
  return out + '}';
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Keys written as JSON, remembered: a bank or a run repeats the same few field names tens of
 * thousands of times. Bounded, as keys can come from data.
 */
const QUOTED_KEYS = new Map<string, string>();
const MAX_QUOTED_KEYS = 4096;

function quotedKey(key: string): string {
  let quoted = QUOTED_KEYS.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (QUOTED_KEYS.size < MAX_QUOTED_KEYS) QUOTED_KEYS.set(key, quoted);
  }
  return quoted;
}

/** One-shot `crypto.hash` (Node >= 20.12) where there is one: a Hash object per call costs several times more. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string) => string }).hash;

export function sha256(text: string): string {
  return oneShot ? oneShot('sha256', text) : crypto.createHash('sha256').update(text).digest('hex');
}

/** Content hash of any JSON value (request keys, bank hashes). */
export function contentHash(value: unknown): string {
  return sha256(canonicalJson(value));
}
