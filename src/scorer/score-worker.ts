/**
 * A scoring worker thread: scores batches of answers with the matchers (no judge) against the
 * items it was started with (its share of the bank), and returns each score as its
 * scores.jsonl line, so the main thread only writes. Started by ScorePool.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { scoreWithMatchers } from './score-judged.js';
import { countsOf } from './fresh-score.js';
import type { ScoreJob, ScoreResult, WorkerData } from './score-pool.js';

const { items: share, profile } = workerData as WorkerData;
const items = new Map(share.map((i) => [i.id, i]));

function scoreJob(job: ScoreJob): ScoreResult {
  const item = items.get(job.response.item);
  if (!item) throw new Error(`item ${job.response.item} is not in the worker's bank`);
  const score = scoreWithMatchers({ profile, item, response: job.response, signature: job.signature, labelHash: job.labelHash, external: job.decided });
  return { line: JSON.stringify(score), status: score.status, counts: countsOf(score) };
}

parentPort!.on('message', (batch: { id: number; jobs: ScoreJob[] }) => {
  const results: ScoreResult[] = [];
  try {
    for (const job of batch.jobs) results.push(scoreJob(job));
    parentPort!.postMessage({ id: batch.id, results });
  } catch (err) {
    // Reported for the batch, not thrown: the main thread names the answer (the job at `failedAt`) and stops writing there.
    const key = batch.jobs[results.length].response.key;
    parentPort!.postMessage({ id: batch.id, failedAt: results.length, error: `${key}: ${err instanceof Error ? err.message : String(err)}` });
  }
});
