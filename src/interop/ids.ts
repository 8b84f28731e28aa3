/** Ids derived from source data, so that re-importing the same file gives the same ids. */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { sha256 } from '../io/hash.js';

/**
 * A bank id that does not depend on the file's name, so renaming a sheet or exporting and
 * re-importing keeps every run of the bank: `--bank-id` if given; else the id of the bank
 * already at `out` (re-importing a revised sheet into the same bank file); else one derived
 * from the source's item ids (`<prefix>-<10 hex digits>`), which export keeps.
 */
export function importedBankId(prefix: string, itemIds: Iterable<string>, given?: string, out?: string): string {
  if (given) return given;
  const existing = out && existsSync(out) ? bankIdIn(out) : undefined;
  return existing ?? `${prefix}-${shortHash([...itemIds].sort().join('\n'))}`;
}

function bankIdIn(file: string): string | undefined {
  try {
    const id = (parse(readFileSync(file, 'utf8')) as { bank?: unknown } | null)?.bank;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined; // not a bank file: the import overwrites it
  }
}

/** A short content hash for sources without ids (the GAPS community file): 10 hex digits of the trimmed text. */
export function shortHash(text: string): string {
  return sha256(text.trim()).slice(0, 10);
}

/** Han characters: a text with many of them is Chinese. */
export function looksChinese(text: string): boolean {
  const han = text.match(/\p{Script=Han}/gu)?.length ?? 0;
  return han > 0 && han >= text.replace(/\s+/g, '').length * 0.2;
}
