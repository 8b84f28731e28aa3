/**
 * The run-folder reading thread of a report (see RunReadWorker): reads each file it is asked
 * for with readJsonlBatches, under the caller's bad-line policy, and sends the validated
 * records back chunk by chunk as JSON text, then the reports of the lines it could not read
 * and the error that ended the read, if any, for the caller to replay.
 */
import { parentPort } from 'node:worker_threads';
import { readJsonlBatches, setBadLinePolicy, type JsonlProblem } from '../io/jsonl.js';
import { UserError } from '../errors.js';
import { ResponseRecord } from '../schema/run.js';
import { AnswerScore } from '../schema/score.js';
import type { ReadReply, ReadRequest, RunFile } from './run-reader.js';

const SCHEMAS = { responses: ResponseRecord, scores: AnswerScore } satisfies Record<RunFile, unknown>;

const post = (reply: ReadReply) => parentPort!.postMessage(reply);

async function read({ id, path, file, skip }: ReadRequest): Promise<void> {
  const reports: string[] = [];
  const problems: JsonlProblem[] = [];
  setBadLinePolicy({ skip, report: (message) => reports.push(message) });
  let error: Extract<ReadReply, { reports: string[] }>['error'];
  try {
    for await (const batch of readJsonlBatches(path, SCHEMAS[file], { offset: 0, line: 0 }, (problem) => problems.push(problem))) {
      post({ id, records: JSON.stringify(batch.map((b) => b.record)) });
    }
  } catch (err) {
    error = err instanceof UserError ? { message: err.message, exitCode: err.exitCode } : { message: err instanceof Error ? err.message : String(err) };
  }
  post({ id, reports, problems, error });
}

// One file at a time: the bad-line policy is this thread's, set for each read.
let queue = Promise.resolve();
parentPort!.on('message', (request: ReadRequest) => {
  queue = queue.then(() => read(request));
});
