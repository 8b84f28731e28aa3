/** Imported banks written as YAML a clinician can read and edit, headed by where they came from. */
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import type { BankFileInput, ItemInput } from '../schema/bank.js';

export const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

export function bankYaml(bank: BankFileInput, header: string): string {
  const comment = header
    .split('\n')
    .map((line) => `# ${line}`.trimEnd())
    .join('\n');
  return `${comment}\n${stringify(bank, YAML_OPTIONS)}`;
}

/** Writes the whole bank at once (atomic rename, so a failed import never leaves half a file). */
export function writeBankYaml(path: string, bank: BankFileInput, header: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, bankYaml(bank, header));
  renameSync(temp, path);
}

/**
 * One item as an entry of the `items:` list, for banks written item by item (a HealthBench
 * import of thousands of rows). A small block-style emitter, many times faster than a YAML
 * document model: every string is double-quoted with JSON escapes, which YAML reads the same,
 * plus escapes for the characters YAML wants escaped and JSON does not (DEL, C1 controls).
 */
export function itemYaml(item: ItemInput): string {
  return `${sequence([item], '  ').join('\n')}\n`;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\u009f\ufeff\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value) && value.length === 0) return '[]';
  if (typeof value === 'object' && Object.keys(value as object).length === 0) return '{}';
  return undefined;
}

function mapping(value: Record<string, unknown>, indent: string): string[] {
  const lines: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const name = PLAIN_KEY.test(key) ? key : JSON.stringify(key);
    const simple = scalar(v);
    if (simple !== undefined) lines.push(`${indent}${name}: ${simple}`);
    else lines.push(`${indent}${name}:`, ...(Array.isArray(v) ? sequence(v, `${indent}  `) : mapping(v as Record<string, unknown>, `${indent}  `)));
  }
  return lines;
}

function sequence(values: unknown[], indent: string): string[] {
  return values.flatMap((v) => {
    const simple = scalar(v);
    if (simple !== undefined) return [`${indent}- ${simple}`];
    const lines = Array.isArray(v) ? sequence(v, `${indent}  `) : mapping(v as Record<string, unknown>, `${indent}  `);
    lines[0] = `${indent}- ${lines[0].slice(indent.length + 2)}`;
    return lines;
  });
}
