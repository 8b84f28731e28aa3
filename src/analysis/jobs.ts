/**
 * The analysis's two largest computations, the depth curves and the leaderboard's intervals,
 * as jobs of plain data and typed arrays (see analysisSteps): the same results on whichever
 * thread they run, so the report runs them on its frame worker while this thread does the rest.
 */
import type { DepthCurve } from '../schema/results.js';
import { PlanCache } from './bootstrap.js';
import { depthCurve, type DepthJob } from './depth.js';
import { leaderboardIntervals, type LeaderboardIntervals, type LeaderboardJob } from './leaderboard.js';

export interface AnalysisJobs {
  /** The analysis's seed and bootstrap size, from which the jobs' resampling plans are drawn (see PlanCache). */
  plans: { seed: number; b: number };
  depth: DepthJob[];
  leaderboard: LeaderboardJob;
}

export interface AnalysisJobResults {
  curves: DepthCurve[];
  leaderboard: LeaderboardIntervals;
}

export function runAnalysisJobs(jobs: AnalysisJobs): AnalysisJobResults {
  const plans = new PlanCache(jobs.plans.seed, jobs.plans.b);
  return { curves: jobs.depth.map((job) => depthCurve(job, plans)), leaderboard: leaderboardIntervals(jobs.leaderboard, plans) };
}
