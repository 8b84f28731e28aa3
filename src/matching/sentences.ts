/**
 * Sentences of an answer, as quoted in verdicts. A sentence ends at 。！？!?；; (and their
 * full-width forms), at a line break, or at a full stop followed by a space (English); the
 * terminator stays with its sentence. Offsets refer to the original answer.
 */
import { forEachMatch } from './each-match.js';

export interface SentenceSpan {
  /** 1-based position among the answer's sentences. */
  index: number;
  /** The sentence as written, without surrounding whitespace. */
  text: string;
  /** Original offsets of text: answer.slice(start, end) === text. */
  start: number;
  end: number;
}

// A terminator run (e.g. "?!" or "。」") closes the sentence; a full stop only when followed by
// a space or the end, and not after a common abbreviation (e.g., i.e., vs., Dr.) or a list
// number at the start of a line ("1. 先行新辅助治疗").
const TERMINATOR = /[。！？!?；;]+[」』”’)）]*|(?<!\b(?:e\.g|i\.e|vs|cf|approx|dr|fig)|(?:^|\n)[ \t]*\d{1,3})[.．]+(?=\s|$)[」』”’)）]*|\r?\n/giu;

export function sentenceSpans(answer: string): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  let from = 0;
  const push = (start: number, end: number) => {
    const piece = answer.slice(start, end);
    const text = piece.trim();
    if (text === '') return;
    // The first occurrence is where the leading whitespace ends: the text starts with none.
    const lead = piece.indexOf(text);
    spans.push({ index: spans.length + 1, text, start: start + lead, end: start + lead + text.length });
  };
  forEachMatch(TERMINATOR, answer, (m) => {
    push(from, m.index + m[0].length);
    from = m.index + m[0].length;
  });
  push(from, answer.length);
  return spans;
}

/** The sentences of an answer, as written. */
export function sentencesOf(answer: string): string[] {
  return sentenceSpans(answer).map((s) => s.text);
}

/** The sentence containing the original offset (or the nearest one before it); a binary search, so long answers stay linear. */
export function sentenceAt(spans: readonly SentenceSpan[], offset: number): SentenceSpan | undefined {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid].start <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? spans[lo - 1] : spans[0];
}
