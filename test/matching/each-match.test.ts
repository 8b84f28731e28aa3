import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { forEachMatch } from '../../src/matching/each-match.js';

const seen = (pattern: RegExp, text: string) => {
  const found: [number, string][] = [];
  forEachMatch(pattern, text, (m) => found.push([m.index, m[0]]));
  return found;
};

describe('forEachMatch', () => {
  it('visits what matchAll gives, empty matches and astral characters included, and leaves lastIndex at 0', () => {
    const patterns = [/a*/gu, /b|(?:)/gu, /[。.]+/g, /\d?/gu, /x*/g];
    const char = fc.constantFrom('a', 'b', '。', '.', '1', 'x', '😀', '𠀀', ' ');
    fc.assert(
      fc.property(fc.array(char, { maxLength: 20 }).map((a) => a.join('')), fc.constantFrom(...patterns), (text, pattern) => {
        pattern.lastIndex = 3;
        expect(seen(pattern, text)).toEqual([...text.matchAll(pattern)].map((m) => [m.index, m[0]]));
        expect(pattern.lastIndex).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });
});
