import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { indexNegation } from '../../src/matching/negation.js';

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
