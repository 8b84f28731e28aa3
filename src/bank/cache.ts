/**
 * A validated bank cached by content: parsing and checking YAML is most of what a command
 * spends on a large bank, so a bank that loaded without errors is kept as JSON under a key
 * made of every file it was read from (path and bytes) and the loader's own code. Any change
 * to a bank file, its taxonomy or the loader gives another key; a stale entry is never used.
 * Lint never reads the cache: it needs every position and every warning.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HARNESS_VERSION } from '../version.js';
import { loaderSourceHash } from './fingerprint.js';
import type { Bank, SourcePosition } from './bank.js';

/** Bumped when the entry layout changes. */
const FORMAT = 1;

/**
 * The folder's bound: every edit of a bank makes a new entry (a 10,000-item bank's is 3.5 MB),
 * so past this size the entries used longest ago are removed when one is written.
 */
export const BANK_CACHE_MAX_BYTES = 256 * 1024 * 1024;

/** Where cached banks live: $CAPS_CACHE_DIR, else the user's cache folder; CAPS_CACHE_DIR=off turns the cache off. */
export function bankCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const chosen = env.CAPS_CACHE_DIR;
  if (chosen === 'off' || chosen === '0') return null;
  const root = chosen || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'caps-eval');
  return join(root, 'banks');
}

interface Dependency {
  file: string;
  sha256: string;
}

interface Entry {
  format: number;
  /** Files read beyond the named ones (the taxonomy), checked on every hit. */
  dependencies: Dependency[];
  bank: Omit<Bank, 'positions'> & { positions: [string, SourcePosition][] };
}

function fileHash(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Set by the CLI bundle's build to the hash of every source it was built from (see scripts/build-cli.ts). */
declare const CAPS_LOADER_HASH: string | undefined;

let codeFingerprint: string | undefined;
/** The loader's and the bank schema's code: a new rule or default must not meet an old entry. */
function loaderFingerprint(): string {
  if (codeFingerprint) return codeFingerprint;
  const code = typeof CAPS_LOADER_HASH === 'string' ? CAPS_LOADER_HASH : loaderSourceHash(join(dirname(fileURLToPath(import.meta.url)), '..'));
  return (codeFingerprint = createHash('sha256').update(`${FORMAT}\0${HARNESS_VERSION}\0${code}`).digest('hex'));
}

/** The cache key of a list of discovered bank files (absolute, sorted). */
export function bankCacheKey(files: readonly string[]): string {
  const hash = createHash('sha256').update(loaderFingerprint());
  for (const file of files) hash.update('\0').update(file).update('\0').update(fileHash(file));
  return hash.digest('hex');
}

/** The cached bank for this key, or null when absent, unreadable or its taxonomy changed. */
export function readCachedBank(dir: string, key: string): Bank | null {
  let entry: Entry;
  try {
    entry = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as Entry;
  } catch {
    return null;
  }
  if (entry.format !== FORMAT) return null;
  for (const dep of entry.dependencies) {
    try {
      if (fileHash(dep.file) !== dep.sha256) return null;
    } catch {
      return null;
    }
  }
  markUsed(join(dir, `${key}.json`));
  return { ...entry.bank, positions: new Map(entry.bank.positions) };
}

/** An entry's modification time is when it was last used: the order in which entries are removed. */
function markUsed(path: string): void {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // A read-only cache still serves its entries; they are then removed by age of writing.
  }
}

export interface CacheEntryFile {
  name: string;
  bytes: number;
  usedMs: number;
}

/** The entries to remove so that the rest fit in `maxBytes`: the ones used longest ago, never `keep`. */
export function entriesToRemove(entries: readonly CacheEntryFile[], maxBytes: number, keep: string): string[] {
  let total = entries.reduce((sum, e) => sum + e.bytes, 0);
  const removed: string[] = [];
  for (const entry of [...entries].sort((a, b) => a.usedMs - b.usedMs || (a.name < b.name ? -1 : 1))) {
    if (total <= maxBytes) break;
    if (entry.name === keep) continue;
    removed.push(entry.name);
    total -= entry.bytes;
  }
  return removed;
}

/** Removes the entries used longest ago while the folder holds more than `maxBytes`. */
function pruneBankCache(dir: string, keep: string, maxBytes: number): void {
  const entries: CacheEntryFile[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    try {
      const stat = statSync(join(dir, name));
      entries.push({ name, bytes: stat.size, usedMs: stat.mtimeMs });
    } catch {
      // Removed by another command meanwhile.
    }
  }
  // Another command reading an entry removed here finds no entry and loads the bank's files.
  for (const name of entriesToRemove(entries, maxBytes, keep)) rmSync(join(dir, name), { force: true });
}

/** Stores a valid bank; a cache that cannot be written (read-only home, full disk) is skipped silently. */
export function writeCachedBank(dir: string, key: string, bank: Bank, namedFiles: readonly string[], maxBytes = BANK_CACHE_MAX_BYTES): void {
  const named = new Set(namedFiles);
  const extra = bank.taxonomyFile && !named.has(bank.taxonomyFile) ? [bank.taxonomyFile] : [];
  const tmp = join(dir, `${key}.${process.pid}.tmp`);
  try {
    const entry: Entry = {
      format: FORMAT,
      dependencies: extra.map((file) => ({ file, sha256: fileHash(file) })),
      bank: { ...bank, positions: [...bank.positions] },
    };
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, JSON.stringify(entry));
    // Rename is atomic: concurrent commands (shards) never read half an entry.
    renameSync(tmp, join(dir, `${key}.json`));
    pruneBankCache(dir, `${key}.json`, maxBytes);
  } catch {
    removeQuietly(tmp);
  }
}

/** A temporary entry left by a failed write; there is none when the folder could not be made (a path through a file). */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing was written there.
  }
}
