/**
 * Small hand-made tables (doctors' answers, expert labels) from CSV or YAML, record by
 * record with the line each starts on, so every error can name file and line.
 * YAML: a list of mappings with the same field names as the CSV columns.
 */
import { readUtf8File } from './text.js';
import { extname } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { UserError } from '../errors.js';
import { parseCsvRecords, type CsvRecord } from './csv.js';

export interface TableColumns {
  required: string[];
  optional?: string[];
  /** Called for a record that cannot be read (it is skipped); without it such a record is an error. */
  onBadRow?: (line: number, reason: string) => void;
}

/** Reads a .csv, .yaml or .yml table; values are text (YAML numbers and booleans as written). */
export function readTable(path: string, columns: TableColumns): CsvRecord[] {
  const text = readUtf8File(path);
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return parseCsvRecords(text, path, columns);
  if (extension === '.yaml' || extension === '.yml') return parseYamlTable(text, path, columns);
  throw new UserError(`${path}: unknown file type "${extension}"; give a .csv or a .yaml file.`);
}

function parseYamlTable(text: string, path: string, columns: TableColumns): CsvRecord[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    const error = document.errors[0];
    throw new UserError(`${path}:${error.linePos?.[0].line ?? 1}: ${error.message.split('\n')[0]}`);
  }
  if (document.contents === null) return [];
  if (!isSeq(document.contents)) throw new UserError(`${path}:1: expected a list of records (each starting with "- ${columns.required[0]}: ...").`);
  const known = new Set([...columns.required, ...(columns.optional ?? [])]);
  return document.contents.items.map((node) => {
    const line = node && typeof node === 'object' && 'range' in node && node.range ? lineCounter.linePos(node.range[0]).line : 1;
    if (!isMap(node)) throw new UserError(`${path}:${line}: each record is a mapping with ${columns.required.join(', ')}.`);
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(node.toJSON() as Record<string, unknown>)) {
      if (!known.has(key)) throw new UserError(`${path}:${line}: unknown field "${key}"; the fields are ${[...known].join(', ')}.`);
      if (value !== null && value !== undefined) values[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
    for (const name of columns.required) {
      if (values[name] === undefined) throw new UserError(`${path}:${line}: missing field "${name}".`);
    }
    return { line, values };
  });
}
