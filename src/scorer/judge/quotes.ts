/**
 * Quote verification: a judge's "met" must be backed by words the answer really contains.
 * Quotes are compared after the matcher's normalisation (width, case, dashes, whitespace)
 * with punctuation and spaces removed, so a judge that re-punctuates a sentence is not
 * penalised but one that invents or paraphrases is. An elided quote ("A…B") is accepted
 * when each fragment is in the answer.
 */
import { normalizeForMatch } from '../normalize.js';

const ELLIPSIS = /…+|\.{3,}|。{3,}/u;
const PUNCTUATION_AND_SPACE = /[\p{P}\p{S}\s]/gu;

function comparable(text: string): string {
  return normalizeForMatch(text).replace(PUNCTUATION_AND_SPACE, '');
}

export type QuoteCheck = { found: true } | { found: false; reason: 'missing-quote' | 'quote-not-found' };

export function verifyQuote(answer: string, quote: string): QuoteCheck {
  const fragments = quote.split(ELLIPSIS).map(comparable).filter((f) => f !== '');
  if (fragments.length === 0) return { found: false, reason: 'missing-quote' };
  const haystack = comparable(answer);
  return fragments.every((f) => haystack.includes(f)) ? { found: true } : { found: false, reason: 'quote-not-found' };
}
