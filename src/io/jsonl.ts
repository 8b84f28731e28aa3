/**
 * JSON Lines files for run records: line-atomic appends and a streaming reader.
 */
import { closeSync, createReadStream, existsSync, openSync, readSync } from 'node:fs';
import type { z } from 'zod';
import { UserError } from '../errors.js';
import { LineAppender } from './safe-write.js';

/**
 * Appends records to a JSONL file, one write(2) per line so a crash never interleaves lines;
 * a partial last line left by a killed writer is cut away when the file is opened, and a
 * failed append (disk full) is cut back, so readers only ever meet whole lines.
 */
export class JsonlAppender {
  private readonly lines: LineAppender;

  constructor(readonly path: string) {
    this.lines = new LineAppender(path);
  }

  append(record: unknown): void {
    this.lines.appendLine(JSON.stringify(record));
  }

  /** Appends records already serialised (one JSON text each) in one write. */
  appendSerialised(lines: readonly string[]): void {
    this.lines.appendLines(lines);
  }

  close(): void {
    this.lines.close();
  }
}

/**
 * A JsonlAppender that gathers lines and writes them together: when `maxLines` are waiting,
 * when the oldest has waited `maxDelayMs`, and on `flush`/`close`. One write(2) per answer
 * costs more CPU than building the answer at thousands of answers a second; the price is that
 * a process killed with SIGKILL loses at most the last `maxDelayMs` of lines (a run finds
 * them in its response cache on resume). With `maxDelayMs` 0 lines wait only for the end of
 * the current turn of the event loop (setImmediate): everything that arrived together is
 * written together, with no waiting on a timer. Records are serialised when written, not when
 * appended, so that work waits too (the caller must not change a record once appended). A write
 * that fails later goes to `onError`.
 */
export class BufferedJsonlAppender {
  private readonly lines: LineAppender;
  private waiting: unknown[] = [];
  /** Cancels the pending flush, when one is scheduled. */
  private cancel: (() => void) | null = null;

  constructor(
    readonly path: string,
    private readonly options: { maxLines: number; maxDelayMs: number; onError: (err: unknown) => void },
  ) {
    this.lines = new LineAppender(path);
  }

  append(record: unknown): void {
    this.waiting.push(record);
    if (this.waiting.length >= this.options.maxLines) this.flush();
    else if (!this.cancel) {
      const later = () => {
        try {
          this.flush();
        } catch (err) {
          this.options.onError(err);
        }
      };
      if (this.options.maxDelayMs > 0) {
        const timer = setTimeout(later, this.options.maxDelayMs).unref();
        this.cancel = () => clearTimeout(timer);
      } else {
        const immediate = setImmediate(later).unref();
        this.cancel = () => clearImmediate(immediate);
      }
    }
  }

  /** Writes the waiting lines in one write: all of them are kept, or on failure none. */
  flush(): void {
    this.cancel?.();
    this.cancel = null;
    if (this.waiting.length === 0) return;
    const records = this.waiting;
    this.waiting = [];
    this.lines.appendLines(records.map((record) => JSON.stringify(record)));
  }

  close(): void {
    try {
      this.flush();
    } finally {
      this.lines.close();
    }
  }
}

export interface JsonlProblem {
  line: number;
  message: string;
}

/**
 * What happens to lines that cannot be read: each is reported (file:line, why), and the read
 * fails unless the user accepted skipping them (`--skip-bad-lines`), so nothing is silently
 * dropped from a score. An unfinished last line (a writer stopped mid-line, or still writing)
 * is reported but never fails the read: the next writer cuts it away.
 */
export interface BadLinePolicy {
  skip: boolean;
  report(message: string): void;
}

const policy: BadLinePolicy = { skip: false, report: (message) => process.stderr.write(`caps: ${message}\n`) };

export function setBadLinePolicy(change: Partial<BadLinePolicy>): void {
  Object.assign(policy, change);
}

/** Where a record's line sits in its file: byte offset and length (without the newline). */
export interface JsonlLocation {
  offset: number;
  bytes: number;
}

/** Just after the last whole line read (byte offset and line number): where a later read of the same append-only file picks up. */
export interface JsonlCursor {
  offset: number;
  line: number;
}

/**
 * Streams the records of a JSONL file. Lines that are not valid JSON or do not fit the schema
 * are printed (and passed to `onProblem`), and fail the read unless skipping is accepted.
 */
export async function* readJsonl<T extends z.ZodType>(path: string, schema: T, onProblem?: (problem: JsonlProblem) => void): AsyncGenerator<z.infer<T>> {
  for await (const batch of readJsonlBatches(path, schema, { offset: 0, line: 0 }, onProblem)) for (const { record } of batch) yield record;
}

/**
 * `readJsonl` from `cursor` on, each record with where its line sits, so a reader can keep
 * offsets instead of records and read a line again when needed. The cursor moves past every
 * whole line read; an unfinished last line leaves it there, to be read once it is finished.
 */
export async function* readJsonlLocated<T extends z.ZodType>(
  path: string,
  schema: T,
  cursor: JsonlCursor,
  onProblem?: (problem: JsonlProblem) => void,
): AsyncGenerator<{ record: z.infer<T> } & JsonlLocation> {
  for await (const batch of readJsonlBatches(path, schema, cursor, onProblem)) yield* batch;
}

/**
 * `readJsonlLocated`, the records of each chunk read in one batch: one await per chunk rather
 * than per line, for large files. A batch's lines are parsed as the reader takes them, not all
 * when the chunk arrives: a chunk holds thousands of lines, and records parsed ahead of their
 * turn live through collections of the young generation and are copied into the old one. Each
 * batch is to be read through before the next is asked for.
 */
export async function* readJsonlBatches<T extends z.ZodType>(
  path: string,
  schema: T,
  cursor: JsonlCursor,
  onProblem?: (problem: JsonlProblem) => void,
): AsyncGenerator<Iterable<{ record: z.infer<T> } & JsonlLocation>> {
  if (!existsSync(path)) return;
  const problems: JsonlProblem[] = [];
  const lines = new ChunkLines(cursor.line);
  function* records(chunk: LineChunk): Generator<{ record: z.infer<T> } & JsonlLocation> {
    for (lines.start(chunk); lines.next(); ) {
      const at = chunk.offset + lines.from;
      const bytes = lines.end - lines.from;
      const text = chunk.data.toString('utf8', lines.from, lines.end);
      if (!lines.unfinished) Object.assign(cursor, { offset: at + bytes + 1, line: lines.line });
      if (text.trim() === '') continue;
      const parsed = parseLine(text, schema);
      if ('problem' in parsed) problems.push({ line: lines.line, message: parsed.problem });
      else yield { record: parsed.record, offset: at, bytes };
    }
  }
  for await (const chunk of lineChunks(path, cursor.offset)) yield records(chunk);
  settle(path, problems, lines.unfinished ? lines.line : null, onProblem);
}

/**
 * The problems of a read reported, and the read failed unless skipping is accepted; a problem
 * on the unfinished last line (line number `unfinishedLine`) is reported but fails nothing.
 */
function settle(path: string, problems: JsonlProblem[], unfinishedLine: number | null, onProblem?: (problem: JsonlProblem) => void): void {
  if (problems.length === 0) return;
  const unfinishedLast = problems.at(-1)!.line === unfinishedLine ? problems.pop()! : null;
  if (unfinishedLast) unfinishedLast.message = 'unfinished last line (a writer was stopped mid-line or is still writing); ignored';
  for (const p of problems) p.message += policy.skip ? '; skipped (--skip-bad-lines)' : '; cannot be read';
  for (const p of [...problems, ...(unfinishedLast ? [unfinishedLast] : [])]) {
    policy.report(`${path}:${p.line}: ${p.message}`);
    onProblem?.(p);
  }
  if (problems.length > 0 && !policy.skip) {
    throw new UserError(
      `${path}: ${problems.length} line${problems.length === 1 ? '' : 's'} cannot be read (listed above). Repair or remove ${problems.length === 1 ? 'it' : 'them'}, or pass --skip-bad-lines to go on without ${problems.length === 1 ? 'it' : 'them'}.`,
    );
  }
}

/** A line as a record of the schema, or why it is not one (as every reader reports it). */
function parseLine<T extends z.ZodType>(text: string, schema: T): { record: z.infer<T> } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: text.includes('\u0000') ? 'holds NUL bytes (overwritten or damaged)' : 'not valid JSON' };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { problem: `not a record of this file: ${issuesOf(parsed.error)}` };
  return { record: parsed.data };
}

const issuesOf = (error: z.ZodError) => error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ');

/** Where a line of a keyed JSONL file sits, and its `key`. */
export interface JsonlKey extends JsonlLocation {
  key: string;
}

/**
 * The `key` of every line of a file of keyed records (responses, scores), a chunk at a time,
 * without checking whole records: what a reader needs to tell which line is each key's latest.
 * A line as this harness writes it (`{"key":"...",` first, the key without escapes, no other
 * property named key, `}` last) has its key read from its bytes; any other line is parsed
 * (JSON.parse: any spacing or order). A line with no string `key` is not a record: it is
 * reported as readJsonl reports it (file:line, why) and fails the read unless skipping is
 * accepted. A line given here may still prove not to be JSON, or not a record of the schema,
 * when read in full (see keyOfLine): a reader that takes its keys from here reads every line in
 * full too.
 */
export async function* readJsonlKeys(path: string, schema: z.ZodType, onProblem?: (problem: JsonlProblem) => void): AsyncGenerator<JsonlKey[]> {
  if (!existsSync(path)) return;
  const problems: JsonlProblem[] = [];
  const lines = new ChunkLines(0);
  for await (const chunk of lineChunks(path, 0)) {
    const keys: JsonlKey[] = [];
    for (lines.start(chunk); lines.next(); ) {
      const line = chunk.data.subarray(lines.from, lines.end);
      const key = keyOfLine(line);
      if (key !== undefined) keys.push({ key, offset: chunk.offset + lines.from, bytes: lines.end - lines.from });
      else {
        const text = line.toString('utf8');
        const parsed = text.trim() === '' ? null : parseLine(text, schema);
        if (parsed && 'problem' in parsed) problems.push({ line: lines.line, message: parsed.problem });
      }
    }
    yield keys;
  }
  settle(path, problems, lines.unfinished ? lines.line : null, onProblem);
}

const KEY_FIRST = Buffer.from('{"key":"');
const KEY_NAME = Buffer.from('"key"');
/** The start of a \u escape of a Latin-1 character: how a name could spell "key" (k, e, y: 6b, 65, 79) without those bytes. */
const LATIN1_ESCAPE = Buffer.from('\\u00');

/**
 * The line's `key`, else undefined. On a valid JSON line it is the string key JSON.parse finds.
 * A line that begins and ends as this harness writes a record (quickKey) has its key read from
 * its bytes even when the rest is not JSON (a stray `}` or `,`, a raw control character after
 * the key, a nested object left open): such a line is caught on the full read, which is why
 * every reader of these keys reads each line in full too.
 */
export function keyOfLine(line: Buffer): string | undefined {
  const quick = quickKey(line);
  if (quick !== undefined) return quick;
  let value: unknown;
  try {
    value = JSON.parse(line.toString('utf8'));
  } catch {
    return undefined;
  }
  const key = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as { key?: unknown }).key : undefined;
  return typeof key === 'string' ? key : undefined;
}

/**
 * The key of a line that starts `{"key":"` with a key free of escapes and control characters
 * and ends with `}`, where no other name can be "key" (JSON.parse keeps the last of repeated names): no second
 * `"key"` in the line and no \u escape of k, e or y. Undefined otherwise, for JSON.parse to decide.
 * Nothing else of the line is checked: a line that is not JSON between those bounds has its key given.
 */
function quickKey(line: Buffer): string | undefined {
  if (line.length <= KEY_FIRST.length || line.compare(KEY_FIRST, 0, KEY_FIRST.length, 0, KEY_FIRST.length) !== 0) return undefined;
  // A line cut short before its last `}` (a damaged file) is left to JSON.parse, which tells it is
  // not JSON; one that is not JSON but still ends with `}` has its key read here, for the full read to catch.
  let last = line.length - 1;
  while (last > 0 && (line[last] === 0x20 || line[last] === 0x0d || line[last] === 0x09)) last--;
  if (line[last] !== 0x7d) return undefined;
  const close = line.indexOf(0x22, KEY_FIRST.length);
  if (close === -1) return undefined;
  for (let i = KEY_FIRST.length; i < close; i++) if (line[i] < 0x20 || line[i] === 0x5c) return undefined;
  if (line.indexOf(KEY_NAME, close) !== -1) return undefined;
  for (let e = line.indexOf(LATIN1_ESCAPE, close); e !== -1; e = line.indexOf(LATIN1_ESCAPE, e + 1)) {
    const hex = line.toString('latin1', e + 4, e + 6).toLowerCase();
    if (hex === '6b' || hex === '65' || hex === '79') return undefined;
  }
  return line.toString('utf8', KEY_FIRST.length, close);
}

/** Read at a time: large reads, fewer chunks (the default 64 KiB would make a 60 MB file a thousand). */
const READ_CHUNK = 1 << 20;

/** Whole lines from byte `offset` of a file, each ending in a newline; the last chunk may end with an unfinished line (`ended` false). */
interface LineChunk {
  data: Buffer;
  offset: number;
  ended: boolean;
}

/**
 * The lines of a file's chunks one after another, numbered across the chunks (a plain loop:
 * `for (lines.start(chunk); lines.next(); )`, the bytes of the line at data[from, end)).
 */
class ChunkLines {
  from = 0;
  end = 0;
  /** Whether the current line is the file's last and has no newline yet. */
  unfinished = false;
  private data: Buffer = Buffer.alloc(0);
  private ended = true;
  private following = 0;

  /** `line`: the number of the line before the first chunk's first. */
  constructor(public line: number) {}

  start(chunk: LineChunk): void {
    this.data = chunk.data;
    this.ended = chunk.ended;
    this.following = 0;
  }

  /** Moves to the chunk's next line; false when the chunk has no more. */
  next(): boolean {
    const { data } = this;
    if (this.following >= data.length) return false;
    const newline = data.indexOf(0x0a, this.following);
    this.from = this.following;
    this.end = newline === -1 ? data.length : newline;
    this.following = this.end + 1;
    this.line++;
    this.unfinished = newline === -1 && !this.ended;
    return true;
  }
}

/** The lines of a file from byte `start` on, a chunk read at a time: the whole lines of each read together (a CR before a newline stays: JSON reads it as blank). */
async function* lineChunks(path: string, start: number): AsyncGenerator<LineChunk> {
  let pending: Buffer[] = [];
  let offset = start;
  for await (const chunk of createReadStream(path, { start, highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
    let from = 0;
    if (pending.length > 0) {
      const first = chunk.indexOf(0x0a);
      if (first === -1) {
        pending.push(chunk);
        continue;
      }
      // Only the line begun in earlier reads is copied, on its own: a copy of the whole read per read
      // (almost every read ends mid-line) doubled the bytes allocated and raised the peak RSS.
      const line = Buffer.concat([...pending, chunk.subarray(0, first + 1)]);
      pending = [];
      yield { data: line, offset, ended: true };
      offset += line.length;
      from = first + 1;
    }
    const last = chunk.lastIndexOf(0x0a);
    if (last >= from) {
      const data = chunk.subarray(from, last + 1);
      yield { data, offset, ended: true };
      offset += data.length;
    }
    const rest = Math.max(last + 1, from);
    if (rest < chunk.length) pending.push(chunk.subarray(rest));
  }
  if (pending.length > 0) yield { data: Buffer.concat(pending), offset, ended: false };
}

/**
 * One line read again where `readJsonlLocated` found it; undefined when no whole JSON line is
 * there any more (the file was rewritten), an error when the line is JSON but not a record of
 * the schema. Synchronous: one small read from the page cache costs less than the three trips
 * to the thread pool an asynchronous open, read and close take.
 */
export function readJsonlAt<T extends z.ZodType>(path: string, schema: T, at: JsonlLocation): z.infer<T> | undefined {
  const text = lineAt(path, at);
  let value: unknown;
  try {
    if (text === undefined) return undefined;
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new UserError(`${path}: the line at byte ${at.offset} is not a record of this file (${issuesOf(parsed.error)}); repair or remove it.`);
}

/** Whether the line at `at` is a record of the schema, as the readers above would take it. */
export function isRecordAt(path: string, schema: z.ZodType, at: JsonlLocation): boolean {
  const text = lineAt(path, at);
  return text !== undefined && 'record' in parseLine(text, schema);
}

/** The text of the line at `at`; undefined when the file no longer holds that many bytes there. */
function lineAt(path: string, at: JsonlLocation): string | undefined {
  const buffer = Buffer.alloc(at.bytes);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    if (readSync(fd, buffer, 0, at.bytes, at.offset) < at.bytes) return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return buffer.toString('utf8');
}

/** Reads a whole JSONL file into memory: for files known to be small. */
export async function readJsonlAll<T extends z.ZodType>(path: string, schema: T, onProblem?: (p: JsonlProblem) => void): Promise<z.infer<T>[]> {
  const out: z.infer<T>[] = [];
  for await (const record of readJsonl(path, schema, onProblem)) out.push(record);
  return out;
}
