/** Lint findings: what is wrong in a bank, where (file:line:col, item id), and what to do. */
import { relative } from 'node:path';
import { z } from 'zod';

export const Severity = z.enum(['error', 'warning']);
export type Severity = z.infer<typeof Severity>;

/** One finding, as `caps lint --format json` prints it. */
export const Diagnostic = z.strictObject({
  file: z.string(),
  /** 1-based line and column. */
  line: z.number().int().min(1),
  col: z.number().int().min(1),
  severity: Severity,
  /** Id of the item the finding is about, when there is one. */
  item: z.string().optional(),
  /** Stable rule code, e.g. `duplicate-item-id` (listed in docs/bank-format.md). */
  code: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  message: z.string().min(1),
});
export type Diagnostic = z.infer<typeof Diagnostic>;

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
