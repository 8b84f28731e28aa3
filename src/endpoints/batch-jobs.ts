/**
 * Batch jobs kept in a run folder, shared by `caps run --batch` (answers) and `caps score
 * --batch` (judge verdicts): request lines written to one input file series per endpoint (at
 * most MAX_BATCH_REQUESTS each), each batch recorded in an append-only JSONL log as soon as it
 * is created (so a process killed while it waits collects that batch next time instead of
 * paying for it again), polled, and its output and error lines handed back one by one.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CHAT_COMPLETIONS, MAX_BATCH_REQUESTS, type BatchApi, type BatchOutcome, type BatchStatus } from './batch-api.js';
import { JsonlAppender, readJsonl } from '../io/jsonl.js';
import { BatchRecord, type BatchSubmitted } from '../schema/batch.js';
import type { BatchEvent } from './batch-event.js';

export type { BatchEvent };

/** Request lines waiting to be submitted, one file series per endpoint, in `dir` (hidden files removed once submitted). */
export class BatchInputs {
  private readonly files = new Map<string, { path: string; appender: JsonlAppender; requests: number }[]>();

  constructor(
    private readonly dir: string,
    private readonly prefix: string,
  ) {}

  get requests(): number {
    let n = 0;
    for (const list of this.files.values()) for (const file of list) n += file.requests;
    return n;
  }

  add(endpoint: string, customId: string, body: unknown): void {
    const list = this.files.get(endpoint) ?? [];
    this.files.set(endpoint, list);
    if (list.length === 0 || list[list.length - 1].requests === MAX_BATCH_REQUESTS) {
      const path = join(this.dir, `.${this.prefix}-${endpoint}-${list.length}.jsonl`);
      rmSync(path, { force: true });
      list.push({ path, appender: new JsonlAppender(path), requests: 0 });
    }
    const file = list[list.length - 1];
    file.appender.append({ custom_id: customId, method: 'POST', url: CHAT_COMPLETIONS, body });
    file.requests++;
  }

  /** Uploads each file and creates its batch; every batch is in `log` before the next step can fail. */
  async submit(apiFor: (endpoint: string) => BatchApi, log: JsonlAppender, metadata: Record<string, string>): Promise<BatchSubmitted[]> {
    const submitted: BatchSubmitted[] = [];
    for (const [endpoint, list] of this.files) {
      for (const file of list) {
        file.appender.close();
        const { batchId, inputFileId } = await apiFor(endpoint).submit(file.path, metadata);
        const entry: BatchSubmitted = { batch_id: batchId, endpoint, input_file_id: inputFileId, requests: file.requests, created_at: new Date().toISOString() };
        log.append(entry);
        rmSync(file.path, { force: true });
        submitted.push(entry);
      }
    }
    this.files.clear();
    return submitted;
  }

  /** Closes and removes files not submitted (the command stopped first). */
  discard(): void {
    for (const list of this.files.values()) {
      for (const file of list) {
        file.appender.close();
        rmSync(file.path, { force: true });
      }
    }
    this.files.clear();
  }
}

/** What became of one outcome: an answer, an error, or nothing (not this command's, or already recorded). */
export type OutcomeTaken = 'answer' | 'error' | null;

/**
 * Waits for a submitted batch, hands every output and error line to `take`, and marks the batch
 * collected in `log`. False when the signal stopped the wait (the batch stays pending).
 */
export async function collectBatch(
  submitted: BatchSubmitted,
  api: BatchApi,
  options: { log: JsonlAppender; pollMs: number; signal?: AbortSignal; onBatch?: (event: BatchEvent) => void },
  take: (outcome: BatchOutcome) => OutcomeTaken,
): Promise<boolean> {
  const notify = (s: BatchStatus) => options.onBatch?.({ batch: s.id, endpoint: submitted.endpoint, status: s.status, completed: s.completed, failed: s.failed, total: s.total });
  const finished = await api.wait(submitted.batch_id, { pollMs: options.pollMs, signal: options.signal, onStatus: notify });
  if (!finished) return false;
  let answers = 0;
  let errors = 0;
  for (const fileId of [finished.outputFileId, finished.errorFileId]) {
    if (!fileId) continue;
    for await (const outcome of api.outcomes(fileId)) {
      const taken = take(outcome);
      if (taken === 'answer') answers++;
      else if (taken === 'error') errors++;
    }
  }
  if (finished.problem) process.emitWarning(`batch ${finished.id} ${finished.status}: ${finished.problem}`);
  options.log.append({ batch_id: submitted.batch_id, status: finished.status, answers, errors, collected_at: new Date().toISOString() });
  return true;
}

/** Batches in `logPath` submitted and not yet collected, in the order they were submitted. */
export async function pendingBatches(logPath: string): Promise<BatchSubmitted[]> {
  const submitted = new Map<string, BatchSubmitted>();
  for await (const entry of readJsonl(logPath, BatchRecord)) {
    if ('endpoint' in entry) submitted.set(entry.batch_id, entry);
    else submitted.delete(entry.batch_id);
  }
  return [...submitted.values()];
}
