import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { indexNegation } from '../../src/matching/negation.js';
import { sentenceSpans } from '../../src/matching/sentences.js';

/** The clause and sentence ends as rules: 。;,!? and line breaks, a full stop unless it stands between digits; a comma ends only a clause. */
const CLAUSE_END = /[。;,!?\n]|\.(?!\d)|(?<!\d)\./g;
const SENTENCE_END = /[。;!?\n]|\.(?!\d)|(?<!\d)\./g;
const at = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m.index);

describe('clause and sentence ends of a normalised text', () => {
  it('are where the rules put them, decimal points and digits at either edge included', () => {
    const char = fc.constantFrom('。', ';', ',', '!', '?', '\n', '.', '..', '1', '9', '0', 'a', ' ', '：', '，', '不', 'x.5', '2.', '.3');
    fc.assert(
      fc.property(fc.array(char, { maxLength: 40 }).map((a) => a.join('')), (text) => {
        const index = indexNegation(text);
        expect(index.clauseEnds).toEqual(at(text, CLAUSE_END));
        expect(index.sentenceEnds).toEqual(at(text, SENTENCE_END));
      }),
      { numRuns: 3000 },
    );
    expect(indexNegation('give 2.5 mg, then stop. 1.').clauseEnds).toEqual([11, 22, 25]);
    expect(indexNegation('give 2.5 mg, then stop. 1.').sentenceEnds).toEqual([22, 25]);
  });
});

describe('sentence spans', () => {
  it('are the pieces between terminators, trimmed, with offsets into the answer', () => {
    const char = fc.constantFrom('。', '！', '?', ';', '.', '. ', '\n', '\r\n', ' ', '\u3000', '\u00a0', 'e.g. ', '1. ', '」', 'a', 'Z', '不', '2.5', '\t');
    fc.assert(
      fc.property(fc.array(char, { maxLength: 30 }).map((a) => a.join('')), (answer) => {
        const spans = sentenceSpans(answer);
        spans.forEach((s, i) => {
          expect(s.index).toBe(i + 1);
          expect(answer.slice(s.start, s.end)).toBe(s.text);
          expect(s.text).toBe(s.text.trim());
          expect(s.text).not.toBe('');
          if (i > 0) expect(s.start).toBeGreaterThanOrEqual(spans[i - 1].end);
        });
        // Nothing but whitespace is left out.
        expect(spans.map((s) => s.text).join('').replace(/\s/gu, '')).toBe(answer.replace(/\s/gu, ''));
      }),
      { numRuns: 2000 },
    );
    expect(sentenceSpans('  First one. \u3000第二句。 Last')).toEqual([
      { index: 1, text: 'First one.', start: 2, end: 12 },
      { index: 2, text: '第二句。', start: 14, end: 18 },
      { index: 3, text: 'Last', start: 19, end: 23 },
    ]);
  });
});
