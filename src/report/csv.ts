/**
 * CSV tables (RFC 4180): `answers.csv`, one row per answer, and `verdicts.csv`, one row per
 * rubric verdict. UTF-8 with a byte-order mark so spreadsheet programs read Chinese correctly.
 */
import type { Results } from '../schema/results.js';

export const BOM = '\uFEFF';

export type CsvValue = string | number | boolean | null | undefined;

/**
 * Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start) is
 * prefixed with an apostrophe; numbers are written as numbers.
 */
const FORMULA_START = '=+-@\t\r';
const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = String(value);
  if (typeof value === 'string' && text.length > 0 && FORMULA_START.includes(text[0])) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line of the table, CRLF-terminated (a loop: a table of 150,000 rows would otherwise make as many arrays again). */
function csvLine(row: CsvValue[]): string {
  let line = csvField(row[0]);
  for (let i = 1; i < row.length; i++) line += ',' + csvField(row[i]);
  return line + '\r\n';
}

/** The table as text chunks, one line each, BOM first: for streaming to a file. */
export function* csvLines(header: string[], rows: Iterable<CsvValue[]>): Generator<string> {
  yield BOM + csvLine(header);
  for (const row of rows) yield csvLine(row);
}

export function csvTable(header: string[], rows: Iterable<CsvValue[]>): string {
  return [...csvLines(header, rows)].join('');
}

const ANSWERS_HEADER = [
  'key', 'respondent', 'respondent_kind', 'item', 'topic', 'depth', 'variant', 'variant_kind', 'turn', 'sample',
  'status', 'score', 'points_met', 'points_total', 'deductions_fired', 'zeroed_by', 'vetoed_by', 'error', 'text',
];

function* answerRows(results: Results): Generator<CsvValue[]> {
  for (const item of results.items) {
    for (const a of item.answers) {
      // One pass over the verdicts: points met, points, deductions fired.
      let met = 0;
      let points = 0;
      let fired = 0;
      for (const v of a.verdicts) {
        if (v.kind === 'point') {
          points++;
          if (v.met === true) met++;
        } else if (v.kind === 'deduction' && v.met === true) fired++;
      }
      yield [
        a.key, a.respondent, a.respondent_kind, item.id, item.topic, item.depth, a.variant, a.variant_kind, a.turn, a.sample,
        a.status, a.score, met, points, fired,
        a.zeroed_by.join(' '), a.vetoed_by.join(' '), a.error, a.text,
      ];
    }
  }
}

const VERDICTS_HEADER = [
  'key', 'respondent', 'respondent_kind', 'item', 'variant', 'turn', 'sample',
  'entry', 'kind', 'met', 'decided_by', 'points', 'agreement', 'quotes', 'rationale', 'graders', 'origin',
];

function* verdictRows(results: Results): Generator<CsvValue[]> {
  for (const item of results.items) {
    for (const a of item.answers) {
      for (const v of a.verdicts) {
        yield [
          a.key, a.respondent, a.respondent_kind, item.id, a.variant, a.turn, a.sample,
          v.entry, v.kind, v.met === null ? 'undecided' : v.met, v.decided_by, v.points,
          v.agreement === undefined ? '' : v.agreement, v.quotes.join(' | '), v.rationale,
          v.provenance?.graders.join(' | '), v.provenance?.origin.join(' | '),
        ];
      }
    }
  }
}

/** answers.csv as text chunks (for streaming to disk). */
export const answersCsvLines = (results: Results) => csvLines(ANSWERS_HEADER, answerRows(results));
/** verdicts.csv as text chunks (for streaming to disk). */
export const verdictsCsvLines = (results: Results) => csvLines(VERDICTS_HEADER, verdictRows(results));

export const answersCsv = (results: Results): string => csvTable(ANSWERS_HEADER, answerRows(results));
export const verdictsCsv = (results: Results): string => csvTable(VERDICTS_HEADER, verdictRows(results));
