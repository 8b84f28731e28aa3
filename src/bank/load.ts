/**
 * Loading a question bank. A bank that loaded before from the same bytes comes from the cache
 * (src/bank/cache.ts) and needs nothing else; reading and checking YAML (src/bank/check.ts,
 * with the parsers and every rule) is imported only when a bank has to be read.
 */
import { UserError } from '../errors.js';
import type { ReviewEvent } from '../review/history.js';
import type { Bank } from './bank.js';
import { bankCacheDir, bankCacheKey, readCachedBank, writeCachedBank } from './cache.js';
import { formatDiagnostic, type Diagnostic } from './diagnostic.js';
import { discoverBankFiles } from './discover.js';

export { bankHash } from './bank.js';

export interface LoadOptions {
  /** Also return the bank when there are errors, made of the items that validated (for lint summaries). */
  keepPartial?: boolean;
  /**
   * File contents to use instead of what is on disk (absolute path -> YAML text), e.g. an
   * edit not saved yet; a path not on disk joins the bank. Lint then checks the edit with
   * exactly the rules it applies to saved files.
   */
  overlay?: ReadonlyMap<string, string>;
  /** The review history to check drafted items against instead of the file beside the bank (a step not yet stored). */
  reviewEvents?: readonly ReviewEvent[];
  /** Leave warnings out: a command that only needs a valid bank does not spend time locating them. */
  errorsOnly?: boolean;
}

export interface LoadResult {
  /** The merged bank, or null when any error was found (unless keepPartial). */
  bank: Bank | null;
  diagnostics: Diagnostic[];
}

/** Reads, validates and checks a bank's files with every rule lint applies (never from the cache). */
export async function loadBank(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const { checkBank } = await import('./check.js');
  return checkBank(paths, options);
}

/**
 * For commands that need a valid bank: the errors, in lint's form, become one UserError.
 * A bank that loaded before from the same bytes comes from the cache.
 */
export async function loadBankOrThrow(paths: readonly string[], cacheDir: string | null = bankCacheDir()): Promise<Bank> {
  const discovered = cacheDir ? discoverBankFiles(paths) : null;
  const key = discovered && discovered.diagnostics.length === 0 ? bankCacheKey(discovered.files) : null;
  const cached = key ? readCachedBank(cacheDir!, key) : null;
  if (cached) return cached;
  const { bank, diagnostics: errors } = await loadBank(paths, { errorsOnly: true });
  if (bank) {
    if (key) writeCachedBank(cacheDir!, key, bank, discovered!.files);
    return bank;
  }
  const shown = errors.slice(0, 20).map((d) => `  ${formatDiagnostic(d)}`);
  const more = errors.length > shown.length ? [`  ... and ${errors.length - shown.length} more (run caps lint ${paths.join(' ')})`] : [];
  throw new UserError([`the question bank has ${errors.length} error${errors.length === 1 ? '' : 's'}:`, ...shown, ...more].join('\n'));
}
