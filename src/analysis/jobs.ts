/**
 * The analysis's two largest computations, the depth curves and the leaderboard's intervals,
 * as jobs of plain data and typed arrays (see analysisSteps): the same results on whichever
 * thread they run, so the report runs them on its frame worker while this thread does the rest.
 */
import type { DepthCurve } from '../schema/results.js';
import { depthCurve, type DepthJob } from './depth.js';
import { leaderboardIntervals, type LeaderboardIntervals, type LeaderboardJob } from './leaderboard.js';

export interface AnalysisJobs {
  depth: DepthJob[];
  leaderboard: LeaderboardJob;
}

export interface AnalysisJobResults {
  curves: DepthCurve[];
  leaderboard: LeaderboardIntervals;
}

export function runAnalysisJobs(jobs: AnalysisJobs): AnalysisJobResults {
  return { curves: jobs.depth.map(depthCurve), leaderboard: leaderboardIntervals(jobs.leaderboard) };
}
