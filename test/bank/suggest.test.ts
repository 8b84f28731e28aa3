import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance } from '../../src/bank/suggest.js';

describe('did-you-mean suggestions', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('scroe', 'score')).toBe(1);
    expect(editDistance('itms', 'items')).toBe(1);
    expect(editDistance('deductoins', 'deductions')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests only plausible typos', () => {
    const keys = ['id', 'text', 'score', 'level', 'critical', 'miss_penalty', 'evidence'];
    expect(closestMatch('scroe', keys)).toBe('score');
    expect(closestMatch('Critcal', keys)).toBe('critical');
    expect(closestMatch('misspenalty', keys)).toBe('miss_penalty');
    expect(closestMatch('weight', keys)).toBeUndefined();
    expect(closestMatch('x', keys)).toBeUndefined();
  });
});
