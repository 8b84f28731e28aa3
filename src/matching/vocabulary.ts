/**
 * The bank's vocabulary: a term defined once with all its names (generic names in both
 * languages, brand names, code names, abbreviations), referred to from a matcher's phrase
 * lists as "@id". References are expanded when the bank is loaded, so a matcher sees plain
 * phrases; a long Latin name (one word of at least 8 letters: durvalumab, osimertinib) is
 * expanded as a typo-tolerant phrase ("~durvalumab" finds "durvalumb"); short words and
 * abbreviations never are.
 */
import type { MatchSpec, PhraseGroup, VocabularyTerm } from '../schema/bank.js';
import { normalizeForMatch } from './normalize.js';

export const REFERENCE_PREFIX = '@';
/** A phrase written "~word" tolerates one edit (a letter missing, added or changed). */
export const FUZZY_PREFIX = '~';
/** The shortest Latin word a typo is tolerated in: shorter words have too many one-edit neighbours. */
export const FUZZY_MIN_LETTERS = 8;

export type Vocabulary = ReadonlyMap<string, readonly string[]>;

const LONG_LATIN_WORD = new RegExp(`^[a-z]{${FUZZY_MIN_LETTERS},}$`);

/** Every phrase a term stands for, long Latin names typo-tolerant. */
export function termPhrases(term: VocabularyTerm): string[] {
  const tolerant = [...term.names, ...(term.brands ?? []), ...(term.codes ?? [])].map((name) =>
    LONG_LATIN_WORD.test(normalizeForMatch(name).trim()) ? `${FUZZY_PREFIX}${name}` : name,
  );
  return [...tolerant, ...(term.abbreviations ?? [])];
}

export function buildVocabulary(terms: readonly VocabularyTerm[]): Vocabulary {
  return new Map(terms.map((t) => [t.id, termPhrases(t)]));
}

/** The term id a phrase refers to, or null for a plain phrase. */
export function referenceOf(phrase: string): string | null {
  return phrase.startsWith(REFERENCE_PREFIX) ? phrase.slice(REFERENCE_PREFIX.length).trim() : null;
}

/** A match spec's phrases with their place in the spec, for lint. */
export function phrasesOf(spec: MatchSpec): { path: (string | number)[]; phrase: string }[] {
  const out: { path: (string | number)[]; phrase: string }[] = [];
  for (const key of ['any', 'none'] as const) spec[key]?.forEach((phrase, i) => out.push({ path: [key, i], phrase }));
  spec.all?.forEach((group, i) => {
    if (Array.isArray(group)) group.forEach((phrase, j) => out.push({ path: ['all', i, j], phrase }));
    else out.push({ path: ['all', i], phrase: group });
  });
  return out;
}

/** The spec with every "@term" replaced by the term's phrases (unknown terms are left for lint to report). */
export function expandMatch(spec: MatchSpec, vocabulary: Vocabulary): MatchSpec {
  const expand = (phrase: string): string[] => {
    const id = referenceOf(phrase);
    return id === null ? [phrase] : [...(vocabulary.get(id) ?? [])];
  };
  const group = (g: PhraseGroup): PhraseGroup => {
    const phrases = (Array.isArray(g) ? g : [g]).flatMap(expand);
    return phrases.length === 1 ? phrases[0] : phrases;
  };
  return {
    ...spec,
    ...(spec.any && { any: spec.any.flatMap(expand) }),
    ...(spec.none && { none: spec.none.flatMap(expand) }),
    ...(spec.all && { all: spec.all.map(group) }),
  };
}

/** Term names by normalised form, to find a matcher repeating what the vocabulary defines. */
export function namesIndex(terms: readonly VocabularyTerm[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const term of terms) {
    for (const name of [...term.names, ...(term.brands ?? []), ...(term.codes ?? []), ...(term.abbreviations ?? [])]) {
      index.set(normalizeForMatch(name).trim(), term.id);
    }
  }
  return index;
}

/**
 * The pattern body of a one-edit-tolerant word: each letter may be missing or changed, and
 * one letter may be added anywhere; the first letter is kept, as readers do.
 */
export function fuzzyBody(word: string, escape: (s: string) => string): string {
  const alternatives = new Set<string>([escape(word)]);
  for (let i = 1; i < word.length; i++) {
    const head = escape(word.slice(0, i));
    alternatives.add(`${head}${escape(word.slice(i + 1))}`); // deletion
    alternatives.add(`${head}[a-z]${escape(word.slice(i + 1))}`); // substitution
    alternatives.add(`${head}[a-z]${escape(word.slice(i))}`); // insertion
  }
  alternatives.add(`${escape(word)}[a-z]`);
  return `(?:${[...alternatives].join('|')})`;
}
