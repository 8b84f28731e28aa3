import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalizeAny, normalizeWithOrigin } from '../../src/matching/normalize.js';

// ASCII with what normalisation acts on: capitals, every whitespace kind, line breaks, control characters.
const asciiChar = fc.oneof(
  fc.constantFrom(' ', '  ', '\n', '\r\n', '\t', '\v', '\f', '\x00', '\x1f', '\x7f', '-', '.', 'A', 'Z', 'a', 'z', '0'),
  fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)),
);

describe('normalising ASCII answers', () => {
  it('gives what the general normalisation gives, origins included', () => {
    fc.assert(
      fc.property(fc.array(asciiChar, { maxLength: 80 }).map((a) => a.join('')), (text) => {
        expect(normalizeWithOrigin(text)).toEqual(normalizeAny(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives it too for single-spaced text, which only lowers capitals (the quick path most answers take)', () => {
    const word = fc.array(asciiChar.filter((c) => !/\s/.test(c)), { minLength: 1, maxLength: 8 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 20 }).map((words) => words.join(' ')), (text) => {
        expect(normalizeWithOrigin(text)).toEqual(normalizeAny(text));
      }),
      { numRuns: 2000 },
    );
    expect(normalizeWithOrigin('Give 5 MG. Then STOP')).toEqual({ text: 'give 5 mg. then stop', origin: Array.from({ length: 21 }, (_, i) => i) });
  });

  it('collapses whitespace runs, keeps a line break as one, lowers capitals', () => {
    expect(normalizeWithOrigin('  Stage IV\t\tNSCLC.\r\n\n  Start  EGFR-TKI ')).toEqual({
      text: 'stage iv nsclc.\nstart egfr-tki',
      origin: [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 23, 24, 25, 26, 27, 28, 30, 31, 32, 33, 34, 35, 36, 37, 39],
    });
  });
});
