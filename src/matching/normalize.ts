/**
 * Text normalisation for the deterministic matcher. Answers and rubric phrases go through
 * the same steps so that "ＰＤ－Ｌ１", "pd-l1" and "PD-L1" are one phrase:
 * Unicode NFKC (full-width -> half-width), lower case, one kind of dash and apostrophe,
 * whitespace runs collapsed to one space (or one line break when they contain one: a line
 * break ends a clause), no invisible format characters, and no space between two Chinese
 * characters, traditional Chinese folded to simplified (fold.ts).
 * The normalised text keeps, for every code unit, its index in the original answer so that
 * quotes are always taken from what the respondent actually wrote.
 */
import { foldTraditional } from './fold.js';

/** Scripts written without spaces between words: no word boundaries apply to them. */
const CJK = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}]/u;
/**
 * Letters and digits of the scripts that separate words with spaces and appear in medical
 * answers: Latin (with accents), Greek, Cyrillic. Written as plain ranges: Unicode property
 * classes make every phrase pattern hundreds of times slower to compile.
 */
export const WORD_CHAR = String.raw`[0-9A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02af\u0370-\u03ff\u0400-\u052f]`;
const WORD = new RegExp(`^${WORD_CHAR}$`, 'u');

const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g;
const APOSTROPHES = /[\u2018\u2019\u02BC\uFF07]/g;
/** A base character with its combining marks: normalised together so that e + ◌́ composes. */
const CLUSTER = /\P{M}\p{M}*|\p{M}+/suy;
const MARK = /^\p{M}$/u;
const FORMAT = /^\p{Cf}+$/u;
// Visible ASCII but capitals, CJK punctuation that NFKC keeps (、。〈〉《》「」『』【】), common Chinese characters.
const UNCHANGED = /[\x21-\x40\x5b-\x7e\u3001\u3002\u3008-\u3011\u4e00-\u9fff]+/y;

export interface NormalizedText {
  /** The normalised text. */
  text: string;
  /** origin[i] is the index in the original text of normalised code unit i; origin[text.length] is the original length. */
  origin: number[];
}

export function isCjk(char: string): boolean {
  return CJK.test(char);
}

/** A letter or digit of a space-separated script (Latin, Greek, Cyrillic...). */
export function isWordChar(char: string): boolean {
  return WORD.test(char);
}

const isPlain = (code: number) => code < 0x80 || (code >= 0x4e00 && code <= 0x9fff);

function normalizeCluster(cluster: string): string {
  return cluster.normalize('NFKC').toLowerCase().replace(DASHES, '-').replace(APOSTROPHES, "'");
}

/** Last code point of a string (handles surrogate pairs). */
function lastChar(s: string): string {
  const cp = s.codePointAt(s.length - 1);
  if (cp !== undefined && cp >= 0xdc00 && cp <= 0xdfff && s.length >= 2) return s.slice(-2);
  return s.slice(-1);
}

const ASCII = /^[\x00-\x7f]*$/;

function normalizeChars(raw: string): NormalizedText {
  return ASCII.test(raw) ? normalizeAscii(raw) : normalizeAny(raw);
}

/**
 * What normalizeAny makes of a text of ASCII only (most English answers), without its per-character
 * work: NFKC leaves ASCII as it is, so only capitals are lowered and whitespace runs collapsed
 * (a run with a line break to one, else to a space; none at either end).
 */
function normalizeAscii(raw: string): NormalizedText {
  if (singleSpaced(raw)) {
    // Nothing to collapse (most answers): every code unit stays where it was.
    const origin: number[] = new Array(raw.length + 1);
    for (let i = 0; i <= raw.length; i++) origin[i] = i;
    return { text: raw.toLowerCase(), origin };
  }
  const parts: string[] = [];
  const origin: number[] = new Array(raw.length + 1);
  let written = 0;
  let pendingSpace = -1;
  let pendingBreak = false;
  for (let i = 0; i < raw.length; ) {
    const code = raw.charCodeAt(i);
    if (code === 0x20 || (code >= 0x09 && code <= 0x0d)) {
      if (written > 0 && pendingSpace < 0) pendingSpace = i;
      if (code === 0x0a || code === 0x0d) pendingBreak = true;
      i++;
      continue;
    }
    if (pendingSpace >= 0) {
      parts.push(pendingBreak ? '\n' : ' ');
      origin[written++] = pendingSpace;
      pendingSpace = -1;
    }
    pendingBreak = false;
    let end = i + 1;
    for (let c = raw.charCodeAt(end); end < raw.length && c !== 0x20 && (c < 0x09 || c > 0x0d); c = raw.charCodeAt(++end));
    parts.push(raw.slice(i, end));
    for (; i < end; i++) origin[written++] = i;
  }
  origin[written] = raw.length;
  // Shortened in place: a text that lost whitespace leaves spare slots at the end.
  origin.length = written + 1;
  return { text: parts.join('').toLowerCase(), origin };
}

/** Whether an ASCII text's only whitespace is single spaces between other characters: normalising it only lowers its capitals. */
function singleSpaced(raw: string): boolean {
  const last = raw.length - 1;
  for (let i = 0; i <= last; i++) {
    const code = raw.charCodeAt(i);
    if (code === 0x20) {
      if (i === 0 || i === last || raw.charCodeAt(i + 1) === 0x20) return false;
    } else if (code >= 0x09 && code <= 0x0d) return false;
  }
  return true;
}

/** Any text: each run or character normalised, every code unit's origin kept. Exported for the test that checks normalizeAscii against it. */
export function normalizeAny(raw: string): NormalizedText {
  const parts: string[] = [];
  // The last piece written: reading the end of a growing string would flatten it every time.
  let last = '';
  const origin: number[] = [];
  let pendingSpace = -1; // original index of a whitespace run not yet written
  let pendingBreak = false; // the run contains a line break: kept, it ends a clause
  let i = 0;
  // Writes the whitespace run pending before `next`, if any.
  const flushSpace = (next: string) => {
    if (pendingSpace >= 0) {
      if (pendingBreak) {
        parts.push('\n');
        origin.push(pendingSpace);
      } else if (!(isCjk(lastChar(last)) && isCjk(String.fromCodePoint(next.codePointAt(0)!)))) {
        // A space between two Chinese characters carries no meaning: it is dropped.
        parts.push(' ');
        origin.push(pendingSpace);
      }
      pendingSpace = -1;
    }
    pendingBreak = false;
  };
  while (i < raw.length) {
    const at = i;
    // A run that normalisation leaves unchanged (visible ASCII but capitals, common Chinese
    // characters) is copied whole; its last character stays out when a combining mark follows.
    UNCHANGED.lastIndex = i;
    const run = UNCHANGED.exec(raw);
    if (run) {
      let end = i + run[0].length;
      if (end < raw.length && MARK.test(raw[end])) end -= 1;
      if (end > i) {
        const chunk = raw.slice(i, end);
        flushSpace(chunk);
        for (let k = i; k < end; k++) origin.push(k);
        parts.push(chunk);
        last = chunk;
        i = end;
        continue;
      }
    }
    let piece: string;
    const code = raw.charCodeAt(i);
    // Plain ASCII and common Chinese characters not followed by a combining mark are unchanged
    // by NFKC (the common case, kept fast).
    if (code === 0x20) {
      if (last !== '' && pendingSpace < 0) pendingSpace = at;
      i += 1;
      continue;
    }
    if (code >= 0xff01 && code <= 0xff5e && !(raw.charCodeAt(i + 1) >= 0x300 && MARK.test(raw[i + 1]))) {
      // Full-width ASCII (，：；（）Ａ１): NFKC maps it to ASCII, one code unit for one.
      piece = String.fromCharCode(code - 0xfee0).toLowerCase();
      i += 1;
    } else if (isPlain(code) && !(raw.charCodeAt(i + 1) >= 0x300 && !isPlain(raw.charCodeAt(i + 1)) && MARK.test(raw[i + 1]))) {
      piece = code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : raw[i];
      i += 1;
    } else {
      CLUSTER.lastIndex = i;
      const cluster = CLUSTER.exec(raw)![0];
      piece = normalizeCluster(cluster);
      i += cluster.length;
      // Invisible format characters (zero-width space, soft hyphen, BOM) would split words.
      if (FORMAT.test(piece)) continue;
    }
    if (piece.trim() === '') {
      if (last !== '' && pendingSpace < 0) pendingSpace = at;
      if (/[\n\r\u2028\u2029]/u.test(piece)) pendingBreak = true;
      continue;
    }
    flushSpace(piece);
    // Whitespace inside a normalised piece (NFKC of some compatibility characters) becomes one space.
    const compact = piece.length === 1 ? piece : piece.replace(/\s+/gu, ' ');
    for (let k = 0; k < compact.length; k++) origin.push(at);
    parts.push(compact);
    last = compact;
  }
  origin.push(raw.length);
  return { text: parts.join(''), origin };
}

/** Normalised and folded to simplified Chinese, with every code unit's origin in `raw`. */
export function normalizeWithOrigin(raw: string): NormalizedText {
  return foldTraditional(normalizeChars(raw));
}

/** Printable ASCII only: normalising it only lower-cases and collapses spaces. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** The normalised form of a text, as the matcher compares it. */
export function normalizeForMatch(text: string): string {
  // Most rubric phrases: the same result as the full normalisation (no origins kept, nothing to fold), computed directly.
  if (PRINTABLE_ASCII.test(text)) return text.toLowerCase().replace(/ {2,}/g, ' ').trim();
  return normalizeWithOrigin(text).text;
}
