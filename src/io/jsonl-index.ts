/**
 * The latest record of each key of an append-only JSONL file, kept as a byte offset into the
 * file (plus a few small fields the caller picks) instead of the record: the file stays the
 * only copy, memory holds some tens of bytes a key, and a record is read again when asked for.
 * A refresh reads only the lines appended since the last one; a file rewritten under it
 * (shorter, replaced, or a line no longer where it was) is read again whole.
 */
import { statSync } from 'node:fs';
import type { z } from 'zod';
import { readJsonlAt, readJsonlLocated, type JsonlCursor, type JsonlLocation } from './jsonl.js';

export interface Indexed<M> extends JsonlLocation {
  meta: M;
}

export class JsonlIndex<S extends z.ZodType<{ key: string }>, M, I extends z.ZodType<{ key: string }> = S> {
  private entries = new Map<string, Indexed<M>>();
  private cursor: JsonlCursor = { offset: 0, line: 0 };
  private inode = -1;
  private queue: Promise<void> = Promise.resolve();

  /**
   * `keep` gives what to hold of a key's latest record, or undefined to leave the key out (an
   * error, an empty answer). `indexed` is what each line is checked against while indexing,
   * when less than the whole record is needed (the whole record is checked when read).
   */
  constructor(
    readonly path: string,
    private readonly schema: S,
    private readonly keep: (record: z.infer<I>) => M | undefined,
    private readonly indexed: I = schema as unknown as I,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Each key with what was kept of it. */
  *metas(): IterableIterator<[string, M]> {
    for (const [key, entry] of this.entries) yield [key, entry.meta];
  }

  meta(key: string): M | undefined {
    return this.entries.get(key)?.meta;
  }

  /** Reads what was appended since the last refresh (one refresh at a time; a failed one changes nothing). */
  refresh(): Promise<void> {
    const run = this.queue.then(() => this.readNew());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The key's latest record, read from the file. */
  async read(key: string): Promise<z.infer<S> | undefined> {
    const at = this.entries.get(key);
    if (!at) return undefined;
    const record = readJsonlAt(this.path, this.schema, at);
    if (record?.key === key) return record;
    // The line moved: the file was rewritten, not appended to.
    this.inode = -1;
    await this.refresh();
    const again = this.entries.get(key);
    const retried = again && readJsonlAt(this.path, this.schema, again);
    return retried?.key === key ? retried : undefined;
  }

  private async readNew(): Promise<void> {
    const now = statSync(this.path, { throwIfNoEntry: false });
    const rewritten = !now || now.ino !== this.inode || now.size < this.cursor.offset;
    if (!rewritten && now.size === this.cursor.offset) return;
    const entries = rewritten ? new Map<string, Indexed<M>>() : new Map(this.entries);
    const cursor = rewritten ? { offset: 0, line: 0 } : { ...this.cursor };
    if (now) {
      for await (const { record, offset, bytes } of readJsonlLocated(this.path, this.indexed, cursor)) {
        const meta = this.keep(record);
        if (meta === undefined) entries.delete(record.key);
        else entries.set(record.key, { offset, bytes, meta });
      }
    }
    this.entries = entries;
    this.cursor = cursor;
    this.inode = now?.ino ?? -1;
  }
}
