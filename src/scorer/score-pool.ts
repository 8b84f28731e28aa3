/**
 * Scoring on worker threads: each worker scores with the matchers the answers to its own share
 * of the bank's items (every item belongs to one worker), so it is sent only those items and
 * compiles only their rubrics: the bank's compiled state is held once across the workers, not
 * once per worker. A batch of answers is split by worker, and its results come back as one
 * promise in the batch's order, so the caller writes them in input order. Every worker has a
 * bounded heap (resourceLimits), which keeps the memory of a long scoring flat. A worker that
 * fails or stops rejects every batch it held: nothing it scored is lost silently, and nothing
 * is written out of order.
 */
import { Worker } from 'node:worker_threads';
import type { Bank } from '../bank/bank.js';
import type { Item, ScoringProfile } from '../schema/bank.js';
import type { ResponseRecord } from '../schema/run.js';
import type { AnswerScore } from '../schema/score.js';
import type { EntryExternal } from './verdict-sources.js';
import type { ScoreCounts } from './fresh-score.js';
import { UserError } from '../errors.js';
import { workerEntry } from '../io/worker-entry.js';

/** What a worker scores with: its share of the items and the bank's scoring profile, not the whole bank. */
export interface WorkerData {
  items: Item[];
  profile: ScoringProfile;
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
  /** `failedAt`: the failing answer's place in the jobs sent to one worker, when one answer failed. */
  constructor(
    message: string,
    readonly failedAt?: number,
  ) {
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
/**
 * Young generation of each worker, in MB. A worker's garbage is short-lived (a batch's scores,
 * posted and dropped); V8's default young generation (up to 48 MB) only held more of it: 2 workers
 * at 100,000 answers peaked at 269-272 MB with 8 against 329-332 MB with the default, for the
 * same CPU (docs/benchmarks.md).
 */
const WORKER_YOUNG_GENERATION_MB = 8;

export class ScorePool {
  private readonly slots: Slot[] = [];
  /** The worker each item is scored on, by item id. */
  private readonly owner = new Map<string, Slot>();
  private nextId = 0;

  constructor(options: ScorePoolOptions) {
    const entry = workerEntry(import.meta.url, 'score-worker');
    const { items, profile } = options.bank;
    for (let i = 0; i < options.workers; i++) {
      // Every n-th item: runs list items in bank order, so consecutive answers alternate between workers.
      const share = items.filter((_, k) => k % options.workers === i);
      const data: WorkerData = { items: share, profile };
      const worker = new Worker(entry.code, {
        eval: entry.evaluated,
        workerData: data,
        resourceLimits: { maxOldGenerationSizeMb: options.heapMb ?? DEFAULT_WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
        stdout: false,
        stderr: false,
      });
      const slot: Slot = { worker, pending: new Map(), failed: null };
      for (const item of share) this.owner.set(item.id, slot);
      worker.on('message', (reply: { id: number; results?: ScoreResult[]; error?: string; failedAt?: number }) => {
        const pending = slot.pending.get(reply.id);
        if (!pending) return;
        slot.pending.delete(reply.id);
        if (reply.results) pending.resolve(reply.results);
        else pending.reject(new ScoringWorkerError(`scoring failed on answer ${reply.error}. Nothing from this answer on was written; fix the cause and run caps score again to continue.`, reply.failedAt));
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

  /** Scores a batch, each answer on the worker that owns its item; resolves with the results in the batch's order. */
  async score(jobs: ScoreJob[]): Promise<ScoreResult[]> {
    const bySlot = new Map<Slot, { jobs: ScoreJob[]; at: number[] }>();
    for (let i = 0; i < jobs.length; i++) {
      const slot = this.owner.get(jobs[i].response.item);
      if (!slot) throw new ScoringWorkerError(`scoring failed on answer ${jobs[i].response.key}: item ${jobs[i].response.item} is not in the bank the workers were started with.`);
      let part = bySlot.get(slot);
      if (!part) bySlot.set(slot, (part = { jobs: [], at: [] }));
      part.jobs.push(jobs[i]);
      part.at.push(i);
    }
    const results = new Array<ScoreResult>(jobs.length);
    // A failure is placed at its answer in the batch (at a part's first answer when its worker stopped).
    const failures: { at: number; error: unknown }[] = [];
    const parts = [...bySlot].map(([slot, part]) =>
      this.send(slot, part.jobs).then(
        (scored) => {
          for (let k = 0; k < scored.length; k++) results[part.at[k]] = scored[k];
        },
        (error: unknown) => {
          failures.push({ at: part.at[error instanceof ScoringWorkerError && error.failedAt !== undefined ? error.failedAt : 0], error });
        },
      ),
    );
    // Every part is settled before the batch is; the error named is the batch's first failing answer, as in one thread.
    await Promise.all(parts);
    if (failures.length > 0) throw failures.reduce((first, f) => (f.at < first.at ? f : first)).error;
    return results;
  }

  private send(slot: Slot, jobs: ScoreJob[]): Promise<ScoreResult[]> {
    if (slot.failed) return Promise.reject(slot.failed);
    const id = this.nextId++;
    return new Promise<ScoreResult[]>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.ref();
      slot.worker.postMessage({ id, jobs });
    }).finally(() => {
      if (slot.pending.size === 0) slot.worker.unref();
    });
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
