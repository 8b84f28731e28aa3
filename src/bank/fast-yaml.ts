/**
 * The first and fastest way to read a bank file: one pass over the text, for the block style
 * question banks are written in. It gives exactly what src/bank/plain-yaml.ts gives from
 * js-yaml's events (the same values and the same PositionIndex arrays) without making an
 * object per event, at several times the speed.
 *
 * It reads block mappings with one-line keys, block sequences (also `- key: value` and
 * `- - item`), one-line plain and quoted scalars, literal and folded block scalars without an
 * indentation indicator or header comment, and one-line flow collections (`[a, "b"]`,
 * `{ scheme: x, level: y }`), with comments and blank lines between. At anything else (a
 * multi-line plain, quoted or flow value, anchors, tags, `?` keys, empty list entries, document
 * markers, tabs, unusual indentation, a duplicate key) it declines, returning null, and the
 * event reader runs as before. test/bank/fast-yaml.test.ts checks on generated, mutated and
 * real files that whenever it reads a text, the event reader reads the same.
 */
import { SCALAR_STYLE, CHOMPING_MODE } from 'js-yaml';
import { FLOW, MAPPING, PositionIndex, QUOTED, SCALAR, SEQUENCE, VERBATIM } from './plain-yaml.js';
import { resolvePlain, scalarText } from './yaml-scalar.js';

/** Thrown inside the reader to give up; caught once at the top. */
const DECLINE = new Error('outside the fast subset');

/**
 * Characters the reader leaves to the event path: tabs (allowed in some places only), line
 * breaks other than LF and CRLF, a BOM past the start, and what js-yaml refuses as non-printable.
 */
const UNUSUAL = /[\x00-\x09\x0B\x0C\x0E-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF]|\r(?!\n)|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;
/** Past this length a key is no implicit key for the full parser; leave it to the event path. */
const MAX_KEY_LENGTH = 1000;
/** Collections nested deeper than any bank are left to the event path, before they could exhaust the stack. */
const MAX_DEPTH = 200;

const LF = 10;
const CR = 13;
const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const DQUOTE = 34;
const SQUOTE = 39;

/** Values and positions of a block-style YAML text, or null when the event path must read it. */
export function readFastYaml(text: string): { data: unknown; index: PositionIndex } | null {
  if (UNUSUAL.test(text)) return null;
  const reader = new Reader(text);
  try {
    return reader.document();
  } catch (err) {
    if (err === DECLINE) return null;
    throw err;
  }
}

class Reader {
  private readonly length: number;
  /** The node arrays of PositionIndex, grown as needed; `count` nodes are used. */
  private flags: Uint8Array;
  private starts: Int32Array;
  private ends: Int32Array;
  private valueStarts: Int32Array;
  private valueEnds: Int32Array;
  private count = 0;
  /** Collections open around the current one. */
  private depth = 0;
  /** Offset of the next thing to read (the first character of a content line, or the end) and its line's start. */
  private pos = 0;
  private lineStart = 0;

  constructor(private readonly text: string) {
    this.length = text.length;
    const capacity = (text.length >> 4) + 64;
    this.flags = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.valueStarts = new Int32Array(capacity);
    this.valueEnds = new Int32Array(capacity);
  }

  document(): { data: unknown; index: PositionIndex } {
    this.pos = this.skipGap(0);
    if (this.pos >= this.length) throw DECLINE;
    const column = this.pos - this.lineStart;
    const data = this.isEntry(this.pos) ? this.sequence(column) : this.mapping(column);
    if (this.pos < this.length) throw DECLINE;
    const n = this.count;
    return { data, index: new PositionIndex(this.text, this.flags.subarray(0, n), this.starts.subarray(0, n), this.ends.subarray(0, n), this.valueStarts.subarray(0, n), this.valueEnds.subarray(0, n)) };
  }

  // ---- structure ----

  /** A block mapping whose keys start at `column`; `pos` is at its first key. */
  private mapping(column: number): Record<string, unknown> {
    const node = this.open(MAPPING, this.pos);
    const result: Record<string, unknown> = {};
    for (;;) {
      const key = this.key();
      // js-yaml refuses a duplicate key, and the full parser reports it: the event path decides.
      if (Object.prototype.hasOwnProperty.call(result, key)) throw DECLINE;
      const value = this.value(column, true);
      define(result, key, value);
      if (this.pos >= this.length) break;
      const next = this.pos - this.lineStart;
      if (next < column) break;
      // Deeper lines after a value, or a list entry where a key belongs, are not block structure this reader knows.
      if (next > column || this.isEntry(this.pos)) throw DECLINE;
    }
    this.close(node);
    return result;
  }

  /** A block sequence whose `-` stand at `column`; `pos` is at the first `-`. */
  private sequence(column: number): unknown[] {
    const node = this.open(SEQUENCE, this.pos);
    const result: unknown[] = [];
    for (;;) {
      this.pos++;
      result.push(this.value(column, false));
      if (this.pos >= this.length) break;
      const next = this.pos - this.lineStart;
      if (next < column) break;
      if (next > column) throw DECLINE;
      // A key at the sequence's own column ends a sequence written unindented under its key.
      if (!this.isEntry(this.pos)) break;
    }
    this.close(node);
    return result;
  }

  /**
   * The value after a key's `:` or an entry's `-` (at `pos`), owned by the line whose key or `-`
   * stands at `owner`. Leaves `pos` at the next content line.
   */
  private value(owner: number, ofKey: boolean): unknown {
    let i = this.pos;
    while (this.code(i) === SPACE) i++;
    const c = this.code(i);
    if (i >= this.length || c === LF || c === CR || c === HASH) {
      this.pos = this.skipGap(this.lineAfter(i));
      if (this.pos < this.length) {
        const next = this.pos - this.lineStart;
        if (next > owner) return this.isEntry(this.pos) ? this.sequence(next) : this.mapping(next);
        if (next === owner && ofKey && this.isEntry(this.pos)) return this.sequence(next);
      }
      // An empty list entry is placed differently by the two parsers; leave it to the event path.
      if (!ofKey) throw DECLINE;
      // The full parser puts an empty value just past the `:` and the spaces after it.
      this.node(SCALAR, i, -1, -1);
      return null;
    }
    if (!ofKey && (this.isEntry(i) || this.isKey(i))) {
      this.pos = i;
      return this.isEntry(i) ? this.sequence(i - this.lineStart) : this.mapping(i - this.lineStart);
    }
    let value: unknown;
    if (c === DQUOTE || c === SQUOTE) {
      value = this.quoted(i);
      this.pos = this.endOfLine(this.pos);
    } else if (c === 124 || c === 62) {
      return this.block(i, owner);
    } else if (c === 91 || c === 123) {
      value = this.flow(i);
      this.pos = this.endOfLine(this.pos);
    } else {
      return this.plain(i, owner);
    }
    this.pos = this.skipGap(this.pos);
    return value;
  }

  /** Whether `i` starts a list entry: a `-` followed by a space or the line's end. */
  private isEntry(i: number): boolean {
    if (this.code(i) !== DASH) return false;
    const next = this.code(i + 1);
    return next === SPACE || next === LF || next === CR || i + 1 >= this.length;
  }

  /** Whether the line from `i` is `key: ...` (a compact mapping in a list entry). */
  private isKey(i: number): boolean {
    const c = this.code(i);
    if (c === 91 || c === 123) return false;
    let j = i;
    if (c === DQUOTE || c === SQUOTE) {
      j = this.closingQuote(i);
      if (j < 0) return false;
      j++;
      while (this.code(j) === SPACE) j++;
      return this.code(j) === COLON && this.endsIndicator(j + 1);
    }
    for (; j < this.length; j++) {
      const d = this.code(j);
      if (d === LF || d === CR) return false;
      if (d === COLON && this.endsIndicator(j + 1)) return true;
      if (d === HASH && this.code(j - 1) === SPACE) return false;
    }
    return false;
  }

  // ---- scalars ----

  /** A mapping key at `pos` and its `:`; leaves `pos` just past the `:`. */
  private key(): string {
    const i = this.pos;
    const c = this.code(i);
    let key: string;
    let j: number;
    if (c === DQUOTE || c === SQUOTE) {
      key = this.quoted(i);
      j = this.pos;
      while (this.code(j) === SPACE) j++;
      if (this.code(j) !== COLON || !this.endsIndicator(j + 1)) throw DECLINE;
    } else {
      // A document marker, or a key starting with an indicator, is for the event path.
      if (i === this.lineStart && (this.text.startsWith('---', i) || this.text.startsWith('...', i))) throw DECLINE;
      if (!this.startsPlain(i)) throw DECLINE;
      let end = i;
      for (j = i; ; j++) {
        const d = this.code(j);
        if (j >= this.length || d === LF || d === CR || (d === HASH && this.code(j - 1) === SPACE)) throw DECLINE;
        if (d === COLON && this.endsIndicator(j + 1)) break;
        if (d !== SPACE) end = j + 1;
      }
      const source = this.text.slice(i, end);
      this.node(SCALAR | VERBATIM, i, i, end);
      key = keyName(resolvePlain(source));
    }
    if (j - i > MAX_KEY_LENGTH) throw DECLINE;
    this.pos = j + 1;
    return key;
  }

  /** A one-line quoted scalar starting at `i`; leaves `pos` just past its closing quote. */
  private quoted(i: number): string {
    const double = this.code(i) === DQUOTE;
    const close = this.closingQuote(i);
    if (close < 0) throw DECLINE;
    const start = i + 1;
    // `simple` is js-yaml's `fast`: no escape or doubled quote, so the text is the value.
    let simple = true;
    for (let j = start; j < close; j++) {
      const d = this.code(j);
      if (d === (double ? 92 : SQUOTE)) {
        simple = false;
        break;
      }
    }
    this.node(SCALAR | QUOTED | (simple ? VERBATIM : 0), i, start, close);
    this.pos = close + 1;
    if (simple) return this.text.slice(start, close);
    return scalarText(this.text, start, close, double ? SCALAR_STYLE.DOUBLE_QUOTED : SCALAR_STYLE.SINGLE_QUOTED);
  }

  /** The closing quote of the quoted scalar starting at `i`, on the same line (in single quotes `''` is a quote inside), or -1. */
  private closingQuote(i: number): number {
    if (this.code(i) === DQUOTE) return this.closingDoubleQuote(i);
    for (let j = i + 1; j < this.length; j++) {
      const d = this.code(j);
      if (d === LF || d === CR) return -1;
      if (d === SQUOTE) {
        if (this.code(j + 1) !== SQUOTE) return j;
        j++;
      }
    }
    return -1;
  }

  /** The closing `"` on this line, or -1; an escape js-yaml would refuse, or a line break, also gives -1. */
  private closingDoubleQuote(i: number): number {
    for (let j = i + 1; j < this.length; j++) {
      const d = this.code(j);
      if (d === LF || d === CR) return -1;
      if (d === DQUOTE) return j;
      if (d === 92) {
        const e = this.code(++j);
        if (SIMPLE_ESCAPES.has(e)) continue;
        const digits = e === 120 ? 2 : e === 117 ? 4 : e === 85 ? 8 : 0;
        if (digits === 0) return -1;
        for (let k = 0; k < digits; k++) if (!isHexDigit(this.code(++j))) return -1;
      }
    }
    return -1;
  }

  /** A one-line plain scalar value at `i`; leaves `pos` at the next content line. */
  private plain(i: number, owner: number): unknown {
    if (!this.startsPlain(i)) throw DECLINE;
    let end = i;
    let j = i;
    for (; j < this.length; j++) {
      const d = this.code(j);
      if (d === LF || d === CR) break;
      // `key: a: b` is an error the full parser reports.
      if (d === COLON && this.endsIndicator(j + 1)) throw DECLINE;
      if (d === HASH && this.code(j - 1) === SPACE) break;
      if (d !== SPACE) end = j + 1;
    }
    this.node(SCALAR | VERBATIM, i, i, end);
    // A deeper line after a plain scalar (even a comment, or spaces ending the text) would continue it over several lines.
    const next = this.skipBlank(this.lineAfter(j));
    if (next - this.lineStart > owner) throw DECLINE;
    this.pos = this.skipComments(next);
    return resolvePlain(this.text.slice(i, end));
  }

  /** Whether a plain scalar may start at `i` in block context. */
  private startsPlain(i: number): boolean {
    const c = this.code(i);
    // Indicators that start something else: # & * ! | > ' " % @ ` , [ ] { }
    if (c === HASH || c === 38 || c === 42 || c === 33 || c === 124 || c === 62 || c === SQUOTE || c === DQUOTE || c === 37 || c === 64 || c === 96 || c === 44 || c === 91 || c === 93 || c === 123 || c === 125) return false;
    // `-`, `?` and `:` start a plain scalar only when something other than a space follows; leave `:x` to the event path.
    if (c === COLON) return false;
    if (c === DASH || c === 63) return !this.endsIndicator(i + 1);
    return true;
  }

  /**
   * A literal (`|`) or folded (`>`) block scalar whose header is at `i`, with a chomping
   * indicator at most. Its content lines are found as js-yaml's readBlockScalar finds them, so
   * that js-yaml's own getScalarValue reads the value from the same range.
   */
  private block(i: number, owner: number): string {
    const style = this.code(i) === 124 ? SCALAR_STYLE.LITERAL_BLOCK : SCALAR_STYLE.FOLDED_BLOCK;
    let j = i + 1;
    const sign = this.code(j);
    const chomping = sign === 43 ? CHOMPING_MODE.KEEP : sign === DASH ? CHOMPING_MODE.STRIP : CHOMPING_MODE.CLIP;
    if (chomping !== CHOMPING_MODE.CLIP) j++;
    while (this.code(j) === SPACE) j++;
    // Indentation indicators and comments on the header are left to the event path.
    if (j < this.length && this.code(j) !== LF && this.code(j) !== CR) throw DECLINE;
    const valueStart = this.lineAfter(j);
    let line = valueStart;
    let valueEnd = valueStart;
    let indent = -1;
    let leading = 0;
    for (;;) {
      let column = 0;
      while (this.code(line + column) === SPACE) column++;
      const at = line + column;
      if (at >= this.length) {
        if (indent >= 0 && column > indent) valueEnd = at;
        break;
      }
      const blank = this.code(at) === LF || this.code(at) === CR;
      if (indent < 0) {
        if (blank) leading = Math.max(leading, column);
        else {
          // Content two or more columns deeper than its owner, as banks and serializers write it, and no
          // shallower than the blank lines before it (which js-yaml refuses); anything else is left to the event path.
          if (column <= owner + 1 || column < leading) throw DECLINE;
          indent = column;
        }
      } else if (!blank && column < indent) break;
      valueEnd = this.lineAfter(at);
      line = valueEnd;
    }
    if (indent < 0) throw DECLINE;
    this.node(SCALAR, i, valueStart, valueEnd);
    this.pos = this.skipGap(line);
    return scalarText(this.text, valueStart, valueEnd, style, chomping, indent);
  }

  /**
   * A flow collection on one line, `[a, "b", 3]` or `{ scheme: x, level: "y" }`, nested or not,
   * at `i`; leaves `pos` past its closing bracket. Empty entries and values, a trailing comma,
   * `?` keys and pairs inside `[...]` are left to the event path.
   */
  private flow(i: number): unknown {
    const isMap = this.code(i) === 123;
    const close = isMap ? 125 : 93;
    const node = this.open((isMap ? MAPPING : SEQUENCE) | FLOW, i);
    const map: Record<string, unknown> = {};
    const list: unknown[] = [];
    this.pos = this.skipSpaces(i + 1);
    if (this.code(this.pos) !== close) {
      for (;;) {
        if (isMap) {
          const key = this.flowKey();
          if (Object.prototype.hasOwnProperty.call(map, key)) throw DECLINE;
          define(map, key, this.flowNode());
        } else {
          list.push(this.flowNode());
        }
        this.pos = this.skipSpaces(this.pos);
        const c = this.code(this.pos);
        if (c === close) break;
        if (c !== 44) throw DECLINE;
        this.pos = this.skipSpaces(this.pos + 1);
        if (this.code(this.pos) === close) throw DECLINE;
      }
    }
    this.close(node);
    this.pos++;
    return isMap ? map : list;
  }

  /** A key in a flow mapping and its `: `; leaves `pos` at the value. */
  private flowKey(): string {
    const i = this.pos;
    const c = this.code(i);
    const key = c === DQUOTE || c === SQUOTE ? this.quoted(i) : keyName(this.flowPlain(i));
    const colon = this.skipSpaces(this.pos);
    if (this.code(colon) !== COLON || this.code(colon + 1) !== SPACE) throw DECLINE;
    this.pos = this.skipSpaces(colon + 1);
    return key;
  }

  /** An entry of a flow collection at `pos`: a quoted or plain scalar, or a nested collection. */
  private flowNode(): unknown {
    const c = this.code(this.pos);
    if (c === DQUOTE || c === SQUOTE) return this.quoted(this.pos);
    if (c === 91 || c === 123) return this.flow(this.pos);
    return this.flowPlain(this.pos);
  }

  /** A plain scalar inside a flow collection at `i`, resolved; leaves `pos` past it. */
  private flowPlain(i: number): unknown {
    const c = this.code(i);
    // `-1` is a number; a `-` before a space, a `?` or any other indicator starts something else.
    if (c === 63 || !this.startsPlain(i) || (c === DASH && !isPlainFlowChar(this.code(i + 1)))) throw DECLINE;
    let end = i;
    let j = i;
    for (; isPlainFlowChar(this.code(j)); j++) if (this.code(j) !== SPACE) end = j + 1;
    if (end === i) throw DECLINE;
    this.node(SCALAR | VERBATIM, i, i, end);
    this.pos = j;
    return resolvePlain(this.text.slice(i, end));
  }

  private skipSpaces(i: number): number {
    let j = i;
    while (this.code(j) === SPACE) j++;
    return j;
  }

  // ---- lines ----

  /** After a node on its line: spaces and a comment at most, then the start of the next line. */
  private endOfLine(i: number): number {
    let j = i;
    while (this.code(j) === SPACE) j++;
    if (this.code(j) === HASH && j > i) return this.lineAfter(j);
    if (j < this.length && this.code(j) !== LF && this.code(j) !== CR) throw DECLINE;
    return this.lineAfter(j);
  }

  /** The start of the line after the one `i` is on (or the end of the text). */
  private lineAfter(i: number): number {
    const end = this.text.indexOf('\n', i);
    return end < 0 ? this.length : end + 1;
  }

  /** From a line start, past blank lines: the first character of the next line with anything on it. Sets lineStart. */
  private skipBlank(from: number): number {
    let i = from;
    for (;;) {
      const start = i;
      while (this.code(i) === SPACE) i++;
      const c = this.code(i);
      if (c === LF) i++;
      else if (c === CR) i += 2;
      else {
        this.lineStart = start;
        return i < this.length ? i : this.length;
      }
    }
  }

  /** From a line start, past blank and comment lines: the first character of the next content line. */
  private skipGap(from: number): number {
    return this.skipComments(this.skipBlank(from));
  }

  /** From the first character of a line with something on it, past comment lines. */
  private skipComments(at: number): number {
    let i = at;
    while (i < this.length && this.code(i) === HASH) i = this.skipBlank(this.lineAfter(i));
    return i;
  }

  /** Whether what follows an indicator (`:`, `-`, `?`) makes it one: a space, a line break or the end. */
  private endsIndicator(i: number): boolean {
    if (i >= this.length) return true;
    const c = this.code(i);
    return c === SPACE || c === LF || c === CR;
  }

  private code(i: number): number {
    return this.text.charCodeAt(i);
  }

  /** A collection's node; its `ends` is set when it closes. */
  private open(flags: number, start: number): number {
    if (++this.depth > MAX_DEPTH) throw DECLINE;
    return this.node(flags, start, 0, 0);
  }

  private close(node: number): void {
    this.ends[node] = this.count;
    this.depth--;
  }

  /** Appends a node with no children. */
  private node(flags: number, start: number, valueStart: number, valueEnd: number): number {
    if (this.count === this.flags.length) this.grow();
    const n = this.count++;
    this.flags[n] = flags;
    this.starts[n] = start;
    this.ends[n] = n + 1;
    this.valueStarts[n] = valueStart;
    this.valueEnds[n] = valueEnd;
    return n;
  }

  private grow(): void {
    const size = this.flags.length * 2;
    const widen = (from: Int32Array) => {
      const to = new Int32Array(size);
      to.set(from);
      return to;
    };
    const flags = new Uint8Array(size);
    flags.set(this.flags);
    this.flags = flags;
    this.starts = widen(this.starts);
    this.ends = widen(this.ends);
    this.valueStarts = widen(this.valueStarts);
    this.valueEnds = widen(this.valueEnds);
  }
}

/** A plain key is resolved as a scalar, then named by its text: `1.0` names "1"; a null key is for the event path. */
function keyName(resolved: unknown): string {
  if (resolved === null) throw DECLINE;
  return String(resolved);
}

/** Sets a key as js-yaml does: a `__proto__` key is data, never the object's prototype. */
function define(map: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, configurable: true, writable: true });
  else map[key] = value;
}

/** Escapes js-yaml reads as one character after the backslash (a tab is refused earlier). */
const SIMPLE_ESCAPES = new Set([...'0abtnvfre "/\\N_LP'].map((c) => c.charCodeAt(0)));

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** What a plain scalar inside a flow collection may hold here: no flow indicator, comment, `:`, quote or line break (nor the end: NaN). */
function isPlainFlowChar(c: number): boolean {
  return c === c && c !== 44 && c !== 91 && c !== 93 && c !== 123 && c !== 125 && c !== HASH && c !== COLON && c !== LF && c !== CR && c !== SQUOTE && c !== DQUOTE;
}

