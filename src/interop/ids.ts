/** Ids derived from source data, so that re-importing the same file gives the same ids. */
import { basename, extname } from 'node:path';
import { sha256 } from '../io/hash.js';

/** A bank id from a file name: "GAPS-NSCLC-preview.sample.xlsx" -> "gaps-nsclc-preview.sample". */
export function bankIdFromFile(file: string): string {
  const slug = basename(file, extname(file))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '');
  return slug || 'imported';
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
