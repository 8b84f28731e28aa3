/**
 * JSON Lines files for run records: line-atomic appends and a streaming reader.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
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

  close(): void {
    this.lines.close();
  }
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
