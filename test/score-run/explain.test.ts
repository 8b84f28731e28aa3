import { describe, expect, it } from 'vitest';
import { explainScore } from '../../src/scorer/explain.js';
import { scoreAnswer } from '../../src/scorer/score-answer.js';
import { resolveRubric } from '../../src/scorer/rubric.js';
import { ResponseRecord } from '../../src/schema/run.js';
import { item } from '../judge/fixtures.js';

const response = (text: string) => ResponseRecord.parse({ key: 'k', respondent: 'r', item: 'iiia', text });
const entries = resolveRubric(item);

describe('explainScore', () => {
  it('shows a judge that disagrees with the matcher, critical misses and fired deductions', () => {
    const judgeOpinions = new Map([
      ['neoadjuvant-first', { met: true, quotes: ['建议直接手术'], rationale: 'mentions treatment', judge: 'j' }],
      ['restage', { met: false, quotes: [], rationale: 'no restaging', judge: 'j' }],
      ['no-treatment', { met: false, quotes: [], judge: 'j' }],
      ['stop-all', { met: false, quotes: [], judge: 'j' }],
    ]);
    const score = scoreAnswer({ item, response: response('建议直接手术。'), profile: 'caps', judgeOpinions });
    const text = explainScore(score, entries);
    expect(text).toMatch(/✗ {2}not met {2}scoring point 得分点 {2}neoadjuvant-first {2}-2 pt/);
    expect(text).toMatch(/judge j: met "建议直接手术" \(mentions treatment\) {2}<- disagrees with the matcher/);
    expect(text).toMatch(/decided by judge j\n {5}why: no restaging/);
    expect(text).toMatch(/raw {3}-5 = -2 neoadjuvant-first -3 surgery-first/);
    expect(text).toMatch(/score 0 \/ 100 = clamp\(-5 \/ 5, 0, 1\) x 100/);
    expect(text).toMatch(/why {3}critical point missed: neoadjuvant-first \(-2\)/);
    expect(text).toMatch(/why {3}deduction fired: surgery-first \(建议直接手术\): "建议⟦直接手术⟧。"/);
  });

  it('explains a judge failure as undecided, to be retried', () => {
    const failed = new Map(['restage', 'no-treatment', 'stop-all'].map((id) => [id, { error: 'judge j failed (connection: refused)' }]));
    const text = explainScore(scoreAnswer({ item, response: response('先行新辅助治疗。'), profile: 'caps', judgeOpinions: failed }), entries);
    expect(text).toMatch(/\? {2}UNDECIDED {2}scoring point 得分点 {2}restage/);
    expect(text).toMatch(/undecided: judge failed: judge j failed \(connection: refused\)/);
    expect(text).toMatch(/score - \(incomplete\)/);
    expect(text).toMatch(/why {3}incomplete: 3 entries are undecided \(restage, no-treatment, stop-all\); the judge failed: try again/);
  });
});
