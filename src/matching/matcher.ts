/**
 * The deterministic matcher: decides whether an answer meets a rubric entry's `match` spec
 * and explains why, quoting the sentences that prove it. Pure and synchronous, so lint can
 * check rubric self-tests with it and scoring stays offline and reproducible.
 *
 * Spec language (see docs/scoring.md): `any` (one phrase present), `all` (every phrase, or
 * one of each synonym group, present), `regex` (one pattern matches), `none` (no phrase
 * present); the parts given combine with AND. "Present" means an occurrence that is not
 * negated (unless `unless_negated: false`) and not inside a fixed term such as 非小细胞.
 */
import { LRUCache } from 'lru-cache';
import type { MatchSpecInput, PhraseGroup } from '../schema/bank.js';
import { UserError } from '../errors.js';
import {
  DEFAULT_NEGATION_WINDOW,
  escapeRegExp,
  indexNegation,
  inspectOccurrence,
  withWordBoundaries,
  wordEdges,
  type InspectOptions,
  type NegationIndex,
} from './negation.js';
import { isWordChar, normalizeForMatch, normalizeWithOrigin, type NormalizedText } from './normalize.js';
import { sentenceAt, sentenceSpans, type SentenceSpan } from './sentences.js';
import { sentenceAssertions, type Assertion } from './assertion.js';
import { FUZZY_MIN_LETTERS, FUZZY_PREFIX, fuzzyBody } from './vocabulary.js';
import { citationOf } from './evidence.js';
import { forEachMatch } from './each-match.js';
import type { Citation } from '../schema/score.js';

export { normalizeForMatch } from './normalize.js';
export { sentencesOf, sentenceSpans, type SentenceSpan } from './sentences.js';

/** Recorded with every score: a change in matching behaviour changes this string. */
export const MATCHER_VERSION = 'caps-matcher/2.1';

export interface MatchOutcome {
  met: boolean;
  /** Sentences of the original answer containing the occurrences that made the spec met. */
  quotes: string[];
  /** Each occurrence that made the spec met, in its sentence, with offsets into the answer. */
  citations: Citation[];
  /** One line: what was found where, or why not. */
  detail: string;
}

/**
 * The matchers read at most this many characters of an answer (about 2 MB of prose, far
 * beyond any real answer): a longer one is scored on this prefix, with a note in its score,
 * rather than stalling a run.
 */
export const MAX_MATCHED_CHARS = 2_000_000;

/** An answer normalised once and reused for every entry of a rubric. */
export interface PreparedAnswer {
  raw: string;
  /** Characters of the answer left unread beyond MAX_MATCHED_CHARS (0 for almost every answer). */
  unread: number;
  normalized: NormalizedText;
  sentences: SentenceSpan[];
  /** Parallel to sentences: whether each asserts what it mentions. */
  assertions: Assertion[];
  negation: NegationIndex;
}

export function prepareAnswer(full: string): PreparedAnswer {
  const answer = full.length > MAX_MATCHED_CHARS ? full.slice(0, MAX_MATCHED_CHARS) : full;
  const normalized = normalizeWithOrigin(answer);
  const sentences = sentenceSpans(answer);
  return { raw: answer, unread: full.length - answer.length, normalized, sentences, assertions: sentenceAssertions(sentences, normalized), negation: indexNegation(normalized.text) };
}

interface Occurrence {
  start: number;
  end: number;
  sentence: SentenceSpan | undefined;
}

interface Finding {
  /** How the phrase or pattern is named in a detail line: "新辅助" or /\d+ mg/. */
  label: string;
  hits: Occurrence[];
  negatedBy: string[];
  embeddedIn: string[];
  /** Why occurrences in questions, hedges, quotations of the rubric or declined lists do not count. */
  unasserted: string[];
}

// ---------------------------------------------------------------------------------------
// Compiling phrases and patterns (once per spec: the same rubric is applied to many answers)

/**
 * A phrase or pattern ready to search normalised text. Most phrases are words joined by an
 * optional space or hyphen, the last one inflected: they are searched with indexOf and a few
 * character tests, which finds exactly what their regular expression would, without compiling
 * one (V8 spends some 200 us compiling such a pattern, more than scoring a whole answer).
 * Typo-tolerant phrases and the rubric's own regular expressions stay regular expressions,
 * compiled on first use and kept in a bounded cache.
 */
type Pattern = WordsPattern | RegexPattern;

interface WordsPattern {
  kind: 'words';
  /** Every word but the last, in order. */
  words: string[];
  /** The last word without its inflectable ending. */
  stem: string;
  /** Endings tried after the stem, in the order a regular expression alternation tries them ('' = none). */
  endings: readonly string[];
  /** A word boundary is required before / after the occurrence (its edge is a Latin, Greek or Cyrillic letter or digit). */
  before: boolean;
  after: boolean;
  /** Literals every occurrence contains, longest first: a text missing one has no occurrence. */
  required: string[];
}

interface RegexPattern {
  kind: 'regex';
  source: string;
  flags: string;
  /** Its key in the cache of compiled expressions, made once: a search hashes a string it already hashed, and allocates nothing. */
  cacheKey: string;
  /** An occurrence contains at least one of these (null: no such hint); a text without any is not searched. */
  anyOf: string[] | null;
  /** The normalised source, to tell a negation the pattern spells itself from one in its gap. */
  spelled: string;
}

/**
 * Compiled regular expressions by flags and source: bounded, since a bank may hold thousands and
 * each one's compiled code stays as long as the RegExp does (a pattern holding its own would keep
 * a large bank's every expression compiled for as long as the bank lives).
 */
const compiledRegexes = new LRUCache<string, RegExp>({ max: 2000 });

function compiledRegex(pattern: RegexPattern): RegExp {
  let re = compiledRegexes.get(pattern.cacheKey);
  if (!re) {
    re = new RegExp(pattern.source, pattern.flags);
    compiledRegexes.set(pattern.cacheKey, re);
  }
  return re;
}

function regexPattern(source: string, flags: string, anyOf: string[] | null, spelled: string): RegexPattern {
  return { kind: 'regex', source, flags, cacheKey: `${flags}/${source}`, anyOf, spelled };
}

/**
 * A spec compiled once for as long as its bank lives: its phrases' and patterns' searches, and
 * the spec itself in one object shape. Every caller gets it through compileMatch, so a spec that
 * the clean rubric and each variant's share is compiled once; scoring keeps it with the entry.
 */
export class CompiledMatch {
  /** Whether negated or unasserted occurrences do not count (the spec's `unless_negated`, true unless it says false). */
  readonly unlessNegated: boolean;
  /** How a phrase's occurrences are inspected (the spec's negation window). */
  readonly options: InspectOptions;
  /** The detail line when no phrase of `any` occurs at all, the commonest outcome. */
  readonly noneOfAny: string | undefined;
  /** The phrases of `any`, of each group of `all` and of `none` with their patterns, compiled with the spec: no lookup per answer. */
  readonly any: CompiledPhrase[] | undefined;
  readonly all: CompiledPhrase[][] | undefined;
  readonly none: CompiledPhrase[] | undefined;
  /** The spec's regular expressions as a list (empty without `regex`), and each one's search. */
  readonly regexes: readonly string[];
  readonly regexPatterns: readonly RegexPattern[];

  constructor({ any, all, none, regex, unless_negated, window }: MatchSpecInput) {
    this.unlessNegated = unless_negated ?? true;
    this.options = window === undefined ? DEFAULT_OPTIONS : { window };
    this.noneOfAny = any && `none of ${any.join(', ')} found`;
    const phrases = (list: string[]) => list.map((phrase) => ({ phrase, pattern: phrasePattern(phrase) }));
    this.any = any && phrases(any);
    this.all = all?.map((group) => phrases(groupOf(group)));
    this.none = none && phrases(none);
    const regexes = regexList(regex);
    // Most specs have none: they share one empty list.
    this.regexes = regexes.length === 0 ? NO_REGEX : regexes;
    this.regexPatterns = regexes.length === 0 ? NO_REGEX : regexes.map(userRegex);
  }
}

const NO_REGEX: readonly never[] = Object.freeze([]);
/** The options of every spec without its own window (almost all): one object, never changed. */
const DEFAULT_OPTIONS: InspectOptions = Object.freeze({ window: DEFAULT_NEGATION_WINDOW });

interface CompiledPhrase {
  phrase: string;
  pattern: Pattern | null;
}

const compiledSpecs = new WeakMap<MatchSpecInput, CompiledMatch>();

/** The one compiled form of a spec (the same object for the same spec). */
export function compileMatch(spec: MatchSpecInput): CompiledMatch {
  let compiled = compiledSpecs.get(spec);
  if (!compiled) {
    compiled = new CompiledMatch(spec);
    compiledSpecs.set(spec, compiled);
  }
  return compiled;
}

const ASCII = /^[\x00-\x7f]*$/;
/** The endings lists, shared by every compiled phrase (a bank holds tens of thousands). */
const ENDINGS = { none: [''], y: ['y', 'ies', 'ied', 'ys', 'ying'], e: ['e', 'es', 'ed', 'ing'], other: ['s', 'es', 'ed', 'ing', ''] } as const;

/**
 * English inflection tolerance, kept predictable: a final word of at least four Latin
 * letters also matches with -s/-es/-ed/-ing; a final "y" also as -ies/-ied; a final "e"
 * also as -es/-ed/-ing ("stage" finds "staging").
 */
function inflect(word: string): { stem: string; endings: readonly string[] } {
  const latin = (ASCII.test(word) ? /[A-Za-z]+$/ : /\p{Script=Latin}+$/u).exec(word)?.[0] ?? '';
  if (latin.length < 4) return { stem: word, endings: ENDINGS.none };
  if (word.endsWith('y')) return { stem: word.slice(0, -1), endings: ENDINGS.y };
  if (word.endsWith('e')) return { stem: word.slice(0, -1), endings: ENDINGS.e };
  return { stem: word, endings: ENDINGS.other };
}

/**
 * The pattern of a phrase over normalised text; spaces and hyphens in a phrase are interchangeable
 * and optional; "~word" (a long Latin word, from the vocabulary) tolerates one edit.
 */
function phrasePattern(phrase: string): Pattern | null {
  const fuzzy = phrase.startsWith(FUZZY_PREFIX);
  const norm = normalizeForMatch(fuzzy ? phrase.slice(FUZZY_PREFIX.length) : phrase).trim();
  let pattern: Pattern | null = null;
  if (fuzzy && /^[a-z]+$/.test(norm) && norm.length >= FUZZY_MIN_LETTERS) {
    // One edit changes at most one half of the word: every spelling it finds keeps the other.
    const half = norm.length >> 1;
    const source = withWordBoundaries(norm, `${fuzzyBody(norm, escapeRegExp)}(?:s)?`);
    pattern = regexPattern(source, 'gu', [norm.slice(0, half), norm.slice(half)], norm);
  } else if (norm !== '') {
    const words = wordsOf(norm);
    if (words.length === 0 || /[\ud800-\udfff]/.test(norm)) {
      // Only hyphens, or surrogates (a regular expression reads those as code points): kept literal.
      pattern = regexPattern(withWordBoundaries(norm, escapeRegExp(norm)), 'gu', [norm], norm);
    } else {
      // Copied to its exact length (the list grown by push keeps spare room), once; one literal of fixed keys, no spread.
      const head = words.slice(0, -1);
      const { stem, endings } = inflect(words[words.length - 1]);
      const { before, after } = wordEdges(norm);
      pattern = { kind: 'words', words: head, stem, endings, before, after, required: requiredLiterals(head, stem) };
    }
  }
  return pattern;
}

/** The words of a normalised phrase: the runs between spaces and hyphens (a bank compiles tens of thousands; a regular expression split is slow). */
function wordsOf(norm: string): string[] {
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i <= norm.length; i++) {
    const code = i < norm.length ? norm.charCodeAt(i) : 0x20;
    if (code !== 0x20 && code !== 0x2d) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      words.push(norm.slice(start, i));
      start = -1;
    }
  }
  return words;
}

/** Each distinct literal of a words pattern once, longest first (equal lengths in phrase order). */
function requiredLiterals(words: readonly string[], stem: string): string[] {
  const required: string[] = [];
  for (let i = 0; i <= words.length; i++) {
    const literal = i < words.length ? words[i] : stem;
    if (required.includes(literal)) continue;
    // Placed after every literal at least as long: a sort of these few would allocate its work space for each of a bank's tens of thousands of phrases.
    let at = required.length;
    required.push(literal);
    for (; at > 0 && required[at - 1].length < literal.length; at--) required[at] = required[at - 1];
    required[at] = literal;
  }
  // Copied to its exact length: an array grown by push keeps spare room, and a bank holds tens of thousands of these.
  return required.slice();
}

/** A rubric's own regular expression; an invalid one is the bank's error, reported in its words. */
function userRegex(source: string): RegexPattern {
  try {
    new RegExp(source, 'giu');
  } catch (err) {
    throw new UserError(`match.regex /${source}/ is not a valid regular expression: ${(err as Error).message}`);
  }
  return regexPattern(source, 'giu', null, normalizeForMatch(source));
}

/** The end of an occurrence of a words pattern starting at `start`, or -1: what its regular expression would match there. */
function wordsEndAt(pattern: WordsPattern, text: string, start: number): number {
  if (pattern.before && start > 0 && isWordChar(text[start - 1])) return -1;
  let at = start;
  for (const word of pattern.words) {
    if (!text.startsWith(word, at)) return -1;
    at += word.length;
    // The optional separator is taken when present: no word starts with a space or hyphen, so not taking it cannot match.
    const next = text.charCodeAt(at);
    if (next === 0x20 || next === 0x2d) at++;
  }
  if (!text.startsWith(pattern.stem, at)) return -1;
  at += pattern.stem.length;
  for (const ending of pattern.endings) {
    if (!text.startsWith(ending, at)) continue;
    const end = at + ending.length;
    if (!pattern.after || end >= text.length || !isWordChar(text[end])) return end;
  }
  return -1;
}

/** No occurrence (what most searches find): one shared list, never changed. */
const NO_OCCURRENCE: readonly number[] = Object.freeze([]);

/**
 * Every occurrence of the pattern in the text, left to right, not overlapping (as String.matchAll),
 * as start and end offsets in one flat list; NO_OCCURRENCE when there is none, so most searches
 * allocate nothing.
 */
function occurrences(pattern: Pattern, text: string): readonly number[] {
  let found: number[] | undefined;
  if (pattern.kind === 'words') {
    const { required } = pattern;
    for (let i = 0; i < required.length; i++) if (!text.includes(required[i])) return NO_OCCURRENCE;
    const first = pattern.words.length > 0 ? pattern.words[0] : pattern.stem;
    for (let at = text.indexOf(first); at >= 0; ) {
      const end = wordsEndAt(pattern, text, at);
      if (end >= 0) (found ??= []).push(at, end);
      at = text.indexOf(first, end >= 0 ? end : at + 1);
    }
    return found ?? NO_OCCURRENCE;
  }
  if (pattern.anyOf && !pattern.anyOf.some((literal) => text.includes(literal))) return NO_OCCURRENCE;
  forEachMatch(compiledRegex(pattern), text, (m) => {
    // An empty match is no occurrence.
    if (m[0].length > 0) (found ??= []).push(m.index, m.index + m[0].length);
  });
  return found ?? NO_OCCURRENCE;
}

/** Where a rubric phrase occurs in a normalised text, as [start, end) offsets, negation and assertion aside. */
export function phraseOccurrences(phrase: string, text: string): [number, number][] {
  const pattern = phrasePattern(phrase);
  const found: [number, number][] = [];
  const at = pattern ? occurrences(pattern, text) : NO_OCCURRENCE;
  for (let k = 0; k < at.length; k += 2) found.push([at[k], at[k + 1]]);
  return found;
}

/** Problems in a spec that the schema cannot see (invalid regular expressions, phrases that normalise to nothing). */
export function matchSpecProblems(spec: MatchSpecInput): string[] {
  const problems: string[] = [];
  const phrases = [...(spec.any ?? []), ...(spec.all ?? []).flat(), ...(spec.none ?? [])];
  for (const p of phrases) if (normalizeForMatch(p).trim() === '') problems.push(`phrase "${p}" is empty after normalisation`);
  for (const source of regexList(spec.regex)) {
    try {
      new RegExp(source, 'iu');
    } catch (err) {
      problems.push(`regex /${source}/ is not a valid regular expression: ${(err as Error).message}`);
    }
  }
  return problems;
}

function regexList(regex: MatchSpecInput['regex']): string[] {
  return regex === undefined ? [] : Array.isArray(regex) ? regex : [regex];
}

// ---------------------------------------------------------------------------------------
// Finding occurrences

/** A phrase or pattern that does not occur at all (what most checks find): one shared object, never changed. */
const NOWHERE: Finding = Object.freeze({ label: '', hits: [], negatedBy: [], embeddedIn: [], unasserted: [] }) as Finding;

/**
 * The occurrences of a phrase (named "phrase" in a detail line) or a pattern (named /pattern/);
 * NOWHERE when there is none, so most checks allocate nothing here.
 */
function find(answer: PreparedAnswer, name: string, regex: boolean, pattern: Pattern | null, unlessNegated: boolean, options: InspectOptions): Finding {
  if (!pattern) return NOWHERE;
  const { text, origin } = answer.normalized;
  const at = occurrences(pattern, text);
  if (at.length === 0) return NOWHERE;
  const finding: Finding = { label: regex ? `/${name}/` : quoted(name), hits: [], negatedBy: [], embeddedIn: [], unasserted: [] };
  for (let k = 0; k < at.length; k += 2) {
    const start = at[k];
    const end = at[k + 1];
    const context = inspectOccurrence(answer.negation, start, end, options);
    const sentence = sentenceAt(answer.sentences, origin[start]);
    const asserted = sentence && answer.assertions[sentence.index - 1];
    const assertion = asserted && (asserted.until === undefined || origin[start] < asserted.until) ? asserted.unasserted : null;
    if (context.embeddedIn) finding.embeddedIn.push(context.embeddedIn);
    else if (unlessNegated && context.negatedBy) finding.negatedBy.push(context.negatedBy);
    else if (unlessNegated && assertion) finding.unasserted.push(assertion);
    else finding.hits.push({ start, end, sentence });
  }
  return finding;
}

const present = (f: Finding) => f.hits.length > 0;
const quoted = (s: string) => `"${s}"`;
const where = (f: Finding) => `${f.label} in sentence ${f.hits[0].sentence?.index ?? 1}`;

/** Why a phrase that appears in the answer still does not count. */
function whyAbsent(f: Finding): string | null {
  if (f.negatedBy.length > 0) return `${f.label} found but negated by ${quoted(f.negatedBy[0])}`;
  if (f.embeddedIn.length > 0) return `${f.label} found only inside ${quoted(f.embeddedIn[0])}`;
  if (f.unasserted.length > 0) return `${f.label} found but ${f.unasserted[0]}`;
  return null;
}

/** The original text of an occurrence. */
function excerpt(answer: PreparedAnswer, hit: Occurrence): string {
  const { origin } = answer.normalized;
  return answer.raw.slice(origin[hit.start], origin[hit.end]).trim();
}

/** Why each phrase that appears does not count, joined; null when none appears at all. */
function explainAbsence(findings: readonly Finding[]): string | null {
  let explained: string | null = null;
  for (const f of findings) {
    const why = f === NOWHERE ? null : whyAbsent(f);
    if (why !== null) explained = explained === null ? why : `${explained}, ${why}`;
  }
  return explained;
}

function groupOf(group: PhraseGroup): string[] {
  return Array.isArray(group) ? group : [group];
}

export function evaluateMatch(given: MatchSpecInput | CompiledMatch, answer: string | PreparedAnswer): MatchOutcome {
  const prepared = typeof answer === 'string' ? prepareAnswer(answer) : answer;
  const { unlessNegated, options, noneOfAny, any, all, none, regexes, regexPatterns } = given instanceof CompiledMatch ? given : compileMatch(given);
  const { window } = options;

  // Run for every check: no array, closure or list of reasons unless a phrase occurs or a second reason comes.
  let found: Finding[] | undefined;
  let reasons: string | undefined;

  if (any) {
    let occurring: Finding[] | undefined;
    let met = false;
    for (let i = 0; i < any.length; i++) {
      const f = find(prepared, any[i].phrase, false, any[i].pattern, unlessNegated, options);
      if (f === NOWHERE) continue;
      (occurring ??= []).push(f);
      if (!present(f)) continue;
      (found ??= []).push(f);
      met = true;
    }
    if (!met) reasons = orAlso(reasons, (occurring && explainAbsence(occurring)) ?? noneOfAny!);
  }

  if (all) {
    for (const group of all) {
      const findings = findEach(prepared, group, unlessNegated, options);
      const hit = findings.find(present);
      if (hit) (found ??= []).push(hit);
      else {
        const explained = findings.map(whyAbsent).find((r) => r !== null);
        const name = findings.length === 1 ? quoted(group[0].phrase) : `one of ${group.map((p) => p.phrase).join(', ')}`;
        reasons = orAlso(reasons, explained ?? `missing ${name}`);
      }
    }
  }

  if (regexes.length > 0) {
    // A negation in a pattern's gap negates too, unless the pattern spells that word itself.
    const findings = regexes.map((source, i) => {
      const pattern = regexPatterns[i];
      return find(prepared, source, true, pattern, unlessNegated, { window, inner: { literal: (word) => pattern.spelled.includes(word) } });
    });
    const hits = findings.filter(present);
    // Name what a pattern matched: the pattern alone does not tell the reader.
    for (const f of hits) f.label = `${f.label} ("${excerpt(prepared, f.hits[0])}")`;
    if (hits.length > 0) (found ??= []).push(...hits);
    else {
      reasons = orAlso(reasons, explainAbsence(findings) ?? `no match for ${regexes.map((p) => `/${p}/`).join(', ')}`);
    }
  }

  if (none) {
    for (const f of findEach(prepared, none, unlessNegated, options).filter(present)) reasons = orAlso(reasons, `excluded ${where(f)}`);
  }

  if (reasons !== undefined) return { met: false, quotes: [], citations: [], detail: reasons };
  found ??= [];
  if (found.length === 1 && found[0].hits.length === 1) {
    // One phrase found once (the commonest "met"): what the general case below gives, without its maps and sorts.
    const [f] = found;
    const hit = f.hits[0];
    return { met: true, quotes: hit.sentence ? [hit.sentence.text] : [], citations: [citationOf(prepared, hit.start, hit.end)], detail: `found ${where(f)}` };
  }

  const sentences = new Map<number, string>();
  for (const f of found) for (const h of f.hits) if (h.sentence) sentences.set(h.sentence.index, h.sentence.text);
  const quotes = [...sentences.entries()].sort((a, b) => a[0] - b[0]).map(([, text]) => text);
  return { met: true, quotes, citations: citations(prepared, found), detail: `found ${distinct(found).map(where).join(', ')}` };
}

/** The reasons so far and one more, as a detail line joins them. */
function orAlso(reasons: string | undefined, why: string): string {
  return reasons === undefined ? why : `${reasons}; ${why}`;
}

/** Each phrase's finding, in order. */
function findEach(answer: PreparedAnswer, phrases: readonly CompiledPhrase[], unlessNegated: boolean, options: InspectOptions): Finding[] {
  return phrases.map((p) => find(answer, p.phrase, false, p.pattern, unlessNegated, options));
}

/** Every occurrence that made the spec met, once, in reading order (overlapping ones merged). */
function citations(answer: PreparedAnswer, found: Finding[]): Citation[] {
  const hits = found.flatMap((f) => f.hits).sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: { start: number; end: number }[] = [];
  for (const h of hits) {
    const last = merged[merged.length - 1];
    if (last && h.start < last.end) last.end = Math.max(last.end, h.end);
    else merged.push({ start: h.start, end: h.end });
  }
  return merged.map((h) => citationOf(answer, h.start, h.end));
}

/** Findings whose first occurrence is not the same text as an earlier one ("PD-L1" and "PD L1", "度伐利尤单抗" and "度伐利尤"). */
function distinct(findings: Finding[]): Finding[] {
  const seen: Occurrence[] = [];
  return findings.filter((f) => {
    const first = f.hits[0];
    if (seen.some((h) => first.start < h.end && h.start < first.end)) return false;
    seen.push(...f.hits);
    return true;
  });
}
