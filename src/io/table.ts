/**
 * Small hand-made tables (doctors' answers, expert labels) from CSV or YAML, record by
 * record with the line each starts on, so every error can name file and line.
 * YAML: a list of mappings with the same field names as the CSV columns; JSONL: one such
 * object a line (as `caps labels export` writes).
 */
import { readUtf8File } from './text.js';
import { extname } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { UserError } from '../errors.js';
import { parseCsvRecords, type CsvRecord } from './csv.js';

/** A line of an imported table that was not imported, and why. */
export interface RefusedLine {
  /** file:line */
  where: string;
  reason: string;
}

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
  if (extension === '.jsonl') return parseJsonlTable(text, path, columns);
  throw new UserError(`${path}: unknown file type "${extension}"; give a .csv, .yaml or .jsonl file.`);
}

function parseJsonlTable(text: string, path: string, columns: TableColumns): CsvRecord[] {
  const records: CsvRecord[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new UserError(`${path}:${line}: not valid JSON; each line is one record.`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UserError(`${path}:${line}: each line is a JSON object with ${columns.required.join(', ')}.`);
    records.push({ line, values: recordValues(value as Record<string, unknown>, path, line, columns) });
  });
  return records;
}

/** A record's fields as text, checked against the known columns. */
function recordValues(record: Record<string, unknown>, path: string, line: number, columns: TableColumns): Record<string, string> {
  const known = new Set([...columns.required, ...(columns.optional ?? [])]);
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (!known.has(key)) throw new UserError(`${path}:${line}: unknown field "${key}"; the fields are ${[...known].join(', ')}.`);
    if (value !== null && value !== undefined) values[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  for (const name of columns.required) {
    if (values[name] === undefined) throw new UserError(`${path}:${line}: missing field "${name}".`);
  }
  return values;
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
  return document.contents.items.flatMap((node) => {
    const line = node && typeof node === 'object' && 'range' in node && node.range ? lineCounter.linePos(node.range[0]).line : 1;
    try {
      return [yamlRecord(node, line)];
    } catch (err) {
      // A bad record is skipped and reported when the caller imports line by line.
      if (!(err instanceof UserError) || !columns.onBadRow) throw err;
      columns.onBadRow(line, err.message.slice(`${path}:${line}: `.length));
      return [];
    }
  });

  function yamlRecord(node: unknown, line: number): CsvRecord {
    if (!isMap(node)) throw new UserError(`${path}:${line}: each record is a mapping with ${columns.required.join(', ')}.`);
    return { line, values: recordValues(node.toJSON() as Record<string, unknown>, path, line, columns) };
  }
}
