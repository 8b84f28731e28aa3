/**
 * Bank files written from the studio: one write at a time (an item save, the statuses a
 * review step records), so that two requests never interleave their read-check-write of
 * the same file. Only files that belong to the studio's bank may be written.
 */
import { resolve } from 'node:path';
import { discoverBankFiles } from '../bank/discover.js';
import { Conflict } from './store.js';

let queue: Promise<unknown> = Promise.resolve();

export function serialBankWrite<T>(work: () => Promise<T>): Promise<T> {
  const run = queue.then(work, work);
  queue = run.catch(() => undefined);
  return run;
}

export function bankFiles(bankPaths: readonly string[]): string[] {
  return discoverBankFiles(bankPaths).files;
}

/** `file` as one of the bank's files, or a refusal: the studio writes nowhere else. */
export function bankFile(bankPaths: readonly string[], file: string): string {
  const path = resolve(file);
  if (!bankFiles(bankPaths).includes(path)) throw new Conflict(`${file} is not a file of this studio's bank; choose one of: ${bankFiles(bankPaths).join(', ')}`, 422);
  return path;
}
