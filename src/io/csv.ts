/**
 * A strict RFC 4180 CSV reader for hand-made files (doctors' answers, expert labels):
 * quoted fields may hold commas, doubled quotes and newlines; every record keeps the line
 * it starts on so errors can point back into the file. A UTF-8 BOM (Excel) is ignored.
 */
import { UserError } from '../errors.js';

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  /** Cells by header name (trimmed header; cell text kept as written). */
  values: Record<string, string>;
}

/** Splits CSV text into rows of cells, each with its starting line. */
export function parseCsvRows(text: string, file: string): { line: number; cells: string[] }[] {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let rowLine = 1;
  let inQuotes = false;
  let quotedCell = false;
  let i = 0;
  const endRow = () => {
    cells.push(cell);
    // A blank line is not a record.
    if (!(cells.length === 1 && cells[0] === '' && !quotedCell)) rows.push({ line: rowLine, cells });
    cells = [];
    cell = '';
    quotedCell = false;
  };
  while (i < source.length) {
    const ch = source[i];
    if (inQuotes) {
      if (ch === '"') {
        if (source[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        const next = source[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new UserError(`${file}:${line}: unexpected text after a closing quote; double a quote inside a quoted field ("").`);
        }
        continue;
      }
      if (ch === '\n') line++;
      cell += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      if (cell !== '') throw new UserError(`${file}:${line}: a quote inside an unquoted field; quote the whole field and double inner quotes.`);
      inQuotes = true;
      quotedCell = true;
      i++;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRow();
      i += ch === '\r' && source[i + 1] === '\n' ? 2 : 1;
      line++;
      rowLine = line;
    } else {
      cell += ch;
      i++;
    }
  }
  if (inQuotes) throw new UserError(`${file}:${rowLine}: a quoted field is never closed; add the closing quote.`);
  if (cell !== '' || cells.length > 0 || quotedCell) endRow();
  return rows;
}

/**
 * Reads a CSV with a header row into records keyed by header name. `required` columns must
 * be present; columns outside `required` and `optional` are errors (likely typos).
 */
export function parseCsvRecords(
  text: string,
  file: string,
  columns: { required: string[]; optional?: string[]; onBadRow?: (line: number, reason: string) => void },
): CsvRecord[] {
  const rows = parseCsvRows(text, file);
  if (rows.length === 0) throw new UserError(`${file}: empty file; expected a header row (${columns.required.join(',')}).`);
  const header = rows[0].cells.map((h) => h.trim());
  const known = new Set([...columns.required, ...(columns.optional ?? [])]);
  for (const name of header) {
    if (!known.has(name)) throw new UserError(`${file}:1: unknown column "${name}"; the columns are ${[...known].join(', ')}.`);
  }
  for (const name of columns.required) {
    if (!header.includes(name)) throw new UserError(`${file}:1: missing column "${name}"; the header must name ${columns.required.join(', ')}.`);
  }
  return rows.slice(1).flatMap((row) => {
    if (row.cells.length !== header.length) {
      const reason = `${row.cells.length} fields but the header has ${header.length}; quote fields that contain commas.`;
      if (!columns.onBadRow) throw new UserError(`${file}:${row.line}: ${reason}`);
      columns.onBadRow(row.line, reason);
      return [];
    }
    return [{ line: row.line, values: Object.fromEntries(header.map((h, i) => [h, row.cells[i]])) }];
  });
}
