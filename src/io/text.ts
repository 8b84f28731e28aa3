/**
 * Text input is UTF-8: a file with bytes that are not (a sheet saved as GBK or Latin-1, a
 * damaged download) is refused with the file, line and column of the first bad byte, never
 * imported with replacement characters in place of a patient's or a doctor's words.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';

const strict = new TextDecoder('utf-8', { fatal: true });

/** Reads a whole text file as UTF-8 (a leading BOM is dropped), or throws a one-line UserError. */
export function readUtf8File(path: string | number, name = String(path)): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new UserError(`${name}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  return decodeUtf8(bytes, name);
}

export function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    return strict.decode(bytes);
  } catch {
    throw new UserError(`${name}:${invalidUtf8Position(bytes)}: not UTF-8 text (perhaps saved as GBK/GB18030 or Latin-1); save it again with UTF-8 encoding.`);
  }
}

/** line:col of the first invalid UTF-8 sequence. */
function invalidUtf8Position(bytes: Uint8Array): string {
  // The longest valid prefix, found by halving: decoding is linear, so this stays O(n log n).
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (validPrefix(bytes.subarray(0, mid))) lo = mid;
    else hi = mid - 1;
  }
  const before = new TextDecoder('utf-8').decode(bytes.subarray(0, lo));
  const lines = before.split('\n');
  return `${lines.length}:${lines.at(-1)!.length + 1}`;
}

function validPrefix(bytes: Uint8Array): boolean {
  try {
    // A prefix that ends inside a character is fine: stream mode waits for the rest.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** A line decoded leniently from a stream holds U+FFFD where its bytes were not UTF-8. */
export function checkUtf8Line(line: string, where: string): void {
  const at = line.indexOf('\uFFFD');
  if (at >= 0) throw new UserError(`${where}:${at + 1}: not UTF-8 text (or holds U+FFFD replacement characters); save the file again with UTF-8 encoding.`);
}
