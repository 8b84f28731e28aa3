/**
 * A scoring worker thread: scores batches of answers with the matchers (no judge) against the
 * items it was started with (its share of the bank). Started by ScorePool.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { shareScorer } from './score-share.js';
import type { WorkerData } from './score-pool.js';
import type { ScoreJob } from './score-pool.js';

const scoreBatch = shareScorer(workerData as WorkerData);

parentPort!.on('message', (batch: { id: number; jobs: ScoreJob[] }) => {
  parentPort!.postMessage({ id: batch.id, ...scoreBatch(batch.jobs) });
});
