/**
 * Where a report reads the records of its run folders: in this thread, or on a worker thread.
 * The worker reads each file as RunFolder does (readJsonlBatches: every line parsed and checked
 * by its zod schema, under this thread's bad-line policy) while this thread loads the bank, and
 * sends the validated records back as JSON text, one text per chunk read: parsing that is all
 * that is left here, and the garbage of reading (line strings, each line parsed before zod
 * copies it) is made and collected in the worker's heap, not in the one the report grows.
 */
import { Worker } from 'node:worker_threads';
import { RunFolder } from '../io/run-folder.js';
import { badLinePolicy, type JsonlProblem } from '../io/jsonl.js';
import { workerEntry } from '../io/worker-entry.js';
import { UserError } from '../errors.js';
import type { ResponseRecord } from '../schema/run.js';
import type { AnswerScore } from '../schema/score.js';

export interface RunRecords {
  responses: ResponseRecord;
  scores: AnswerScore;
}
export type RunFile = keyof RunRecords;

export interface RunRecordsReader {
  /** The latest record of each key in the run folder's responses or scores, as RunFolder's latestResponses and latestScores give them. */
  latest<F extends RunFile>(dir: string, file: F, onProblem?: (problem: JsonlProblem) => void): Promise<Map<string, RunRecords[F]>>;
  /** Stops the worker, if any (idempotent). */
  close(): Promise<void>;
}

export const readInThisThread: RunRecordsReader = {
  async latest<F extends RunFile>(dir: string, file: F, onProblem?: (problem: JsonlProblem) => void) {
    const folder = new RunFolder(dir);
    return (await (file === 'responses' ? folder.latestResponses(onProblem) : folder.latestScores(onProblem))) as Map<string, RunRecords[F]>;
  },
  async close() {},
};

export function runFilePath(dir: string, file: RunFile): string {
  const folder = new RunFolder(dir);
  return file === 'responses' ? folder.responsesPath : folder.scoresPath;
}

export interface ReadRequest {
  id: number;
  path: string;
  file: RunFile;
  skip: boolean;
}

/** A chunk's records as the JSON text of an array; then, once, what the read ended with. */
export type ReadReply =
  | { id: number; records: string }
  | { id: number; reports: string[]; problems: JsonlProblem[]; error?: { message: string; exitCode?: 1 | 2 } };

interface Pending {
  path: string;
  latest: Map<string, { key: string }>;
  onProblem?: (problem: JsonlProblem) => void;
  resolve: (latest: Map<string, { key: string }>) => void;
  reject: (error: Error) => void;
}

const failure = (why: string) => new UserError(`reading the run folder failed on its worker thread (${why}); no report was written.`, 2);

/** Reads run-folder files on a worker thread started now, one file after another in the order asked. */
export class RunReadWorker implements RunRecordsReader {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private stopped: Error | null = null;

  constructor() {
    const entry = workerEntry(import.meta.url, 'run-read-worker');
    this.worker = new Worker(entry.code, { eval: entry.evaluated });
    this.worker.on('message', (reply: ReadReply) => this.receive(reply));
    this.worker.once('error', (err) => this.fail(failure(err.message)));
    this.worker.once('exit', (code) => this.fail(failure(`it stopped with exit code ${code} before answering`)));
    // An idle worker does not keep the process alive.
    this.worker.unref();
  }

  latest<F extends RunFile>(dir: string, file: F, onProblem?: (problem: JsonlProblem) => void): Promise<Map<string, RunRecords[F]>> {
    const path = runFilePath(dir, file);
    return new Promise((resolve, reject) => {
      if (this.stopped) return reject(this.stopped);
      const id = this.nextId++;
      this.pending.set(id, { path, latest: new Map(), onProblem, resolve: resolve as Pending['resolve'], reject });
      this.worker.ref();
      this.worker.postMessage({ id, path, file, skip: badLinePolicy().skip } satisfies ReadRequest);
    });
  }

  private receive(reply: ReadReply): void {
    const request = this.pending.get(reply.id);
    if (!request) return;
    if ('records' in reply) {
      for (const record of JSON.parse(reply.records) as { key: string }[]) request.latest.set(record.key, record);
      return;
    }
    this.settle(reply.id);
    // The lines it could not read are reported here as a read in this thread reports them.
    const policy = badLinePolicy();
    reply.reports.forEach((message, i) => {
      policy.report(message);
      request.onProblem?.(reply.problems[i]);
    });
    if (!reply.error) request.resolve(request.latest);
    else if (reply.error.exitCode) request.reject(new UserError(reply.error.message, reply.error.exitCode));
    else request.reject(new UserError(`${request.path}: cannot be read (${reply.error.message}).`));
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  private fail(error: Error): void {
    this.stopped ??= error;
    for (const [id, request] of this.pending) {
      this.settle(id);
      request.reject(error);
    }
  }

  async close(): Promise<void> {
    this.fail(failure('it was closed'));
    await this.worker.terminate();
  }
}
