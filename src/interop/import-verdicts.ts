/**
 * Per-criterion grades made elsewhere (published GAPS or HealthBench gradings, expert
 * panels, a corrected verdicts.csv) into a run's verdict source: each valid line becomes an
 * `imported` line of `<run>/verdicts.jsonl` (grader, file:line, time), which every later
 * `caps score` applies over judge and matcher. Bad lines are refused one by one with the
 * reason; the valid ones are kept. The graded answers are then decided again from their
 * earlier judge opinions (no judge call) and appended to scores.jsonl.
 *
 * Columns are those of `caps calibrate --labels` (key, or item + respondent [+ variant,
 * turn, sample]; entry; met; optional quote, rationale, grader) or of the report's own
 * verdicts.csv: there a row whose `met` is what caps already decided is the export, not a
 * grade, and is left alone, so only the entries edited in the spreadsheet change.
 */
import type { Bank } from '../bank/bank.js';
import { dirname, resolve } from 'node:path';
import { CLEAN } from '../schema/shared.js';
import { LABEL_COLUMNS } from '../schema/labels.js';
import type { ExternalVerdict } from '../schema/external-verdict.js';
import type { AnswerScore } from '../schema/score.js';
import { RunFolder } from '../io/run-folder.js';
import { readTable, type RefusedLine } from '../io/table.js';
import { answerKey } from '../runner/plan.js';
import { MATCHER_VERSION } from '../matching/matcher.js';
import { scoreAnswer } from '../scorer/score-answer.js';
import { rescoreWithExternal } from '../scorer/score-judged.js';
import { scoreSignature } from '../scorer/score-run.js';
import { resolveRubric } from '../scorer/rubric.js';
import { externalHash, latestExternalVerdicts, resolveExternal } from '../scorer/verdict-sources.js';

export interface ImportVerdictsOptions {
  file: string;
  runDir: string;
  bank: Bank;
  /** Who graded, when the file has no grader column (default "imported"). */
  grader?: string;
}

export interface ImportVerdictsSummary {
  runDir: string;
  /** Data lines read. */
  lines: number;
  /** Verdicts appended to verdicts.jsonl. */
  recorded: number;
  /** Lines that change nothing (same as the current verdict or the same grade again). */
  unchanged: number;
  refused: RefusedLine[];
  /** Recorded, but a higher source (physician, adjudication) decides the entry. */
  outranked: string[];
  answers: number;
  complete: number;
  incomplete: number;
}

const TRUE = new Set(['true', 'yes', 'y', '1', 'met', '是', '满足']);
const FALSE = new Set(['false', 'no', 'n', '0', 'not met', 'not-met', 'unmet', '否', '不满足']);
const CANNOT_JUDGE = new Set(['undecided', 'cannot judge', 'null', '无法判断']);
/** The report's verdicts.csv columns, so its rows import as written. */
const VERDICTS_CSV_COLUMNS = ['respondent_kind', 'kind', 'decided_by', 'points', 'agreement', 'quotes', 'graders', 'origin'];
/** A labels file from caps labels export carries more columns (run, span, stage...). */
const COLUMNS = [...new Set(['key', 'item', 'respondent', 'variant', 'turn', 'sample', 'quote', 'rationale', 'grader', 'expert', 'note', ...VERDICTS_CSV_COLUMNS, ...LABEL_COLUMNS])];

/** met as written -> true, false or null (cannot judge); undefined when unreadable. */
export function parseMet(text: string): boolean | null | undefined {
  const met = text.trim().toLowerCase();
  if (TRUE.has(met)) return true;
  if (FALSE.has(met)) return false;
  if (CANNOT_JUDGE.has(met)) return null;
  return undefined;
}

/** Undo the apostrophe our CSV writer puts before text a spreadsheet would run as a formula. */
const unprotect = (text: string) => (/^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text);

export async function importVerdicts(options: ImportVerdictsOptions): Promise<ImportVerdictsSummary> {
  const { bank, file } = options;
  const folder = new RunFolder(options.runDir);
  folder.readManifest();
  const responses = await folder.latestResponses();
  const scores = await folder.latestScores();
  const existing: ExternalVerdict[] = [];
  for await (const line of folder.externalVerdicts()) existing.push(line);
  const current = new Map([...latestExternalVerdicts(existing).values()].flat().map((v) => [`${v.key}\u0000${v.entry}\u0000${v.source}\u0000${v.grader}`, v]));
  const items = new Map(bank.items.map((i) => [i.id, i]));
  const summary: ImportVerdictsSummary = { runDir: options.runDir, lines: 0, recorded: 0, unchanged: 0, refused: [], outranked: [], answers: 0, complete: 0, incomplete: 0 };
  const refuse = (line: number, reason: string) => summary.refused.push({ where: `${file}:${line}`, reason });
  const rows = readTable(file, { required: ['entry', 'met'], optional: COLUMNS, onBadRow: refuse });
  summary.lines = rows.length + summary.refused.length;
  const at = new Date().toISOString();
  const fresh: ExternalVerdict[] = [];
  const seen = new Map<string, number>();

  for (const { line, values } of rows) {
    const text = (name: string) => unprotect(values[name]?.trim() ?? '');
    // A labels file names each label's run: labels of other runs are not this run's to import.
    if (text('run') && resolve(dirname(file), text('run')) !== resolve(options.runDir)) {
      summary.lines--;
      continue;
    }
    const named = text('item') && text('respondent')
      ? answerKey({ respondent: text('respondent'), item: text('item'), variant: text('variant') || CLEAN, turn: Number(text('turn') || 0), sample: Number(text('sample') || 0) })
      : undefined;
    const key = text('key') || named;
    if (!key) {
      refuse(line, 'name the answer with "key", or with "item" and "respondent" (and variant/turn/sample when not clean/0/0)');
      continue;
    }
    if (text('key') && named && named !== key) {
      refuse(line, `key "${key}" and item/respondent (${named}) name different answers; fix one of them`);
      continue;
    }
    const response = responses.get(key);
    if (!response) {
      refuse(line, `no answer "${key}" in ${options.runDir}; check item and respondent against the run`);
      continue;
    }
    if (response.text === null || response.error) {
      refuse(line, `answer "${key}" has no text (its request failed); resume the run, then grade it`);
      continue;
    }
    const item = items.get(response.item);
    if (!item) {
      refuse(line, `item "${response.item}" is not in bank "${bank.id}"`);
      continue;
    }
    const entry = text('entry');
    const ids = resolveRubric(item, response.variant).map((e) => e.id);
    if (!ids.includes(entry)) {
      refuse(line, `item "${item.id}" has no entry "${entry}" (it has ${ids.join(', ')})`);
      continue;
    }
    const met = parseMet(values.met);
    if (met === undefined) {
      refuse(line, `met is "${values.met}"; write true or false (also yes/no, 1/0, met/not met, 是/否), or "cannot judge"`);
      continue;
    }
    const grader = text('grader') || text('expert') || options.grader || 'imported';
    const id = `${key}\u0000${entry}\u0000imported\u0000${grader}`;
    const first = seen.get(id);
    if (first !== undefined) {
      refuse(line, `entry "${entry}" of answer "${key}" is graded twice by ${grader} in this file (first on line ${first})`);
      continue;
    }
    seen.set(id, line);
    const decided = scores.get(key)?.verdicts.find((v) => v.entry === entry);
    // A verdicts.csv row (it has decided_by) that says what caps decided is the export, not a grade.
    if (values.decided_by !== undefined && decided && decided.met === met) {
      summary.unchanged++;
      continue;
    }
    const quote = text('quote') || (values.decided_by !== undefined ? '' : text('quotes'));
    // A verdicts.csv row carries the earlier decider's rationale: only an edited one is the grader's.
    const reason = text('rationale') !== (decided?.rationale ?? '') || values.decided_by === undefined ? text('rationale') : '';
    const verdict: ExternalVerdict = {
      v: 1,
      key,
      item: item.id,
      entry,
      met,
      source: 'imported',
      grader,
      ...(quote && { quote }),
      ...(reason && { reason }),
      at,
      origin: `${file}:${line}`,
    };
    const before = current.get(id);
    if (before && before.met === verdict.met && before.quote === verdict.quote && before.reason === verdict.reason) {
      summary.unchanged++;
      continue;
    }
    fresh.push(verdict);
  }

  if (fresh.length > 0) {
    const appender = folder.verdictAppender();
    try {
      for (const verdict of fresh) appender.append(verdict);
    } finally {
      appender.close();
    }
  }
  summary.recorded = fresh.length;

  const latest = latestExternalVerdicts([...existing, ...fresh]);
  const appender = folder.scoreAppender();
  try {
    for (const key of new Set(fresh.map((v) => v.key))) {
      const response = responses.get(key)!;
      const item = items.get(response.item)!;
      const labels = latest.get(key)!;
      const external = resolveExternal(labels);
      for (const v of fresh.filter((f) => f.key === key && f.met !== null)) {
        const decision = external.get(v.entry)?.decision;
        if (decision && decision.source !== 'imported') summary.outranked.push(`${v.origin}: entry "${v.entry}" of "${key}" is decided by ${decision.source} (${decision.provenance.graders.join(', ')}), which takes precedence; the grade is kept but does not decide`);
      }
      const earlier = scores.get(key);
      const score: AnswerScore =
        earlier && earlier.status !== 'error'
          ? rescoreWithExternal({ bank, item, response, earlier, external })
          : scoreAnswer({
              item,
              response,
              profile: bank.profile,
              external,
              scorerInfo: { matcher: MATCHER_VERSION, judges: [], signature: scoreSignature({ bank, judges: [], template: null, rule: null, response }) },
            });
      appender.append({ ...score, scorer: { ...score.scorer, external: externalHash(labels) } });
      summary.answers++;
      if (score.status === 'complete') summary.complete++;
      else summary.incomplete++;
    }
  } finally {
    appender.close();
  }
  return summary;
}
