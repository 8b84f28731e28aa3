import { describe, expect, it } from 'vitest';
import { latestExternalVerdicts, resolveExternal } from '../../src/scorer/verdict-sources.js';
import type { ExternalVerdict } from '../../src/schema/external-verdict.js';

const v = (source: ExternalVerdict['source'], grader: string, met: boolean | null, at: string, extra: Partial<ExternalVerdict> = {}): ExternalVerdict => ({
  v: 1, key: 'k', item: 'i', entry: 'e', met, source, grader, at, ...extra,
});
const decide = (lines: ExternalVerdict[]) => resolveExternal(latestExternalVerdicts(lines).get('k') ?? []).get('e');

describe('verdict sources: adjudication > physician > imported', () => {
  it('the latest line per (key, entry, source, grader) wins; null is no vote and withdraws an earlier one', () => {
    expect(decide([v('physician', 'a', true, '1'), v('physician', 'a', false, '2')])?.decision).toMatchObject({ met: false, source: 'physician' });
    expect(decide([v('physician', 'a', true, '1'), v('physician', 'a', null, '2')])).toEqual({ flags: [] });
    expect(decide([v('imported', 'x', false, '1'), v('physician', 'a', null, '2')])?.decision).toMatchObject({ met: false, source: 'imported' });
  });

  it('physicians decide by majority; a tie falls through to the next source and is flagged', () => {
    const three = [v('physician', 'a', true, '1'), v('physician', 'b', false, '1'), v('physician', 'c', true, '1', { quote: 'q' })];
    expect(decide(three)?.decision).toMatchObject({ met: true, source: 'physician', quotes: ['q'], rationale: '2 of 3 physician graders', provenance: { graders: ['a', 'c'] } });
    const split = decide([v('physician', 'a', true, '1'), v('physician', 'b', false, '1'), v('imported', 'pub', false, '0', { origin: 'g.csv:4' })]);
    expect(split?.decision).toMatchObject({ met: false, source: 'imported', provenance: { graders: ['pub'], origin: ['g.csv:4'] } });
    expect(split?.flags).toEqual(['physician graders split 1-1 (a: met, b: not met) and nobody adjudicated: left to the next source']);
    const alone = decide([v('physician', 'a', true, '1'), v('physician', 'b', false, '1')]);
    expect(alone?.decision).toBeUndefined();
    expect(alone?.flags).toHaveLength(1);
  });

  it('an adjudication decides over physicians and imported grades; the latest adjudication and the latest import win', () => {
    const lines = [v('physician', 'a', true, '1'), v('physician', 'b', true, '1'), v('adjudication', 'chief', false, '2'), v('adjudication', 'chief2', true, '3'), v('imported', 'x', false, '4')];
    expect(decide(lines)?.decision).toMatchObject({ met: true, source: 'adjudication', provenance: { graders: ['chief2'], at: '3' } });
    expect(decide([v('imported', 'x', false, '1'), v('imported', 'y', true, '2')])?.decision).toMatchObject({ met: true, provenance: { graders: ['y'] } });
  });
});
