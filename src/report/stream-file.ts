/**
 * Writes a large file from a sequence of text chunks through a write stream, waiting for the
 * stream to drain (backpressure), so a 150 MB table is never held in memory as one string.
 * Written to a temporary file and renamed, so a reader never sees half a file; every batch
 * passes the redaction step, and a failed write removes the temporary file and names the file.
 */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { redact } from '../io/redact.js';
import { asWriteError, tempPathFor } from '../io/safe-write.js';

/** Chunks are gathered up to this many characters before each write: fewer, larger writes. */
const BATCH_CHARS = 1 << 20;

export async function writeChunksAtomic(path: string, chunks: Iterable<string> | AsyncIterable<string>): Promise<void> {
  const tmp = tempPathFor(path);
  const stream = createWriteStream(tmp, { encoding: 'utf8', highWaterMark: 4 << 20 });
  const failed = once(stream, 'error').then(([error]) => Promise.reject(error as Error));
  failed.catch(() => undefined);
  try {
    let batch: string[] = [];
    let size = 0;
    const flush = async () => {
      if (!stream.write(redact(batch.join('')))) await Promise.race([once(stream, 'drain'), failed]);
      batch = [];
      size = 0;
    };
    const take = (chunk: string) => {
      batch.push(chunk);
      size += chunk.length;
      return size >= BATCH_CHARS;
    };
    // A synchronous sequence is read without an await per chunk (a table has one chunk per row).
    if (Symbol.asyncIterator in chunks) {
      for await (const chunk of chunks) if (take(chunk)) await flush();
    } else {
      for (const chunk of chunks) if (take(chunk)) await flush();
    }
    if (size > 0) await flush();
    stream.end();
    await Promise.race([once(stream, 'finish'), failed]);
  } catch (error) {
    stream.destroy();
    rmSync(tmp, { force: true });
    throw asWriteError(path, error);
  }
  try {
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw asWriteError(path, error);
  }
}
