/**
 * JSON Lines files for run records. Appends are line-atomic (one write per line, opened
 * with O_APPEND), and a reader tolerates a half-written last line left by a killed process.
 */
import { createReadStream, existsSync, openSync, writeSync, closeSync, fsyncSync, fstatSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { z } from 'zod';

/** Appends records to a JSONL file, one write(2) per line so a crash never interleaves lines. */
export class JsonlAppender {
  private fd: number | null;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
    repairTruncatedTail(path, this.fd);
  }

  append(record: unknown): void {
    if (this.fd === null) throw new Error(`appender for ${this.path} is closed`);
    writeSync(this.fd, JSON.stringify(record) + '\n');
  }

  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }
}

/** A killed writer may leave a last line without its newline; end it so the next append starts clean. */
function repairTruncatedTail(path: string, fd: number): void {
  // Only the last byte is read: run files grow to hundreds of megabytes.
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const last = Buffer.alloc(1);
  const reader = openSync(path, 'r');
  try {
    readSync(reader, last, 0, 1, size - 1);
  } finally {
    closeSync(reader);
  }
  if (last[0] !== 0x0a) writeSync(fd, '\n');
}

export interface JsonlProblem {
  line: number;
  message: string;
}

/**
 * Streams the records of a JSONL file. Lines that are not valid JSON or do not fit the schema
 * (such as a truncated last line) are reported through `onProblem` and skipped.
 */
export async function* readJsonl<T extends z.ZodType>(
  path: string,
  schema: T,
  onProblem: (problem: JsonlProblem) => void = () => {},
): AsyncGenerator<z.infer<T>> {
  if (!existsSync(path)) return;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      onProblem({ line: lineNo, message: 'not valid JSON (a write was probably interrupted); skipped' });
      continue;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      onProblem({ line: lineNo, message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      continue;
    }
    yield parsed.data;
  }
}

/** Reads a whole JSONL file into memory: for files known to be small. */
export async function readJsonlAll<T extends z.ZodType>(path: string, schema: T, onProblem?: (p: JsonlProblem) => void): Promise<z.infer<T>[]> {
  const out: z.infer<T>[] = [];
  for await (const record of readJsonl(path, schema, onProblem)) out.push(record);
  return out;
}
