/** The report's formats and the files each writes: kept apart from the writers so the CLI loads them cheaply. */
import { UserError } from '../errors.js';

export const REPORT_FORMATS = ['html', 'md', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_FILES = {
  html: ['report.html'],
  md: ['summary.md'],
  csv: ['answers.csv', 'verdicts.csv'],
  json: ['results.json'],
} as const satisfies Record<ReportFormat, readonly string[]>;

/** Parses "html,md" (or a list of such) into formats, rejecting unknown ones with a clear message. */
export function parseFormats(values: string | string[]): ReportFormat[] {
  const names = (Array.isArray(values) ? values : [values]).flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase()).filter(Boolean);
  const unknown = names.filter((n) => !(REPORT_FORMATS as readonly string[]).includes(n));
  if (unknown.length) throw new UserError(`unknown report format ${unknown.map((u) => `"${u}"`).join(', ')}; use ${REPORT_FORMATS.join(', ')}.`);
  return [...new Set(names)] as ReportFormat[];
}
