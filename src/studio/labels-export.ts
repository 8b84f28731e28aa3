/**
 * `caps labels export`: every label still in force (physicians' grades, calibration
 * references, adjudications) as a versioned labels file, JSONL or CSV, whose columns
 * `caps calibrate --labels` and `caps import-verdicts` read directly.
 */
import { writeFileSync } from 'node:fs';
import { dirname, extname, relative, resolve } from 'node:path';
import { csvTable } from '../report/csv.js';
import { CANNOT_JUDGE, LABEL_COLUMNS, LABELS_FORMAT, LabelRecord } from '../schema/labels.js';
import { UserError } from '../errors.js';
import type { Corpus } from './corpus.js';
import type { Store } from './store.js';

/** The labels as records; `run` is written relative to `relativeTo` (the labels file's folder). */
export function labelRecords(store: Store, corpus: Corpus, relativeTo: string): LabelRecord[] {
  const graders = new Map(store.graders().map((g) => [g.id, g]));
  const answers = new Map<number, ReturnType<Store['answer']>>();
  const records: LabelRecord[] = [];
  for (const label of store.liveLabels()) {
    if (!answers.has(label.answer_id)) answers.set(label.answer_id, store.answer(label.answer_id));
    const answer = answers.get(label.answer_id)!;
    const record = corpus.meta(answer.dir, answer.key);
    if (!record) continue; // the run folder no longer holds this answer: nothing to join it to
    const kind = corpus.rubric(record).find((e) => e.id === label.entry)?.kind ?? 'unknown';
    const grader = graders.get(label.grader_id)!;
    records.push(
      LabelRecord.parse({
        format: LABELS_FORMAT,
        bank: corpus.bank.id,
        bank_hash: label.bank_hash,
        run: relative(relativeTo, answer.dir) || '.',
        key: answer.key,
        respondent: record.respondent,
        item: record.item,
        variant: record.variant,
        turn: record.turn,
        sample: record.sample,
        entry: label.entry,
        kind,
        grader: grader.name,
        role: grader.role,
        stage: label.stage,
        met: label.met === null ? CANNOT_JUDGE : label.met === 1,
        ...(label.quote !== null && { quote: label.quote }),
        ...(label.span_start !== null && { span_start: label.span_start, span_end: label.span_end }),
        ...(label.reason !== null && { rationale: label.reason }),
        at: label.at,
      }),
    );
  }
  return records;
}

export function renderLabels(records: LabelRecord[], format: 'jsonl' | 'csv'): string {
  if (format === 'jsonl') return records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
  return csvTable(LABEL_COLUMNS, records.map((r) => LABEL_COLUMNS.map((c) => r[c])));
}

/** Writes the labels file; its format follows the extension (.jsonl or .csv). */
export function exportLabels(store: Store, corpus: Corpus, out: string): { file: string; labels: number } {
  const ext = extname(out).toLowerCase();
  if (ext !== '.jsonl' && ext !== '.csv') throw new UserError(`${out}: a labels file ends in .jsonl or .csv.`);
  const file = resolve(out);
  const records = labelRecords(store, corpus, dirname(file));
  writeFileSync(file, renderLabels(records, ext === '.csv' ? 'csv' : 'jsonl'));
  return { file, labels: records.length };
}
