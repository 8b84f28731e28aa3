/**
 * Scoring on worker threads: answers go to the workers in batches, each worker scores them
 * with the matchers against its own copy of the bank and returns the scores.jsonl lines, and
 * each batch's results come back as one promise, so the caller writes them in input order.
 * Every worker has a bounded heap (resourceLimits), which keeps the memory of a long scoring
 * flat. A worker that fails or stops rejects every batch it held: nothing it scored is lost
 * silently, and nothing is written out of order.
 */
import { Worker } from 'node:worker_threads';
import type { Bank } from '../bank/bank.js';
import type { ResponseRecord } from '../schema/run.js';
import type { AnswerScore } from '../schema/score.js';
import type { EntryExternal } from './verdict-sources.js';
import type { ScoreCounts } from './fresh-score.js';
import { UserError } from '../errors.js';
import { workerEntry } from '../io/worker-entry.js';

export interface WorkerData {
  bank: Bank;
}

/** One answer to score: everything the main thread decided for it. */
export interface ScoreJob {
  response: ResponseRecord;
  signature: string;
  labelHash: string | undefined;
  decided: ReadonlyMap<string, EntryExternal> | undefined;
}

export interface ScoreResult {
  /** The score as its scores.jsonl line (JSON, no newline). */
  line: string;
  status: AnswerScore['status'];
  counts: ScoreCounts;
}

/** A scoring worker failed or stopped: the answers it held were not scored and nothing after them was written. */
export class ScoringWorkerError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'ScoringWorkerError';
  }
}

export interface ScorePoolOptions {
  bank: Bank;
  workers: number;
  /** Old-generation heap limit of each worker, in MB. */
  heapMb?: number;
}

interface Pending {
  resolve: (results: ScoreResult[]) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Set once the worker failed: later batches are refused with the same error. */
  failed: Error | null;
}

export const DEFAULT_WORKER_HEAP_MB = 192;

export class ScorePool {
  private readonly slots: Slot[] = [];
  private nextId = 0;

  constructor(options: ScorePoolOptions) {
    const entry = workerEntry(import.meta.url, 'score-worker');
    const data: WorkerData = { bank: options.bank };
    for (let i = 0; i < options.workers; i++) {
      const worker = new Worker(entry.code, {
        eval: entry.evaluated,
        workerData: data,
        resourceLimits: { maxOldGenerationSizeMb: options.heapMb ?? DEFAULT_WORKER_HEAP_MB },
        stdout: false,
        stderr: false,
      });
      const slot: Slot = { worker, pending: new Map(), failed: null };
      worker.on('message', (reply: { id: number; results?: ScoreResult[]; error?: string }) => {
        const pending = slot.pending.get(reply.id);
        if (!pending) return;
        slot.pending.delete(reply.id);
        if (reply.results) pending.resolve(reply.results);
        else pending.reject(new ScoringWorkerError(`scoring failed on answer ${reply.error}. Nothing from this answer on was written; fix the cause and run caps score again to continue.`));
      });
      worker.on('error', (err: Error & { code?: string }) => this.fail(slot, err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `ran out of its ${options.heapMb ?? DEFAULT_WORKER_HEAP_MB} MB heap` : err.message));
      worker.on('exit', (code) => this.fail(slot, `stopped (exit code ${code})`));
      // An idle worker does not keep the process alive.
      worker.unref();
      this.slots.push(slot);
    }
  }

  get size(): number {
    return this.slots.length;
  }

  /** Scores a batch on the least busy worker; resolves with the results in the batch's order. */
  score(jobs: ScoreJob[]): Promise<ScoreResult[]> {
    const slot = this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    if (slot.failed) return Promise.reject(slot.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.ref();
      slot.worker.postMessage({ id, jobs });
    }).finally(() => {
      if (slot.pending.size === 0) slot.worker.unref();
    }) as Promise<ScoreResult[]>;
  }

  private fail(slot: Slot, why: string): void {
    if (slot.failed) return;
    slot.failed = new ScoringWorkerError(
      `a scoring worker ${why}; its answers were not scored and nothing from them on was written (scores.jsonl keeps every score before them). Run caps score again to continue${why.includes('heap') ? ', or score in one thread with --workers 0' : ''}.`,
    );
    for (const pending of slot.pending.values()) pending.reject(slot.failed);
    slot.pending.clear();
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => { s.failed ??= new ScoringWorkerError('the scoring workers were closed'); return s.worker.terminate(); }));
  }
}
