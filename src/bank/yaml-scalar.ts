/**
 * How both bank readers, the one-pass reader (fast-yaml.ts) and the event reader
 * (plain-yaml.ts), read a scalar as the full parser does: the schema plain scalars resolve
 * with, which plain scalars read as themselves, and js-yaml's own reading of the rest.
 */
import { CHOMPING_MODE, CORE_SCHEMA, EVENT_ID, NOT_RESOLVED, defineScalarTag, floatCoreTag, getScalarValue, type ScalarEvent, type ScalarTagDefinition } from 'js-yaml';

/** Core-schema floats as the full parser reads them: past the double range they are ±Infinity, not text. */
const OVERFLOWING_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const float = defineScalarTag(floatCoreTag.tagName, {
  implicit: true,
  implicitFirstChars: floatCoreTag.implicitFirstChars,
  identify: floatCoreTag.identify,
  represent: floatCoreTag.represent,
  resolve: (source, isExplicit, tagName) => {
    const value = floatCoreTag.resolve(source, isExplicit, tagName);
    return value === NOT_RESOLVED && OVERFLOWING_FLOAT.test(source) ? Number(source) : value;
  },
});
/** The core schema as the full parser reads it. */
export const SCHEMA = CORE_SCHEMA.withTags(float);

/** The first characters that some implicit tag of SCHEMA (null, bool, int, float) may read; null when some tag may read any. */
const IMPLICIT_FIRST_CHARS = ((tags) => (tags.some((t) => t.implicitFirstChars == null) ? null : new Set(tags.flatMap((t) => t.implicitFirstChars ?? []))))(
  SCHEMA.tags.filter((t): t is ScalarTagDefinition => t.nodeKind === 'scalar' && t.implicit),
);

/** Whether a plain scalar is one the core schema reads as null (the empty one aside). */
export function isNullWord(text: string, start: number, end: number): boolean {
  const length = end - start;
  return (length === 1 && text[start] === '~') || (length === 4 && /^(?:null|Null|NULL)$/.test(text.slice(start, end)));
}

function isBoolWord(text: string, start: number, end: number): boolean {
  const length = end - start;
  return (length === 4 || length === 5) && /^(?:true|True|TRUE|false|False|FALSE)$/.test(text.slice(start, end));
}

/** ASCII letters and the underscore. */
function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

/** Whether no implicit tag of SCHEMA may read a plain scalar that starts as this one does: it is a string. */
function startsAsText(text: string, start: number, end: number): boolean {
  return start < end && IMPLICIT_FIRST_CHARS !== null && !IMPLICIT_FIRST_CHARS.has(text[start]);
}

/**
 * Whether the plain scalar written from `start` to `end` reads as itself, a string: no implicit
 * tag may read its first character, or it starts with a letter and is no null or boolean word
 * (no core-schema number starts with a letter).
 */
export function readsAsItself(text: string, start: number, end: number): boolean {
  if (start === end) return false; // the empty scalar is null
  return startsAsText(text, start, end) || (isLetter(text.charCodeAt(start)) && !isNullWord(text, start, end) && !isBoolWord(text, start, end));
}

/**
 * A plain scalar's value, exactly as js-yaml's constructor resolves it with SCHEMA. Most of a
 * bank's plain scalars start as text, and skip js-yaml's lookup and its result object.
 */
export function resolvePlain(source: string): unknown {
  return startsAsText(source, 0, source.length) ? source : SCHEMA.resolveImplicitScalarTag(source).value;
}

/** The text of a scalar written from `valueStart` to `valueEnd`, as js-yaml's getScalarValue reads it from the event its parser would have emitted. */
export function scalarText(
  text: string,
  valueStart: number,
  valueEnd: number,
  style: ScalarEvent['style'],
  chomping: ScalarEvent['chomping'] = CHOMPING_MODE.CLIP,
  indent = -1,
): string {
  return getScalarValue(text, { type: EVENT_ID.SCALAR, valueStart, valueEnd, anchorStart: -1, anchorEnd: -1, tagStart: -1, tagEnd: -1, style, chomping, indent, fast: false });
}
