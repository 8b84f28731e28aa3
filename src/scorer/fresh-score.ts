/**
 * The parts of scoring a run shared by the main thread and the scoring workers: a new score
 * stamped with what decides its reuse, and the counts a summary takes from a score.
 */
import type { AnswerScore } from '../schema/score.js';

export interface ScoreCounts {
  compared: number;
  agreed: number;
  /** Entries decided by verdicts.jsonl, by source. */
  external: Record<string, number>;
}

export function countsOf(score: AnswerScore): ScoreCounts {
  const counts: ScoreCounts = { compared: 0, agreed: 0, external: {} };
  for (const verdict of score.verdicts) {
    if (verdict.provenance) counts.external[verdict.decided_by] = (counts.external[verdict.decided_by] ?? 0) + 1;
    if (verdict.agreement === undefined) continue;
    counts.compared++;
    if (verdict.agreement) counts.agreed++;
  }
  return counts;
}

/** A new score with its signature (an equal one later means it can be reused) and the hash of the labels it used. */
export function stampScore(score: AnswerScore, signature: string, labelHash: string | undefined): AnswerScore {
  return { ...score, scorer: { ...score.scorer, signature, ...(labelHash && { external: labelHash }) } };
}
