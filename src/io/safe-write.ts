/**
 * Safe writing: whole files go through a temporary file and a rename (a reader never sees half
 * a file, a failed write leaves no temporary file behind), every text passes the redaction
 * step, and an I/O failure (disk full, read-only, permissions) becomes one line naming the file
 * and the cause with exit code 2: the work done so far is kept and the command can resume.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import { redact } from './redact.js';

const CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  ENOENT: 'the folder does not exist',
  EMFILE: 'too many open files',
  EFBIG: 'the file is too large',
};

/** A write that failed for a reason outside the program: exit 2, the command can be run again. */
export class WriteError extends UserError {
  constructor(
    readonly path: string,
    readonly code: string,
  ) {
    super(`cannot write ${path}: ${CAUSES[code] ?? 'write failed'} (${code}); nothing half-written was kept. Free space or fix the cause, then run the same command again to continue.`, 2);
    this.name = 'WriteError';
  }
}

/** Turns a Node file-system error into a WriteError for `path`; other errors pass unchanged. */
export function asWriteError(path: string, err: unknown): unknown {
  if (err instanceof WriteError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? new WriteError(path, code) : err;
}

/** A temporary name next to `path`, unique per process and call. */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

export interface WriteFileOptions {
  /**
   * When the disk is full, overwrite the file in place if the new text fits in the space the
   * old file already holds (a manifest marked "incomplete" after a disk-full stop).
   */
  inPlaceWhenFull?: boolean;
}

/** Writes a text file atomically, redacted. */
export function writeTextAtomic(path: string, text: string, options: WriteFileOptions = {}): void {
  const data = Buffer.from(redact(text), 'utf8');
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (options.inPlaceWhenFull && (code === 'ENOSPC' || code === 'EDQUOT') && fitsInPlace(path, data.length)) {
      try {
        writeFileSync(path, data);
        return;
      } catch (inPlace) {
        throw asWriteError(path, inPlace);
      }
    }
    throw asWriteError(path, err);
  }
}

function fitsInPlace(path: string, bytes: number): boolean {
  try {
    return bytes <= statSync(path).blocks * 512;
  } catch {
    return false;
  }
}

/** Writes JSON atomically (pretty-printed), redacted. */
export function writeJsonAtomic(path: string, value: unknown, options: WriteFileOptions = {}): void {
  writeTextAtomic(path, JSON.stringify(value, null, 2) + '\n', options);
}

/**
 * An append-only file written one whole line per call. A failed append is cut back to where it
 * started, so no half line is left for a reader to meet; the caller gets a WriteError.
 */
export class LineAppender {
  private fd: number | null;
  private size: number;
  /**
   * Lines are encoded into one buffer kept for the appender's life: a new buffer per write
   * costs more than the write itself (fresh memory faulted in by the kernel, then collected).
   */
  private buffer = Buffer.allocUnsafe(0);

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'a+');
      this.size = wholeLinesEnd(this.fd, fstatSync(this.fd).size);
      // A writer killed mid-line left a partial record: it was never recorded, so it goes.
      ftruncateSync(this.fd, this.size);
    } catch (err) {
      throw asWriteError(path, err);
    }
  }

  /** Appends one line (the newline is added), redacted. */
  appendLine(line: string): void {
    this.appendLines([line]);
  }

  /** Appends whole lines in one write (each redacted, newlines added): all are kept or, on failure, none. */
  appendLines(lines: readonly string[]): void {
    if (this.fd === null) throw new Error(`appender for ${this.path} is closed`);
    if (lines.length === 0) return;
    let length = 0;
    for (const line of lines) {
      const text = redact(line);
      // UTF-8 takes at most 3 bytes per UTF-16 code unit.
      this.reserve(length, text.length * 3 + 1);
      length += this.buffer.write(text, length, 'utf8');
      this.buffer[length++] = 0x0a;
    }
    let written = 0;
    try {
      while (written < length) written += writeSync(this.fd, this.buffer, written, length - written);
    } catch (err) {
      this.cutBack();
      throw asWriteError(this.path, err);
    }
    this.size += length;
  }

  /** Room for `more` bytes after the first `used` bytes of the buffer, which are kept. */
  private reserve(used: number, more: number): void {
    if (used + more <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(used + more, this.buffer.length * 2, 16 * 1024));
    this.buffer.copy(grown, 0, 0, used);
    this.buffer = grown;
  }

  private cutBack(): void {
    try {
      // Frees what the partial write took, so the line can be written whole later.
      ftruncateSync(this.fd!, this.size);
    } catch {
      // left as it was: readers treat an unterminated last line as a write in progress
    }
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      fsyncSync(fd);
    } catch (err) {
      throw asWriteError(this.path, err);
    } finally {
      closeSync(fd);
    }
  }
}

/** Offset just after the last newline of a file (0 when it has none). Reads only the tail. */
function wholeLinesEnd(fd: number, size: number): number {
  const chunk = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    const at = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (at >= 0) return start + at + 1;
    end = start;
  }
  return 0;
}
