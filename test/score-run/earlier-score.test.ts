import { describe, expect, it } from 'vitest';
import { Item } from '../../src/schema/bank.js';
import { ResponseRecord } from '../../src/schema/run.js';
import type { AnswerScore } from '../../src/schema/score.js';
import { scoreAnswer } from '../../src/scorer/score-answer.js';
import { earlierScore } from '../../src/scorer/score-run.js';

const item = Item.parse({
  id: 'q1',
  topic: 'treatment',
  depth: 1,
  prompt: 'What comes first?',
  rubric: {
    points: [
      { id: 'neoadjuvant', text: 'neoadjuvant therapy first', score: 3, match: { any: ['neoadjuvant'] } },
      { id: 'restage', text: 'restage before surgery', score: 2, match: { any: ['restage'] } },
    ],
  },
});

function matcherScore(text: string): AnswerScore {
  const response = ResponseRecord.parse({ key: 'm|q1|clean|0|0', respondent: 'm', item: 'q1', text });
  return { ...scoreAnswer({ item, response, profile: 'caps' }), scorer: { matcher: 'm1', judges: [], signature: 'sig' } };
}

const opinion = (judge: string) => ({ met: true, quotes: [], judge });

describe('earlierScore: which earlier scores the scoring pass holds whole', () => {
  it('keeps only what it needs of a complete matcher-only score, so rescoring a scored run holds no score in memory', () => {
    const score = matcherScore('Neoadjuvant therapy first, then restage.');
    expect(score.status).toBe('complete');
    const earlier = earlierScore(score, false);
    expect(earlier).toEqual({ signature: 'sig', status: 'complete', external: undefined, judged: false, counts: expect.any(Object) });
    expect(earlier.score).toBeUndefined();
  });

  it('keeps the whole score where a re-score starts from it', () => {
    const complete = matcherScore('Neoadjuvant therapy first, then restage.');
    // Labelled since: the labels are applied to the earlier verdicts.
    expect(earlierScore(complete, true).score).toBe(complete);
    const labelledBefore = { ...complete, scorer: { ...complete.scorer, external: 'h' } };
    expect(earlierScore(labelledBefore, false).score).toBe(labelledBefore);
    // Jurors' opinions on some entries: a judge is not asked again for those.
    const partlyJudged = { ...complete, verdicts: [{ ...complete.verdicts[0], judges: [opinion('a'), opinion('b')] }, complete.verdicts[1]] };
    expect(earlierScore(partlyJudged, false).score).toBe(partlyJudged);
    const incomplete = { ...complete, status: 'incomplete' as const };
    expect(earlierScore(incomplete, false).score).toBe(incomplete);
  });

  it('does not keep a score judged throughout', () => {
    const complete = matcherScore('Neoadjuvant therapy first, then restage.');
    const judged = { ...complete, verdicts: complete.verdicts.map((v) => ({ ...v, judge: opinion('a') })) };
    const earlier = earlierScore(judged, false);
    expect(earlier.judged).toBe(true);
    expect(earlier.score).toBeUndefined();
  });
});
