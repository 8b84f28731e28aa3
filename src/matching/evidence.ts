/**
 * Whole-clause evidence: a quote offered as proof of a rubric entry (by a judge, or found by
 * the matcher) is read in the sentence it comes from, not as a bare substring.
 *
 * Rules, in order (docs/scoring.md, "Evidence"):
 * - found: the quote is in the answer, compared without punctuation and spaces after the
 *   matcher's normalisation (so re-punctuation and traditional characters do not matter); an
 *   elided quote ("A…B") needs every fragment, in order;
 * - not an instruction to the grader (prompt injection inside the answer is no evidence);
 * - on topic: the quote, or the clause it stands in, shares a content word with the entry
 *   (its text in either language, or its matcher's phrases and patterns): a Latin word stem,
 *   a number, a code such as EGFR or PD-L1, or a Chinese two-character word, generic words
 *   (建议, 患者, recommend, patient...) aside;
 * - asserted: the sentence is not a question, a hedge, a quotation of the rubric or a list of
 *   options then declined (assertion.ts);
 * - not rejected (deductions, zero rules and vetoes, which name something bad the answer
 *   does): no negation, rejection or warning of its clause governs the quote, cut off in
 *   front of it, quoted with it or closing the clause after it (negation.ts); a negation the
 *   entry spells itself ("认为无需检测") is part of what it names. Points are not held to
 *   polarity: clinicians write many of them as negations ("暂不行脑部放疗", "不用培美曲塞"
 *   for "withhold pemetrexed"), which only a reading of meaning can tell.
 * A quote that passes is cited with its offsets and the whole sentence that contains it.
 */
import type { EntryKind } from '../schema/bank.js';
import type { Citation, JudgeFault } from '../schema/score.js';
import { normalizeForMatch, normalizeWithOrigin } from './normalize.js';
import { inspectOccurrence } from './negation.js';
import { sentenceAt, type SentenceSpan } from './sentences.js';
import type { PreparedAnswer } from './matcher.js';

const ELLIPSIS = /…+|\.{3,}|。{3,}/u;
const PUNCTUATION_AND_SPACE = /[\p{P}\p{S}\s]/u;

/** Text addressed to the grader ("ignore the rubric", "mark every criterion met", "忽略评分标准"...). */
const INSTRUCTIONS_TO_GRADER = [
  /\b(ignore|disregard|forget|override)\b[^.。!！]{0,40}\b(rubric|instructions?|criteria|criterion|grading|scoring|previous|above)\b/i,
  /\b(mark|grade|score|rate|consider)\b[^.。!！]{0,30}\b(every|all|each)\b[^.。!！]{0,20}\b(criteri\w*|entr\w*|points?|items?)\b/i,
  /\b(you are|as) (the|an?) (grader|judge|evaluator|assessor)\b/i,
  /(忽略|无视|忽视|不要理会)[^。！!]{0,10}(评分|标准|指令|规则|要求)/u,
  /(所有|全部|每个|每一)[^。！!]{0,6}(得分点|评分项|评分标准|标准)[^。！!]{0,8}(满足|命中|得分|给分|满分)/u,
  /(给|打|评)[^。！!]{0,4}满分/u,
];

export function isInstructionToGrader(text: string): boolean {
  const normalized = normalizeForMatch(text);
  return INSTRUCTIONS_TO_GRADER.some((pattern) => pattern.test(normalized));
}

/** What a quote is evidence for: the entry's text (both languages) and its other words (matcher phrases and patterns, examples that meet it). */
export interface EvidenceEntry {
  kind: EntryKind;
  text: string;
  text_en?: string;
  phrases?: readonly string[];
}

/** The judge faults a quote can show (schema/score.ts JudgeFault). */
export type EvidenceFault = Exclude<JudgeFault['kind'], 'invalid-output' | 'endpoint' | 'jury-tie'>;

export type EvidenceCheck =
  | { ok: true; citations: Citation[] }
  | { ok: false; fault: EvidenceFault; detail: string; citations: Citation[] };

// ---------------------------------------------------------------------------------------
// Content words

/** Words that carry no clinical content: sharing one proves nothing. */
const GENERIC_EN = new Set(
  (
    'the and for with this that these those which from into onto have has had been being are was were will would should could can may might must ' +
    'not but also then than there their they them its his her our your you yes very more most less such some any all each other only just ' +
    'about after before over under again further once here when where why how what who whom both few own same too very ' +
    'patient patients case recommend recommended recommendation suggest suggested advise advised consider considered option options ' +
    'treatment treat therapy approach plan management manage based clinical overall following follow given give need needs needed ' +
    'first next step steps answer question analysis summary would like think believe perform performed use used start ' +
    'is of to in on at by as or an be we me my us it if so do no up physician doctor'
  ).split(' '),
);
const GENERIC_ZH = new Set(
  (
    '建议 推荐 患者 病人 治疗 考虑 进行 需要 可以 应该 应当 病情 情况 分析 结合 目前 如下 以下 综上 总之 处理 方案 选择 首先 其次 然后 ' +
    '评估 根据 我们 本例 该患 这个 一个 一下 问题 回答 认为 是否 可能 能够 同时 以及 或者 还是 因为 所以 因此 如果 但是 对于 关于 具体 ' +
    '说明 以上 综合 参考 临床 医生 主治'
  ).split(' '),
);

/** A crude stem: the first five letters, so that inflections and derivations meet (recommends, recommended). */
function stem(word: string): string {
  return /\d/.test(word) || word.length <= 5 ? word : word.slice(0, 5);
}
const GENERIC_STEMS = new Set([...GENERIC_EN].map(stem));

/** Content words of a text: Latin word stems and codes, Chinese two-character words (after folding). */
export function contentWords(text: string): Set<string> {
  const norm = normalizeForMatch(text);
  const words = new Set<string>();
  for (const m of norm.matchAll(/[a-z0-9]+(?:-[a-z0-9]+)*/gu)) {
    const word = m[0];
    if (!/^\d+$/.test(word) && (word.length < 2 || GENERIC_STEMS.has(stem(word)))) continue;
    words.add(stem(word));
  }
  for (const m of norm.matchAll(/[\p{sc=Han}]+/gu)) {
    const run = [...m[0]];
    for (let i = 0; i + 1 < run.length; i++) {
      const pair = run[i] + run[i + 1];
      if (!GENERIC_ZH.has(pair)) words.add(pair);
    }
  }
  return words;
}

const HAN = /\p{sc=Han}/u;
const LATIN = /[a-z]/i;
/**
 * Whether a quote shares a content word with the entry. A quote in one script against an
 * entry written only in the other cannot be compared word by word: it is given the benefit
 * of the doubt (a known limit; an entry's text_en or matcher phrases close it).
 */
function onTopic(quote: string, entry: EvidenceEntry): boolean | 'incomparable' {
  const said = contentWords(quote);
  const named = [entry.text, entry.text_en ?? '', ...(entry.phrases ?? [])].join('\n');
  const wanted = contentWords(named);
  for (const w of said) if (wanted.has(w)) return true;
  // Nothing to compare (a dose, "50岁") or no script in common: not held off-topic.
  const comparable = said.size > 0 && ((HAN.test(quote) && HAN.test(named)) || (LATIN.test(quote) && LATIN.test(named)));
  return comparable ? false : 'incomparable';
}

// ---------------------------------------------------------------------------------------
// Locating a quote

/** The answer's normalised text without punctuation and spaces, with each unit's normalised index. */
interface Compact {
  text: string;
  at: number[];
}

const compactCache = new WeakMap<PreparedAnswer, Compact>();

function compactOf(answer: PreparedAnswer): Compact {
  const cached = compactCache.get(answer);
  if (cached) return cached;
  const { text } = answer.normalized;
  const parts: string[] = [];
  const at: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (PUNCTUATION_AND_SPACE.test(text[i])) continue;
    parts.push(text[i]);
    at.push(i);
  }
  const compact = { text: parts.join(''), at };
  compactCache.set(answer, compact);
  return compact;
}

function compactQuote(text: string): string {
  return [...normalizeWithOrigin(text).text].filter((ch) => !PUNCTUATION_AND_SPACE.test(ch)).join('');
}

/** A located occurrence: normalised offsets [start, end) in the answer. */
interface Located {
  start: number;
  end: number;
}

/** Every occurrence of a compact fragment, as normalised offsets. */
function occurrences(compact: Compact, fragment: string, from: number): Located[] {
  const out: Located[] = [];
  for (let i = compact.text.indexOf(fragment, from); i >= 0; i = compact.text.indexOf(fragment, i + 1)) {
    out.push({ start: compact.at[i], end: compact.at[i + fragment.length - 1] + 1 });
  }
  return out;
}

/** The citation of normalised offsets: the original words and the sentence(s) around them. */
export function citationOf(answer: PreparedAnswer, start: number, end: number): Citation {
  const { origin } = answer.normalized;
  const raw = answer.raw;
  let from = origin[start];
  let to = end < origin.length - 1 ? origin[end] : raw.length;
  // A normalised unit may stand for a longer original cluster: take it whole, without trailing space.
  if (end > 0 && end < origin.length - 1 && origin[end] === origin[end - 1]) to = origin[end - 1] + 1;
  while (to > from && /\s/u.test(raw[to - 1])) to--;
  while (from < to && /\s/u.test(raw[from])) from++;
  const first = sentenceAt(answer.sentences, from);
  const last = sentenceAt(answer.sentences, Math.max(from, to - 1));
  const sentenceStart = Math.min(first?.start ?? from, from);
  const sentenceEnd = Math.max(last?.end ?? to, to);
  return { quote: raw.slice(from, to), start: from, end: to, sentence: raw.slice(sentenceStart, sentenceEnd), sentence_start: sentenceStart };
}

// ---------------------------------------------------------------------------------------
// Reading a quote in its clause

/** The whole clauses an occurrence stands in, as normalised text. */
function clauseAround(answer: PreparedAnswer, at: Located): string {
  const ends = answer.negation.clauseEnds;
  let from = 0;
  let to = answer.normalized.text.length;
  for (const end of ends) {
    if (end < at.start) from = end + 1;
    else if (end >= at.end) {
      to = end;
      break;
    }
  }
  return answer.normalized.text.slice(from, to);
}

/** Clause pieces of an occurrence (it may run over a comma), as normalised offsets. */
function clausePieces(answer: PreparedAnswer, at: Located): Located[] {
  const pieces: Located[] = [];
  let from = at.start;
  for (const end of answer.negation.clauseEnds) {
    if (end < at.start) continue;
    if (end >= at.end) break;
    if (end > from) pieces.push({ start: from, end });
    from = end + 1;
  }
  const text = answer.normalized.text;
  while (from < at.end && /\s/u.test(text[from])) from++;
  if (at.end > from) pieces.push({ start: from, end: at.end });
  return pieces;
}

/**
 * Why an occurrence is no evidence for the entry, or null when it is. The occurrence counts
 * when at least one of its clause pieces that speaks of the entry (or any piece, when none
 * can be compared) is asserted and not negated.
 */
function rejection(answer: PreparedAnswer, at: Located, entry: EvidenceEntry): { fault: EvidenceFault; why: string } | null {
  const { text, origin } = answer.normalized;
  const pieces = clausePieces(answer, at);
  const relevant = pieces.filter((p) => onTopic(text.slice(p.start, p.end), entry) === true);
  const read = relevant.length > 0 ? relevant : pieces;
  const entryWords = normalizeForMatch([entry.text, entry.text_en ?? '', ...(entry.phrases ?? [])].join('\n'));
  let first: { fault: EvidenceFault; why: string } | null = null;
  for (const piece of read) {
    const sentence: SentenceSpan | undefined = sentenceAt(answer.sentences, origin[piece.start]);
    const assertion = sentence && answer.assertions[sentence.index - 1];
    const unasserted = assertion && (assertion.until === undefined || origin[piece.start] < assertion.until) ? assertion.unasserted : null;
    if (unasserted) {
      first ??= { fault: 'quote-unasserted', why: unasserted };
      continue;
    }
    if (entry.kind !== 'point') {
      const context = inspectOccurrence(answer.negation, piece.start, piece.end, { inner: { literal: (word) => entryWords.includes(word) } });
      if (context.embeddedIn && !entryWords.includes(context.embeddedIn)) {
        first ??= { fault: 'quote-rejected', why: `cut from inside "${context.embeddedIn}"` };
        continue;
      }
      if (context.negatedBy) {
        first ??= { fault: 'quote-rejected', why: `negated, rejected or warned against by "${context.negatedBy}" in its clause` };
        continue;
      }
    }
    return null;
  }
  return first;
}

/** Checks a quote offered as evidence for an entry, and cites it in its sentence when it holds. */
export function checkEvidence(answer: PreparedAnswer, quote: string, entry: EvidenceEntry): EvidenceCheck {
  const fragments = quote.split(ELLIPSIS).map(compactQuote).filter((f) => f !== '');
  if (fragments.length === 0) return { ok: false, fault: 'missing-quote', detail: 'marked met without a quote', citations: [] };
  const shown = `"${quote.slice(0, 200)}"`;
  const compact = compactOf(answer);
  // Each fragment's occurrences, after the previous fragment's first one.
  const found: Located[][] = [];
  let from = 0;
  for (const fragment of fragments) {
    let list = occurrences(compact, fragment, from);
    if (list.length === 0) list = occurrences(compact, fragment, 0);
    if (list.length === 0) return { ok: false, fault: 'quote-not-found', detail: `marked met with a quote that is not in the answer: ${shown}`, citations: [] };
    found.push(list);
    from = compact.at.indexOf(list[0].start) + fragment.length;
  }
  const firstCitations = found.map((list) => citationOf(answer, list[0].start, list[0].end));
  if (isInstructionToGrader(quote)) {
    return { ok: false, fault: 'quote-is-instruction', detail: `marked met citing an instruction to the grader inside the answer: ${shown}`, citations: firstCitations };
  }
  const clauses = found.map((list) => clauseAround(answer, list[0])).join('\n');
  if (onTopic(quote, entry) === false && onTopic(clauses, entry) === false) {
    return { ok: false, fault: 'quote-off-topic', detail: `marked met with a quote that shares no content word with the entry: ${shown}`, citations: firstCitations };
  }
  const citations: Citation[] = [];
  for (const list of found) {
    const problems = list.map((at) => rejection(answer, at, entry));
    const good = list.find((_, i) => problems[i] === null);
    if (!good) {
      const p = problems[0]!;
      const cited = citationOf(answer, list[0].start, list[0].end);
      return {
        ok: false,
        fault: p.fault,
        detail: `marked met with a quote ${p.fault === 'quote-rejected' ? 'its clause rejects' : 'its sentence does not assert'} (${p.why}): ${shown} in "${cited.sentence.slice(0, 300)}"`,
        citations: [cited],
      };
    }
    citations.push(citationOf(answer, good.start, good.end));
  }
  return { ok: true, citations };
}
