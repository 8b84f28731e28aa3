/**
 * The second way to read a bank file, after the one-pass reader (fast-yaml.ts): js-yaml's
 * event stream gives both the values and a compact index of where every node starts, with no
 * document tree. Building `yaml`'s Document costs seconds and hundreds of MB on a large bank;
 * this costs a fraction and keeps only typed arrays.
 *
 * Only "plain" YAML is read this way: one document without tabs, lone carriage returns, directives, tags, anchors,
 * aliases, complex or empty keys, block indentation indicators, or a flow collection closed at
 * the start of its own line. Anything else
 * (and anything js-yaml rejects) returns null, and the caller reads the file with the full
 * parser, so every syntax error, warning and unusual construct is reported exactly as before.
 * Positions are those the full parser gives (see test/bank/plain-yaml.test.ts, which compares
 * both on every node of generated and mutated files).
 */
import { EVENT_ID, SCALAR_STYLE, constructFromEvents, parseEvents, type Event } from 'js-yaml';
import type { PathSegment, Position } from './source.js';
import { SCHEMA, isNullWord, readsAsItself, resolvePlain, scalarText } from './yaml-scalar.js';

export const SCALAR = 0;
export const SEQUENCE = 1;
export const MAPPING = 2;
const KIND = 3;
export const FLOW = 4;
/** A mapping value that is not there at all (`? key` or `{key}`): positions fall back to its key, as the full parser's do. */
const ABSENT = 8;
/** A scalar whose text is its value as written (no escapes, quotes or folding). */
export const VERBATIM = 16;
export const QUOTED = 32;
/** Nodes under a sequence past which finding an item by counting would be slow. */
const LONG_SEQUENCE = 256;

export class PositionIndex {
  /** Keys read so far, by node (a Map: node numbers are sparse and large). */
  private keyTexts = new Map<number, string>();
  private children = new Map<number, Int32Array>();
  private lineStarts: Int32Array | undefined;
  private lastFound = { map: -1, segment: '', key: -1 };

  constructor(
    private readonly text: string,
    /** Per node: kind, flow, absent and scalar-style bits. Nodes are numbered in document order, the root is 0. */
    private readonly flags: Uint8Array,
    /** Per node: the offset where the full parser's range for it starts. */
    private readonly starts: Int32Array,
    /** Per node: the number of the first node after its subtree. */
    private readonly ends: Int32Array,
    /** Per scalar node: where its value is written (js-yaml's valueStart and valueEnd), to read keys on demand. */
    private readonly valueStarts: Int32Array,
    private readonly valueEnds: Int32Array,
  ) {}

  /** The node at `path` (or its nearest existing ancestor), the key it is the value of, and whether the whole path exists. */
  walk(path: readonly PathSegment[]): { node: number; keyNode: number; complete: boolean } {
    let node = 0;
    let keyNode = -1;
    let depth = 0;
    for (const segment of path) {
      const kind = this.flags[node] & KIND;
      if (kind === MAPPING) {
        const key = this.findKey(node, String(segment));
        if (key < 0) break;
        keyNode = key;
        const value = this.ends[key];
        node = this.flags[value] & ABSENT ? key : value;
      } else if (kind === SEQUENCE && typeof segment === 'number') {
        const item = this.itemOf(node, segment);
        if (item < 0) break;
        keyNode = -1;
        node = item;
      } else {
        break;
      }
      depth++;
    }
    return { node, keyNode, complete: depth === path.length };
  }

  locate(path: readonly PathSegment[], target: 'key' | 'value' = 'value'): Position {
    const { node, keyNode } = this.walk(path);
    return this.position(this.starts[target === 'key' && keyNode >= 0 ? keyNode : node]);
  }

  isFlowMapping(path: readonly PathSegment[]): boolean {
    const { node, complete } = this.walk(path);
    return complete && (this.flags[node] & KIND) === MAPPING && (this.flags[node] & FLOW) !== 0;
  }

  hasTopLevelKey(key: string): boolean {
    return (this.flags[0] & KIND) === MAPPING && this.findKey(0, key) >= 0;
  }

  private findKey(map: number, segment: string): number {
    // A bank's items are located one after another, each by way of the same `items` key.
    if (map === this.lastFound.map && segment === this.lastFound.segment) return this.lastFound.key;
    let found = -1;
    for (let key = map + 1; key < this.ends[map]; key = this.ends[this.ends[key]]) {
      if (this.keyIs(key, segment)) {
        found = key;
        break;
      }
    }
    this.lastFound = { map, segment, key: found };
    return found;
  }

  /**
   * Whether a key names `segment`. A key written as it reads (quoted without escapes, or a
   * plain one that reads as itself) is compared in place, without reading it out of the text.
   */
  private keyIs(key: number, segment: string): boolean {
    const flags = this.flags[key];
    if (flags & VERBATIM) {
      const start = this.valueStarts[key];
      const end = this.valueEnds[key];
      if (flags & QUOTED || readsAsItself(this.text, start, end)) return end - start === segment.length && this.text.startsWith(segment, start);
    }
    return this.keyText(key) === segment;
  }

  /** A key as it names its value in the data: plain keys are resolved (`1.0` is "1", `0x10` is "16"). */
  private keyText(key: number): string {
    let text = this.keyTexts.get(key);
    if (text === undefined) {
      const flags = this.flags[key];
      const start = this.valueStarts[key];
      const end = this.valueEnds[key];
      if (flags & VERBATIM) text = this.text.slice(start, end);
      else {
        const style = flags & QUOTED ? (this.text[start - 1] === "'" ? SCALAR_STYLE.SINGLE_QUOTED : SCALAR_STYLE.DOUBLE_QUOTED) : SCALAR_STYLE.PLAIN;
        text = scalarText(this.text, start, end, style);
      }
      if (!(flags & QUOTED)) text = String(resolvePlain(text));
      this.keyTexts.set(key, text);
    }
    return text;
  }

  /** The `index`th item of a sequence, or -1; long sequences (a bank's items) keep a table of their items. */
  private itemOf(seq: number, index: number): number {
    if (index < 0 || !Number.isInteger(index)) return -1;
    if (this.ends[seq] - seq < LONG_SEQUENCE) {
      let child = seq + 1;
      for (let i = 0; i < index && child < this.ends[seq]; i++) child = this.ends[child];
      return child < this.ends[seq] ? child : -1;
    }
    let items = this.children.get(seq);
    if (!items) {
      const list: number[] = [];
      for (let child = seq + 1; child < this.ends[seq]; child = this.ends[child]) list.push(child);
      this.children.set(seq, (items = Int32Array.from(list)));
    }
    return index < items.length ? items[index] : -1;
  }

  /** 1-based line and column of an offset; only a line feed ends a line, as in the full parser. */
  private position(offset: number): Position {
    const starts = (this.lineStarts ??= lineStarts(this.text));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, col: offset - starts[low] + 1 };
  }
}

function lineStarts(text: string): Int32Array {
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  const starts = new Int32Array(lines);
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[line++] = i + 1;
  return starts;
}

/** Values and positions of a plain YAML text, or null when the full parser must read it. */
export function readPlainYaml(text: string): { data: unknown; index: PositionIndex } | null {
  // Where a tab may stand, and whether a carriage return alone ends a line, differ between the two parsers.
  if (text.includes('\t') || /\r(?!\n)/.test(text)) return null;
  let events: Event[];
  try {
    events = parseEvents(text, {});
  } catch {
    return null;
  }
  const index = indexEvents(text, events);
  if (!index) return null;
  try {
    const documents = constructFromEvents(events, { source: text, schema: SCHEMA });
    return documents.length === 1 ? { data: documents[0], index } : null;
  } catch {
    return null;
  }
}

interface Open {
  node: number;
  kind: number;
  /** Children seen so far: in a mapping, even counts are keys. */
  count: number;
  /** Where a flow collection starts, to check where it ends. */
  start: number;
  flowDepth: number;
}

/** One pass over the events: the position index, or null when the text is not plain YAML. */
function indexEvents(text: string, events: Event[]): PositionIndex | null {
  const flags = new Uint8Array(events.length);
  const starts = new Int32Array(events.length);
  const ends = new Int32Array(events.length);
  const valueStarts = new Int32Array(events.length);
  const valueEnds = new Int32Array(events.length);
  const stack: Open[] = [];
  let nodes = 0;
  let documents = 0;
  /** Just past the last thing read: what lies between it and the next node is space, comments and indicators. */
  let cursor = 0;

  for (let e = 0; e < events.length; e++) {
    const event = events[e];
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        if (++documents > 1 || event.directives.length > 0) return null;
        continue;
      case EVENT_ID.ALIAS:
        return null;
      case EVENT_ID.POP: {
        const open = stack.pop();
        if (!open) continue; // the document's end
        ends[open.node] = nodes;
        if (flags[open.node] & FLOW) {
          const close = skipGap(text, cursor);
          if (text[close] !== ']' && text[close] !== '}') return null;
          cursor = close + 1;
          if (!endsToken(text, cursor)) return null;
          // The full parser warns when a multi-line flow collection in block context is closed at the start of a line.
          if (open.flowDepth === 1 && stack.length > 0 && text.slice(open.start, close).includes('\n') && startsLine(text, close)) return null;
        }
        continue;
      }
    }
    if (event.anchorStart >= 0 || event.tagStart >= 0) return null;
    const parent = stack.at(-1);
    const isKey = parent?.kind === MAPPING && parent.count % 2 === 0;
    if (parent) parent.count++;
    const node = nodes++;
    if (event.type === EVENT_ID.SCALAR) {
      const quoted = event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED;
      const block = event.style === SCALAR_STYLE.LITERAL_BLOCK || event.style === SCALAR_STYLE.FOLDED_BLOCK;
      // Empty, null, block and complex keys are read differently by the two parsers.
      if (isKey && (event.valueStart < 0 || block || (!quoted && isNullWord(text, event.valueStart, event.valueEnd)))) return null;
      flags[node] = SCALAR | (event.fast ? VERBATIM : 0) | (quoted ? QUOTED : 0);
      ends[node] = node + 1;
      valueStarts[node] = event.valueStart;
      valueEnds[node] = event.valueEnd;
      if (event.valueStart >= 0) {
        starts[node] = quoted ? event.valueStart - 1 : block ? blockHeader(text, cursor) : event.valueStart;
        // An explicit indentation indicator (`|2`) is counted from a different base by the two parsers,
        // and so are blank lines after an escaped line break in double quotes.
        if (block && /^.[+-]?[1-9]/.test(text.slice(starts[node], starts[node] + 3))) return null;
        if (event.style === SCALAR_STYLE.DOUBLE_QUOTED && !event.fast && /\\\r?\n[ ]*\r?\n/.test(text.slice(event.valueStart, event.valueEnd))) return null;
        cursor = quoted ? event.valueEnd + 1 : event.valueEnd;
        if (quoted && !endsToken(text, cursor)) return null;
      } else {
        const empty = emptyScalar(text, cursor, nodeText(events[e + 1]) ?? text.length, parent?.kind === MAPPING);
        if (empty.absent) {
          flags[node] |= ABSENT;
          starts[node] = starts[node - 1];
        } else {
          starts[node] = empty.offset;
          cursor = empty.offset;
        }
      }
      continue;
    }
    if (isKey) return null;
    const kind = event.type === EVENT_ID.SEQUENCE ? SEQUENCE : MAPPING;
    const flow = event.style === 2;
    flags[node] = kind | (flow ? FLOW : 0);
    starts[node] = event.start;
    cursor = flow ? event.start + 1 : event.start;
    const flowDepth = flow ? (parent?.flowDepth ?? 0) + 1 : 0;
    stack.push({ node, kind, count: 0, start: event.start, flowDepth });
  }
  if (documents !== 1 || nodes === 0) return null;
  return new PositionIndex(text, flags.subarray(0, nodes), starts.subarray(0, nodes), ends.subarray(0, nodes), valueStarts.subarray(0, nodes), valueEnds.subarray(0, nodes));
}

/** Past spaces, line breaks and comments from `from`: the offset of the next indicator or node. */
function skipGap(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',') i++;
    else if (c === '#') i = lineEnd(text, i);
    else break;
  }
  return i;
}

/**
 * Whether a quoted scalar or flow collection ending at `end` is followed by what may follow a
 * node on its line. js-yaml lets some text run on after it where the full parser reports an error.
 */
function endsToken(text: string, end: number): boolean {
  let i = end;
  while (text[i] === ' ') i++;
  const c = text[i];
  return c === undefined || c === '\n' || c === '\r' || c === ':' || c === ',' || c === ']' || c === '}' || (c === '#' && i > end);
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end < 0 ? text.length : end;
}

function startsLine(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0 && text[i] !== '\n'; i--) if (text[i] !== ' ' && text[i] !== '\t') return false;
  return true;
}

/** The `|` or `>` of a block scalar read after `cursor`: the full parser's range starts at its header. */
function blockHeader(text: string, cursor: number): number {
  for (let i = cursor; i < text.length; i++) {
    const c = text[i];
    if (c === '|' || c === '>') return i;
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) i = lineEnd(text, i);
  }
  return cursor;
}

/** Where the text of the node an event opens starts, when the event says. */
function nodeText(event: Event | undefined): number | undefined {
  if (event?.type === EVENT_ID.SEQUENCE || event?.type === EVENT_ID.MAPPING) return event.start;
  if (event?.type !== EVENT_ID.SCALAR || event.valueStart < 0) return undefined;
  return event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED ? event.valueStart - 1 : event.valueStart;
}

/**
 * Where the full parser puts an empty value: just after the indicator that introduced it (`:`
 * of a mapping value, `-` of a list item, `?` of a key), past the spaces that follow. A mapping
 * value whose key has no `:` at all is absent.
 */
function emptyScalar(text: string, cursor: number, next: number, mappingValue: boolean): { offset: number; absent: boolean } {
  let i = cursor;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '#') i = lineEnd(text, i);
    else break;
  }
  // A `:` that starts the next node (a key written `:x`) is no indicator.
  const c = i < next ? text[i] : undefined;
  if (mappingValue && c !== ':') return { offset: cursor, absent: true };
  if (c === ':' || c === '-' || c === '?' || c === ',') {
    i++;
    while (text[i] === ' ' || text[i] === '\t') i++;
    return { offset: i, absent: false };
  }
  return { offset: i, absent: false };
}
