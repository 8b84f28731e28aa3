/**
 * The review history on disk: JSON Lines, one event per line, appended line-atomically.
 * By default it lives beside the bank (`review-history.jsonl` in the bank folder), so a bank
 * in git carries its provenance. A line that does not fit is an error, never skipped: a
 * review state rebuilt without one of its events would be wrong.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { JsonlAppender, readJsonlAll, type JsonlProblem } from '../io/jsonl.js';
import { ReviewEvent } from './history.js';

export const REVIEW_HISTORY_FILE = 'review-history.jsonl';

/** Where the history of a bank lives: in the bank folder (or beside a single bank file). */
export function historyBeside(bankPaths: readonly string[]): string {
  const first = resolve(bankPaths[0] ?? 'questions');
  const folder = existsSync(first) && statSync(first).isDirectory() ? first : dirname(first);
  return join(folder, REVIEW_HISTORY_FILE);
}

export async function readReviewHistory(file: string): Promise<ReviewEvent[]> {
  const problems: JsonlProblem[] = [];
  const events = await readJsonlAll(file, ReviewEvent, (p) => problems.push(p));
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).map((p) => `  ${file}:${p.line}: ${p.message}`);
    throw new UserError([`the review history has ${problems.length} line(s) that are not review events; fix or remove them (the history is replayed in order):`, ...shown].join('\n'));
  }
  return events;
}

export function appendReviewEvents(file: string, events: readonly ReviewEvent[]): void {
  const appender = new JsonlAppender(file);
  try {
    for (const event of events) appender.append(ReviewEvent.parse(event));
  } finally {
    appender.close();
  }
}
