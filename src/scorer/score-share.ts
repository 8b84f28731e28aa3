/**
 * Scoring one share of the bank's items with the matchers, a batch of answers at a time: what
 * each scoring worker runs, and the thread that reads the run for the share it scores itself.
 * Each score comes back as its scores.jsonl line, so the reading thread only writes.
 */
import { scoreWithMatchers } from './score-judged.js';
import { countsOf } from './fresh-score.js';
import type { ScoreJob, ScoreResult, WorkerData } from './score-pool.js';

/** A batch's scores, or where it failed: the answer at `failedAt` (its key and why in `error`), nothing from it on scored. */
export type ShareOutcome = { results: ScoreResult[] } | { failedAt: number; error: string };

export function shareScorer({ items: share, profile }: WorkerData): (jobs: readonly ScoreJob[]) => ShareOutcome {
  const items = new Map(share.map((i) => [i.id, i]));
  const scoreJob = (job: ScoreJob): ScoreResult => {
    const item = items.get(job.response.item);
    if (!item) throw new Error(`item ${job.response.item} is not in the share of the bank scored here`);
    const score = scoreWithMatchers({ profile, item, response: job.response, signature: job.signature, labelHash: job.labelHash, external: job.decided });
    return { line: JSON.stringify(score), status: score.status, counts: countsOf(score) };
  };
  return (jobs) => {
    const results: ScoreResult[] = [];
    try {
      for (const job of jobs) results.push(scoreJob(job));
      return { results };
    } catch (err) {
      // Reported, not thrown: the pool names the answer (the job at `failedAt`) and stops writing there.
      return { failedAt: results.length, error: `${jobs[results.length].response.key}: ${err instanceof Error ? err.message : String(err)}` };
    }
  };
}
