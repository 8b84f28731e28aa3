/**
 * The review history on disk: JSON Lines, one event per line, appended line-atomically.
 * By default it lives beside the bank (`review-history.jsonl` in the folder of its files), so a bank
 * in git carries its provenance. A line that does not fit is an error, never skipped: a
 * review state rebuilt without one of its events would be wrong.
 */
import { dirname, join, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';
import { JsonlAppender, readJsonlAll, type JsonlProblem } from '../io/jsonl.js';
import { ReviewEvent } from './history.js';

export const REVIEW_HISTORY_FILE = 'review-history.jsonl';

/**
 * Where the history of a bank lives: in the folder that holds its files (their common folder
 * when they are spread over subfolders), whichever path the bank was named by.
 */
export function historyBeside(bankFiles: readonly string[]): string {
  const [first, ...others] = bankFiles.map((f) => dirname(resolve(f)).split(sep));
  let common = first ?? [resolve('.')];
  for (const folder of others) {
    let shared = 0;
    while (shared < common.length && shared < folder.length && common[shared] === folder[shared]) shared++;
    common = common.slice(0, shared);
  }
  return join(common.join(sep) || sep, REVIEW_HISTORY_FILE);
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
