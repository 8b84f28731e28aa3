/** How every view shows a citation (reports, explanations, the studio's page); free of the matcher so a page can bundle it. */
import type { Citation } from '../schema/score.js';

/** A citation's sentence in three parts, the quote in the middle: how every view highlights it. */
export function citationParts(c: Citation): [before: string, quote: string, after: string] {
  const from = Math.max(0, c.start - c.sentence_start);
  const to = Math.min(c.sentence.length, c.end - c.sentence_start);
  return [c.sentence.slice(0, from), c.sentence.slice(from, to), c.sentence.slice(to)];
}
