/** Lint findings: what is wrong in a bank, where (file:line:col, item id), and what to do. */
import { relative } from 'node:path';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  file: string;
  /** 1-based line and column. */
  line: number;
  col: number;
  severity: Severity;
  /** Id of the item the finding is about, when there is one. */
  item?: string;
  /** Stable rule code, e.g. `duplicate-item-id` (listed in docs/bank-format.md). */
  code: string;
  message: string;
}

/** Paths relative to `cwd` read better in a terminal; paths outside it stay absolute. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

/** `file:line:col error [item-id] message`, the form editors and CI logs link to. */
export function formatDiagnostic(d: Diagnostic, cwd?: string): string {
  const item = d.item ? ` [${d.item}]` : '';
  return `${displayPath(d.file, cwd)}:${d.line}:${d.col} ${d.severity}${item} ${d.message}`;
}

export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.col - b.col ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
      a.code.localeCompare(b.code),
  );
}

export function countDiagnostics(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const d of diagnostics) if (d.severity === 'error') errors++;
  return { errors, warnings: diagnostics.length - errors };
}
