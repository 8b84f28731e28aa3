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

/** `readJsonlLocated`, the records of each chunk read in one batch: one await per chunk rather than per line, for large files. */
export async function* readJsonlBatches<T extends z.ZodType>(
  path: string,
  schema: T,
  cursor: JsonlCursor,
  onProblem?: (problem: JsonlProblem) => void,
): AsyncGenerator<({ record: z.infer<T> } & JsonlLocation)[]> {
  if (!existsSync(path)) return;
  const problems: JsonlProblem[] = [];
  let unfinished = false;
  let lineNo = cursor.line;
  for await (const chunk of lines(path, cursor.offset)) {
    const batch: ({ record: z.infer<T> } & JsonlLocation)[] = [];
    for (const line of chunk) {
      lineNo++;
      unfinished = !line.ended;
      if (line.ended) Object.assign(cursor, { offset: line.offset + line.bytes + 1, line: lineNo });
      if (line.text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line.text);
      } catch {
        problems.push({ line: lineNo, message: line.text.includes('\u0000') ? 'holds NUL bytes (overwritten or damaged)' : 'not valid JSON' });
        continue;
      }
      const parsed = schema.safeParse(value);
      if (!parsed.success) {
        problems.push({ line: lineNo, message: `not a record of this file: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ')}` });
        continue;
      }
      batch.push({ record: parsed.data, offset: line.offset, bytes: line.bytes });
    }
    if (batch.length > 0) yield batch;
  }
  if (problems.length === 0) return;
  const unfinishedLast = problems.at(-1)!.line === lineNo && unfinished ? problems.pop()! : null;
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

type Line = { text: string; ended: boolean } & JsonlLocation;

/** Read at a time: large reads, fewer chunks (the default 64 KiB would make a 60 MB file a thousand). */
const READ_CHUNK = 1 << 20;

/**
 * The lines of a file from byte `start` on, the whole lines of each chunk read together, split
 * at each newline byte (a CR before it stays: JSON reads it as blank), with their byte offsets.
 */
async function* lines(path: string, start: number): AsyncGenerator<Line[]> {
  let pending: Buffer[] = [];
  let offset = start;
  for await (const chunk of createReadStream(path, { start, highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
    const whole: Line[] = [];
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, from)) {
      const line = pending.length === 0 ? chunk.subarray(from, nl) : Buffer.concat([...pending, chunk.subarray(from, nl)]);
      pending = [];
      whole.push({ text: line.toString('utf8'), ended: true, offset, bytes: line.length });
      offset += line.length + 1;
      from = nl + 1;
    }
    if (from < chunk.length) pending.push(chunk.subarray(from));
    if (whole.length > 0) yield whole;
  }
  if (pending.length > 0) {
    const line = Buffer.concat(pending);
    yield [{ text: line.toString('utf8'), ended: false, offset, bytes: line.length }];
  }
}

/**
 * One line read again where `readJsonlLocated` found it; undefined when no whole JSON line is
 * there any more (the file was rewritten), an error when the line is JSON but not a record of
 * the schema. Synchronous: one small read from the page cache costs less than the three trips
 * to the thread pool an asynchronous open, read and close take.
 */
export function readJsonlAt<T extends z.ZodType>(path: string, schema: T, at: JsonlLocation): z.infer<T> | undefined {
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
  let value: unknown;
  try {
    value = JSON.parse(buffer.toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new UserError(`${path}: the line at byte ${at.offset} is not a record of this file (${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ')}); repair or remove it.`);
}

/** Reads a whole JSONL file into memory: for files known to be small. */
export async function readJsonlAll<T extends z.ZodType>(path: string, schema: T, onProblem?: (p: JsonlProblem) => void): Promise<z.infer<T>[]> {
  const out: z.infer<T>[] = [];
  for await (const record of readJsonl(path, schema, onProblem)) out.push(record);
  return out;
}
