/** A loaded question bank: the files of one bank merged, validated and hashed. */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../io/hash.js';
import type { BankFile, DepthScale, Item, Language, LengthAdjustment, ReviewPolicy, ScoringProfile, TaxonomyFile } from '../schema/bank.js';

export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

export interface Bank {
  id: string;
  version: string;
  language: Language;
  profile: ScoringProfile;
  depthScale: DepthScale;
  /** Default system message for every item. */
  system?: string;
  title?: string;
  /** HealthBench Professional's length-adjusted score setting (not hashed). */
  lengthAdjustment?: LengthAdjustment;
  /** Peer review policy, when the bank header sets one. */
  review?: ReviewPolicy;
  taxonomy?: TaxonomyFile;
  /** Where the taxonomy was read from. */
  taxonomyFile?: string;
  items: Item[];
  /** Where each item starts, by item id (for messages that point back into the YAML). */
  positions: Map<string, SourcePosition>;
  files: string[];
  /** Content hash of the parsed bank: runs record it to detect a changed bank. */
  hash: string;
}

/** How a run refers to the bank it answered (recorded in its manifest). */
export function bankRef(bank: Bank): { id: string; version: string; hash: string; paths: string[]; profile: ScoringProfile } {
  return { id: bank.id, version: bank.version, hash: bank.hash, paths: bank.files, profile: bank.profile };
}

/** A bank made in memory from one parsed bank file (synthetic data, tests), without source positions. */
export function bankFromFile(file: BankFile, origin: { files: string[]; hash: string; taxonomy?: TaxonomyFile }): Bank {
  return {
    id: file.bank,
    version: file.version,
    language: file.language,
    profile: file.profile,
    depthScale: file.depth_scale,
    ...(file.system ? { system: file.system } : {}),
    items: file.items,
    positions: new Map(),
    ...origin,
  };
}

/** The header fields that, with the items, make a bank's hash. */
export type HashedHeader = Pick<Bank, 'id' | 'version' | 'language' | 'profile' | 'depthScale' | 'system'>;

const ITEMS_SLOT = '"items":[]';

/**
 * The canonical JSON a bank hash is taken over, less its items: the text before the first
 * item and after the last, so that items can be hashed one at a time, never as one string.
 */
function bankHashFrame(header: HashedHeader): { before: string; after: string } {
  const shell = canonicalJson({ bank: header.id, version: header.version, language: header.language, profile: header.profile, depth_scale: header.depthScale, system: header.system ?? null, items: [] });
  // A quote inside a JSON string is escaped, so the slot is found only as the items key.
  const at = shell.indexOf(ITEMS_SLOT) + ITEMS_SLOT.length - 1;
  return { before: shell.slice(0, at), after: shell.slice(at) };
}

/**
 * What the items mean, not how the files are laid out: comments, formatting, file names and
 * item order do not change the hash; any change to a prompt, rubric or header does. An
 * item's review status is not part of its meaning: admitting an item keeps the hash.
 */
export function bankHash(bank: HashedHeader & Pick<Bank, 'items'>): string {
  return hashBankItems(bank, bank.items, ({ status: _status, ...meaning }) => canonicalJson(meaning));
}

/**
 * The hash over the canonical JSON of a bank with these header fields and items, fed one item
 * at a time in id order: `json` gives an item's canonical JSON, as text or bytes.
 */
export function hashBankItems<T extends { id: string }>(header: HashedHeader, items: readonly T[], json: (item: T) => string | Uint8Array): string {
  const { before, after } = bankHashFrame(header);
  const hash = createHash('sha256').update(before);
  const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0) hash.update(',');
    hash.update(json(sorted[i]));
  }
  return hash.update(after).digest('hex');
}
