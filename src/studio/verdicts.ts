/**
 * Physicians' labels and adjudications become a verdict source by being appended to the
 * run folder's `verdicts.jsonl` (what scoring reads); the database keeps the workflow.
 * A label is committed first, then appended, then marked synced: after a crash between the
 * two, the next start appends what is missing (a repeated line is the same verdict again).
 */
import { ExternalVerdict, type VerdictSource } from '../schema/external-verdict.js';
import type { LabelStage } from '../schema/labels.js';
import { RunFolder } from '../io/run-folder.js';
import type { Store, LabelRow } from './store.js';

const SOURCE: Record<LabelStage, VerdictSource> = { grade: 'physician', reference: 'physician', adjudication: 'adjudication' };

export function toExternalVerdict(label: LabelRow, answer: { key: string; item: string }, grader: string): ExternalVerdict {
  return ExternalVerdict.parse({
    v: 1,
    key: answer.key,
    item: answer.item,
    entry: label.entry,
    met: label.met === null ? null : label.met === 1,
    source: SOURCE[label.stage],
    grader,
    ...(label.quote !== null && { quote: label.quote }),
    ...(label.span_start !== null && label.span_end !== null && { span: { start: label.span_start, end: label.span_end } }),
    ...(label.reason !== null && { reason: label.reason }),
    at: label.at,
    origin: `caps studio label ${label.id}`,
  });
}

/** Appends every label not yet in its run folder, grouped per run; returns how many were appended. */
export function syncVerdicts(store: Store, labels: LabelRow[] = store.unsyncedLabels()): number {
  const byRun = new Map<string, { label: LabelRow; verdict: ExternalVerdict }[]>();
  const names = new Map(store.graders().map((g) => [g.id, g.name]));
  for (const label of labels) {
    const answer = store.answer(label.answer_id)!;
    const list = byRun.get(answer.dir) ?? [];
    list.push({ label, verdict: toExternalVerdict(label, answer, names.get(label.grader_id)!) });
    byRun.set(answer.dir, list);
  }
  for (const [dir, list] of byRun) {
    const appender = new RunFolder(dir).verdictAppender();
    try {
      for (const { verdict } of list) appender.append(verdict);
    } finally {
      appender.close();
    }
    store.markSynced(list.map(({ label }) => label.id));
  }
  return labels.length;
}
