/** `caps lint` as a library function: diagnostics plus the bank summary, and their text form. */
import { countDiagnostics, formatDiagnostic, type Diagnostic } from './diagnostic.js';
import { loadBank, type LoadOptions } from './load.js';
import { summarizeBank, type BankSummary } from './summary.js';

export interface LintReport {
  diagnostics: Diagnostic[];
  /** Summary of the items that validated; null when no bank file could be read. */
  summary: BankSummary | null;
  errors: number;
  warnings: number;
}

/** `overlay` lints unsaved file contents in place of the files on disk, `reviewEvents` a review step not yet stored (see LoadOptions). */
export async function lintBank(paths: readonly string[], options: Pick<LoadOptions, 'overlay' | 'reviewEvents'> = {}): Promise<LintReport> {
  const { bank, diagnostics } = await loadBank(paths, { ...options, keepPartial: true });
  return { diagnostics, summary: bank ? summarizeBank(bank) : null, ...countDiagnostics(diagnostics) };
}

/** Diagnostics as `file:line:col severity [item] message` lines, then a one-screen summary. */
export function formatLintText(report: LintReport, cwd?: string): string {
  const lines = report.diagnostics.map((d) => formatDiagnostic(d, cwd));
  if (lines.length > 0) lines.push('');
  if (report.summary) lines.push(...formatSummary(report.summary, report.errors > 0));
  lines.push(`${'result'.padEnd(LABEL)}${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}`);
  return `${lines.join('\n')}\n`;
}

const LABEL = 11;

const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;
const WIDTH = 100;

function formatSummary(s: BankSummary, partial: boolean): string[] {
  const lines: string[] = [];
  const row = (label: string, parts: string[], separator = ', ') => {
    // Long lists wrap under their label so the summary stays one screen wide.
    let current = '';
    const rows: string[] = [];
    for (const part of parts) {
      const next = current ? `${current}${separator}${part}` : part;
      // Leave room for the separator that ends a wrapped row.
      if (current && LABEL + next.length + separator.trimEnd().length > WIDTH) {
        rows.push(current + separator.trimEnd());
        current = part;
      } else current = next;
    }
    rows.push(current);
    rows.forEach((text, i) => lines.push(`${(i === 0 ? label : '').padEnd(LABEL)}${text}`));
  };
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const headed = (head: string, parts: string[]) => (parts.length ? [`${head} ${parts[0]}`, ...parts.slice(1)] : [head]);

  const title = s.title ? ` "${s.title}"` : '';
  row('bank', [`${s.bank} v${s.version}${title} (${s.language}, profile ${s.profile}): ${plural(s.items, 'item')} in ${plural(s.files, 'file')}${partial ? ' (items with errors left out)' : ''}`]);
  if (s.statuses) {
    const { unset, ...named } = s.statuses;
    row('status', [...Object.entries(named).map(([status, n]) => `${status} ${n}`), ...(unset ? [`no status ${unset}`] : [])]);
  }
  row('depth', s.depth.map((d) => `${d.level}${d.label ? ` ${d.label}` : ''}: ${d.items}`), ' | ');
  if (s.taxonomy) {
    const uncovered = s.topics.filter((t) => t.items === 0).map((t) => t.topic);
    row('topics', [`${s.taxonomy.covered} of ${s.taxonomy.topics} taxonomy topics covered${uncovered.length ? `; not covered: ${uncovered.join(', ')}` : ''}`]);
    row('', s.topics.filter((t) => t.items > 0).map((t) => `${t.topic} ${t.items}`));
  } else {
    row('topics', [`${plural(s.topics.length, 'topic')} (no taxonomy declared)`]);
    row('', s.topics.map((t) => `${t.topic} ${t.items}`));
  }
  row('variants', headed(`${plural(s.itemsWithVariants, 'item')} with variants:`, s.variants.map((v) => `${v.kind} ${v.variants}${v.variants ? ` (${plural(v.items, 'item')})` : ''}`)));
  const e = s.entries;
  row('rubric', [
    `${plural(e.points, 'point')} (${e.criticalPoints} critical)`,
    `${plural(e.deductions, 'deduction')} (${e.safetyDeductions} safety, ${e.vetoDeductions} veto)`,
    plural(e.zeroRules, 'zero rule'),
    `${plural(e.vetoes, 'veto', 'vetoes')}; ${plural(s.itemsWithVeto, 'item')} can be vetoed`,
  ]);
  row('evidence', headed(
    `${s.evidence.taggedPoints} of ${plural(s.evidence.points, 'point')} tagged (${pct(s.evidence.share)})${s.evidence.schemes.length ? ':' : ''}`,
    s.evidence.schemes.map((sc) => `${sc.scheme} ${sc.points} (${sc.levels.map((l) => `${l.level}: ${l.points}`).join(', ')})`),
  ));
  return lines;
}
