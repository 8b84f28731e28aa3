/**
 * JSON Lines files for run records: line-atomic appends and a streaming reader.
 */
import { closeSync, createReadStream, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
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
 * them in its response cache on resume). A write that fails from the timer goes to `onError`.
 */
export class BufferedJsonlAppender {
  private readonly lines: LineAppender;
  private waiting: string[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly path: string,
    private readonly options: { maxLines: number; maxDelayMs: number; onError: (err: unknown) => void },
  ) {
    this.lines = new LineAppender(path);
  }

  append(record: unknown): void {
    this.waiting.push(JSON.stringify(record));
    if (this.waiting.length >= this.options.maxLines) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        try {
          this.flush();
        } catch (err) {
          this.options.onError(err);
        }
      }, this.options.maxDelayMs);
      this.timer.unref();
    }
  }

  /** Writes the waiting lines in one write: all of them are kept, or on failure none. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.waiting.length === 0) return;
    const lines = this.waiting;
    this.waiting = [];
    this.lines.appendLines(lines);
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

/**
 * Streams the records of a JSONL file. Lines that are not valid JSON or do not fit the schema
 * are printed (and passed to `onProblem`), and fail the read unless skipping is accepted.
 */
export async function* readJsonl<T extends z.ZodType>(path: string, schema: T, onProblem?: (problem: JsonlProblem) => void): AsyncGenerator<z.infer<T>> {
  if (!existsSync(path)) return;
  const problems: JsonlProblem[] = [];
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push({ line: lineNo, message: line.includes('\u0000') ? 'holds NUL bytes (overwritten or damaged)' : 'not valid JSON' });
      continue;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      problems.push({ line: lineNo, message: `not a record of this file: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ')}` });
      continue;
    }
    yield parsed.data;
  }
  if (problems.length === 0) return;
  const unfinishedLast = problems.at(-1)!.line === lineNo && !endsWithNewline(path) ? problems.pop()! : null;
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

function endsWithNewline(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    return size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

/** Reads a whole JSONL file into memory: for files known to be small. */
export async function readJsonlAll<T extends z.ZodType>(path: string, schema: T, onProblem?: (p: JsonlProblem) => void): Promise<z.infer<T>[]> {
  const out: z.infer<T>[] = [];
  for await (const record of readJsonl(path, schema, onProblem)) out.push(record);
  return out;
}
