/** Writes the report files for one Results object: HTML, Markdown, CSV and JSON. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Results } from '../schema/results.js';
import { UserError } from '../errors.js';
import { renderHtml } from './html/page.js';
import { renderMarkdown } from './markdown.js';
import { answersCsv, verdictsCsv } from './csv.js';

export const REPORT_FORMATS = ['html', 'md', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_FILES = {
  html: ['report.html'],
  md: ['summary.md'],
  csv: ['answers.csv', 'verdicts.csv'],
  json: ['results.json'],
} as const satisfies Record<ReportFormat, readonly string[]>;

export interface BuildReportInput {
  results: Results;
  outDir: string;
  formats: ReportFormat[];
}

/** Parses "html,md" (or a list of such) into formats, rejecting unknown ones with a clear message. */
export function parseFormats(values: string | string[]): ReportFormat[] {
  const names = (Array.isArray(values) ? values : [values]).flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase()).filter(Boolean);
  const unknown = names.filter((n) => !(REPORT_FORMATS as readonly string[]).includes(n));
  if (unknown.length) throw new UserError(`unknown report format ${unknown.map((u) => `"${u}"`).join(', ')}; use ${REPORT_FORMATS.join(', ')}.`);
  return [...new Set(names)] as ReportFormat[];
}

/** Written through a temporary file and a rename, so a reader never sees half a report. */
function writeAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** Indented for reading when small; compact past this many answers, where indentation alone adds a third to the size. */
const INDENT_UP_TO_ANSWERS = 10_000;

function resultsJson(results: Results): string {
  const answers = results.items.reduce((n, item) => n + item.answers.length, 0);
  return JSON.stringify(results, null, answers <= INDENT_UP_TO_ANSWERS ? 2 : undefined) + '\n';
}

export async function buildReport(input: BuildReportInput): Promise<{ files: string[] }> {
  const parsed = Results.safeParse(input.results);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new UserError(`the results object is not valid, so no report was written: ${issues.join('; ')}`);
  }
  const results = parsed.data;
  const formats = input.formats.length > 0 ? input.formats : [...REPORT_FORMATS];
  mkdirSync(input.outDir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, content: string) => {
    const path = join(input.outDir, name);
    writeAtomic(path, content);
    files.push(path);
  };
  for (const format of formats) {
    switch (format) {
      case 'html':
        write('report.html', renderHtml(results));
        break;
      case 'md':
        write('summary.md', renderMarkdown(results));
        break;
      case 'csv':
        write('answers.csv', answersCsv(results));
        write('verdicts.csv', verdictsCsv(results));
        break;
      case 'json':
        write('results.json', resultsJson(results));
        break;
    }
  }
  return { files };
}
