import { describe, expect, it } from 'vitest';
import { extractFirstJsonObject, parseJudgeOutput } from '../../src/scorer/judge/output.js';

describe('judge output parsing', () => {
  const ids = ['a', 'b'];
  const reply = (verdicts: unknown[]) => JSON.stringify({ verdicts });
  const v = (entry: string, met = false) => ({ entry, met, quote: '', rationale: 'r' });

  it('accepts a complete reply, also inside prose or a code fence', () => {
    expect(parseJudgeOutput(reply([v('a'), v('b', true)]), ids)).toMatchObject({ ok: true });
    const fenced = 'Here you go:\n```json\n' + reply([v('a'), v('b')]) + '\n```\nThanks {not json}';
    expect(parseJudgeOutput(fenced, ids).ok).toBe(true);
    expect(extractFirstJsonObject('x {"s": "a } inside"} y')).toEqual({ s: 'a } inside' });
    expect(parseJudgeOutput('<think>maybe {"entry": "a"} first</think>' + reply([v('a'), v('b')]), ids).ok).toBe(true);
  });

  it('rejects missing, unknown and repeated entries, bad shapes and no JSON', () => {
    expect(parseJudgeOutput(reply([v('a')]), ids)).toEqual({ ok: false, problem: 'no verdict for "b"' });
    expect(parseJudgeOutput(reply([v('a'), v('b'), v('c')]), ids)).toEqual({ ok: false, problem: 'unknown entry id "c"' });
    expect(parseJudgeOutput(reply([v('a'), v('a'), v('b')]), ids)).toEqual({ ok: false, problem: 'entry "a" graded twice' });
    expect(parseJudgeOutput(reply([{ entry: 'a', met: 'yes', quote: '', rationale: '' }, v('b')]), ids)).toMatchObject({ ok: false, problem: expect.stringMatching(/schema/) });
    expect(parseJudgeOutput('{"verdicts": [', ids)).toEqual({ ok: false, problem: 'no JSON object in the reply' });
    expect(parseJudgeOutput(null, ids)).toEqual({ ok: false, problem: 'empty reply' });
  });
});
