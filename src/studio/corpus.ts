/**
 * What the studio grades, read from files: the bank (YAML) and the answers of the run
 * folders given on the command line. Nothing here is copied into the database but keys.
 * The bank is watched: a bank edited on disk under a running studio is detected by its
 * content hash, so no label is stored against a rubric the grader did not see.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Bank } from '../bank/bank.js';
import { loadBankOrThrow } from '../bank/load.js';
import { resolveRubric, type ResolvedEntry } from '../scorer/rubric.js';
import type { Item } from '../schema/bank.js';
import type { ResponseRecord } from '../schema/run.js';
import { RunFolder } from '../io/run-folder.js';
import { UserError } from '../errors.js';

export class Corpus {
  private filesSignature: string;
  private changedHash: string | null = null;

  private constructor(
    readonly bank: Bank,
    readonly bankPaths: string[],
    /** Run folder (absolute) -> answer key -> the answer (latest successful response). */
    readonly runs: Map<string, Map<string, ResponseRecord>>,
  ) {
    this.filesSignature = signature(bank.files);
    this.items = new Map(bank.items.map((i) => [i.id, i]));
  }

  readonly items: Map<string, Item>;

  static async load(options: { bankPaths?: string[]; runDirs: string[] }): Promise<Corpus> {
    const runDirs = options.runDirs.map((d) => resolve(d));
    const manifests = runDirs.map((dir) => ({ dir, manifest: new RunFolder(dir).readManifest() }));
    const bankPaths = options.bankPaths ?? manifests[0]?.manifest.bank.paths;
    if (!bankPaths) throw new UserError('caps studio needs a bank: pass --bank DIR, or run folders whose manifest names their bank.');
    const bank = await loadBankOrThrow(bankPaths);
    const runs = new Map<string, Map<string, ResponseRecord>>();
    for (const { dir } of manifests) runs.set(dir, await readRun(dir, bank.id));
    return new Corpus(bank, bankPaths, runs);
  }

  /** Reads a run folder again (or for the first time), so answers written while the studio runs can be graded. */
  async reloadRun(dir: string): Promise<Map<string, ResponseRecord>> {
    const answers = await readRun(resolve(dir), this.bank.id);
    this.runs.set(resolve(dir), answers);
    return answers;
  }

  answer(run: string, key: string): ResponseRecord | undefined {
    return this.runs.get(run)?.get(key);
  }

  /** The rubric an answer is graded against (shared rubric plus its variant's entries). */
  rubric(record: Pick<ResponseRecord, 'item' | 'variant'>): ResolvedEntry[] {
    const item = this.items.get(record.item);
    if (!item) throw new UserError(`item "${record.item}" is no longer in bank "${this.bank.id}"; restart caps studio with the bank the run answered.`);
    return resolveRubric(item, record.variant);
  }

  /**
   * Null while the bank on disk is the one loaded; otherwise a message. Files are only
   * re-read when their size or time changed, so the check costs a few stat calls.
   */
  async bankChange(): Promise<string | null> {
    const now = signature(this.bank.files);
    if (now !== this.filesSignature) {
      this.filesSignature = now;
      let hash: string;
      try {
        hash = (await loadBankOrThrow(this.bankPaths)).hash;
      } catch {
        hash = 'invalid';
      }
      this.changedHash = hash === this.bank.hash ? null : hash;
    }
    return this.changedHash === null
      ? null
      : `the bank "${this.bank.id}" changed on disk since the studio started (hash ${this.bank.hash.slice(0, 12)} is now ${this.changedHash.slice(0, 12)}); nothing was saved. Restart caps studio to grade against the new rubric.`;
  }
}

/** The gradable answers of a run folder: the latest successful, non-empty response of each key. */
async function readRun(dir: string, bankId: string): Promise<Map<string, ResponseRecord>> {
  const folder = new RunFolder(dir);
  const bank = folder.readManifest().bank.id;
  if (bank !== bankId) throw new UserError(`${dir}: answers bank "${bank}", not "${bankId}"; start one studio per bank.`);
  const answers = new Map<string, ResponseRecord>();
  for (const [key, record] of await folder.latestResponses()) {
    if (record.text !== null && record.error === null && record.text.trim() !== '') answers.set(key, record);
  }
  return answers;
}

function signature(files: readonly string[]): string {
  return files
    .map((f) => {
      try {
        const s = statSync(f);
        return `${f}:${s.size}:${s.mtimeMs}`;
      } catch {
        return `${f}:missing`;
      }
    })
    .join('|');
}
