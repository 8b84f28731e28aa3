/**
 * Writes a large file from a sequence of text chunks through a write stream, waiting for the
 * stream to drain (backpressure), so a 150 MB table is never held in memory as one string.
 * Written to a temporary file and renamed, so a reader never sees half a file; every chunk
 * passes the redaction step, and a failed write removes the temporary file and names the file.
 */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { redact } from '../io/redact.js';
import { asWriteError, tempPathFor } from '../io/safe-write.js';

/** Chunks are encoded straight into a buffer of this many bytes, written when full: fewer, larger writes. */
const BATCH_BYTES = 4 << 20;
/** The most UTF-8 bytes one UTF-16 code unit can take. */
const MAX_BYTES_PER_UNIT = 3;
/**
 * Short chunks (a table row) are joined up to this many characters before they are encoded:
 * encoding has a cost per call, and 600,000 rows of 30 characters took 38-214 ms encoded one by
 * one against 14-22 ms joined in 16 K pieces (a megabyte joined would cost more than it saves).
 */
const JOINED_CHARS = 16_384;

/** A text already encoded as UTF-8 (for another use too): written as those bytes unless redaction changes the text. */
export interface EncodedText {
  text: string;
  bytes: Buffer;
}

export type FileChunk = string | EncodedText;

export async function writeChunksAtomic(path: string, chunks: Iterable<FileChunk> | AsyncIterable<FileChunk>): Promise<void> {
  const tmp = tempPathFor(path);
  // Room for two batches: the next one is encoded while the last is written, rather than after.
  const stream = createWriteStream(tmp, { highWaterMark: 2 * BATCH_BYTES });
  const failed = once(stream, 'error').then(([error]) => Promise.reject(error as Error));
  failed.catch(() => undefined);
  try {
    let buffer = Buffer.allocUnsafe(BATCH_BYTES);
    let used = 0;
    const send = async (data: Buffer | string) => {
      if (!stream.write(data)) await Promise.race([once(stream, 'drain'), failed]);
    };
    const flush = async () => {
      if (used === 0) return;
      const full = buffer.subarray(0, used);
      // The stream keeps the buffer until it is written: the next batch gets a new one.
      buffer = Buffer.allocUnsafe(BATCH_BYTES);
      used = 0;
      await send(full);
    };
    const fits = (text: string) => text.length * MAX_BYTES_PER_UNIT <= BATCH_BYTES - used;
    const spill = async (text: string) => {
      await flush();
      if (fits(text)) used += buffer.write(text, used);
      else await send(text);
    };
    const spillBytes = async (bytes: Buffer) => {
      await flush();
      await send(bytes);
    };
    const encode = (text: string): Promise<void> | undefined => {
      if (!fits(text)) return spill(text);
      used += buffer.write(text, used);
      return undefined;
    };
    const addBytes = (bytes: Buffer): Promise<void> | undefined => {
      if (bytes.length > BATCH_BYTES - used) return spillBytes(bytes);
      used += bytes.copy(buffer, used);
      return undefined;
    };
    let joined = '';
    const encodeJoined = (): Promise<void> | undefined => {
      const text = joined;
      joined = '';
      return text === '' ? undefined : encode(text);
    };
    /** The text joined so far goes first, then `next`, in order; a promise only when the buffer had to be written first. */
    const after = (next: () => Promise<void> | undefined): Promise<void> | undefined => {
      const before = encodeJoined();
      return before ? before.then(next) : next();
    };
    /** Every chunk passes the redaction step on its own, as it would unjoined. */
    const add = (chunk: FileChunk): Promise<void> | undefined => {
      const text = redact(typeof chunk === 'string' ? chunk : chunk.text);
      if (typeof chunk !== 'string' && text === chunk.text) return after(() => addBytes(chunk.bytes));
      if (text.length >= JOINED_CHARS) return after(() => encode(text));
      joined += text;
      return joined.length < JOINED_CHARS ? undefined : encodeJoined();
    };
    // A synchronous sequence is read without an await per chunk (a table has one chunk per row).
    if (Symbol.asyncIterator in chunks) {
      for await (const chunk of chunks) await add(chunk);
    } else {
      for (const chunk of chunks) {
        const pending = add(chunk);
        if (pending) await pending;
      }
    }
    await encodeJoined();
    await flush();
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
