/**
 * The phrase search finds exactly what the phrase's regular expression finds: a reference
 * regular expression is built as the matcher once built it, and both run over many generated
 * texts and phrases (Latin inflections, hyphens, spaces, digits, Chinese, accented and Greek
 * letters, word boundaries).
 */
import { describe, expect, it } from 'vitest';
import { phraseOccurrences } from '../../src/matching/matcher.js';
import { escapeRegExp, withWordBoundaries } from '../../src/matching/negation.js';
import { normalizeForMatch } from '../../src/matching/normalize.js';
import { fuzzyBody, FUZZY_MIN_LETTERS, FUZZY_PREFIX } from '../../src/matching/vocabulary.js';

function referenceInflect(word: string): string {
  const latin = /\p{Script=Latin}+$/u.exec(word)?.[0] ?? '';
  if (latin.length < 4) return escapeRegExp(word);
  if (word.endsWith('y')) return `${escapeRegExp(word.slice(0, -1))}(?:y|ies|ied|ys|ying)`;
  if (word.endsWith('e')) return `${escapeRegExp(word.slice(0, -1))}(?:e|es|ed|ing)`;
  return `${escapeRegExp(word)}(?:s|es|ed|ing)?`;
}

function referencePattern(phrase: string): RegExp | null {
  const fuzzy = phrase.startsWith(FUZZY_PREFIX);
  const norm = normalizeForMatch(fuzzy ? phrase.slice(FUZZY_PREFIX.length) : phrase).trim();
  if (fuzzy && /^[a-z]+$/.test(norm) && norm.length >= FUZZY_MIN_LETTERS) return new RegExp(withWordBoundaries(norm, `${fuzzyBody(norm, escapeRegExp)}(?:s)?`), 'gu');
  if (norm === '') return null;
  const segments = norm.split(/[ \-]+/).filter(Boolean);
  const body = segments.length === 0 ? escapeRegExp(norm) : [...segments.slice(0, -1).map(escapeRegExp), referenceInflect(segments[segments.length - 1])].join('[ \\-]?');
  return new RegExp(withWordBoundaries(norm, body), 'gu');
}

function reference(phrase: string, text: string): [number, number][] {
  const re = referencePattern(phrase);
  return re ? [...text.matchAll(re)].filter((m) => m[0].length > 0).map((m) => [m.index, m.index + m[0].length]) : [];
}

/** A small deterministic generator (mulberry32), so a failure is reproducible. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['stage', 'staging', 'therapy', 'therapies', 'biopsy', 'biopsied', 'ct', 'pet', 'dose', 'doses', 'confirm', 'confirmed', 'pd', 'l1', '5', 'mg', 'é', 'café', 'β', 'αβγδ', '手术', '化疗', '非小细胞', 'x', 'scan', 'scans', 'scanning', 'ing', 'es', 'y', 'ies', 'bệnhtrị', 'ḁḁḁḁ'];
const SEPARATORS = [' ', '-', '', ' - ', '--', '.', ',', '、', '\n'];

function pick<T>(next: () => number, list: readonly T[]): T {
  return list[Math.floor(next() * list.length)];
}

function words(next: () => number, count: number): string {
  let out = pick(next, WORDS);
  for (let i = 1; i < count; i++) out += pick(next, SEPARATORS) + pick(next, WORDS);
  return out;
}

describe('phrase search', () => {
  it('finds what the reference regular expression finds, over generated phrases and texts', () => {
    const next = random(14);
    let compared = 0;
    let found = 0;
    for (let i = 0; i < 3000; i++) {
      const phrase = words(next, 1 + Math.floor(next() * 3));
      const text = normalizeForMatch(words(next, 5 + Math.floor(next() * 30)));
      // Plant the phrase (or a near spelling) so that hits, inflections and boundaries are exercised, not only misses.
      const planted = next() < 0.7 ? text.slice(0, Math.floor(next() * text.length)) + normalizeForMatch(phrase) + pick(next, ['', 's', 'es', 'ing', 'ed', 'ies', 'x', ' ', '-']) + text.slice(Math.floor(next() * text.length)) : text;
      const expected = reference(phrase, planted);
      expect(phraseOccurrences(phrase, planted), `${JSON.stringify(phrase)} in ${JSON.stringify(planted)}`).toEqual(expected);
      compared++;
      found += expected.length;
    }
    expect(compared).toBe(3000);
    expect(found).toBeGreaterThan(500);
  });

  it('finds typo-tolerant words as their regular expression does', () => {
    const cases: [string, string][] = [
      ['~durvalumab', 'durvalumb then durvalumabs and xdurvalumab, durvaluumab'],
      ['~osimertinib', 'osimertinib osimertnib osimxrtinib osimertinibx'],
      ['~osimertinib', 'nothing here'],
    ];
    for (const [phrase, text] of cases) expect(phraseOccurrences(phrase, normalizeForMatch(text))).toEqual(reference(phrase, normalizeForMatch(text)));
  });

  it('keeps phrases of hyphens only and astral characters literal', () => {
    for (const [phrase, text] of [['-', 'a - b -- c'], ['𠀀病', '见𠀀病与𠀀 病']] as const) {
      expect(phraseOccurrences(phrase, normalizeForMatch(text))).toEqual(reference(phrase, normalizeForMatch(text)));
    }
  });
});
