/**
 * What the studio grades, read from files: the bank (YAML) and the answers of the run
 * folders given on the command line. Nothing here is copied into the database but keys.
 * Of each answer only who gave it and what it answers stay in memory, with where its line
 * sits in responses.jsonl: its text and question are read from the file when a page shows
 * them, as are the run's scores (so 10,000 answers cost about a megabyte, not a copy of the run).
 * The bank is watched: a bank edited on disk under a running studio is detected by its
 * content hash, so no label is stored against a rubric the grader did not see.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Bank } from '../bank/bank.js';
import { loadBankOrThrow } from '../bank/load.js';
import { resolveRubric, type ResolvedEntry } from '../scorer/rubric.js';
import type { Item } from '../schema/bank.js';
import { z } from 'zod';
import { ResponseRecord } from '../schema/run.js';
import { AnswerScore } from '../schema/score.js';
import { RunFolder } from '../io/run-folder.js';
import { JsonlIndex } from '../io/jsonl-index.js';
import { UserError } from '../errors.js';

/** What the studio holds of an answer without reading its line. */
export type AnswerMeta = Pick<ResponseRecord, 'respondent' | 'respondent_kind' | 'item' | 'variant' | 'turn' | 'sample'>;

type Answers = JsonlIndex<typeof ResponseRecord, AnswerMeta>;

/** Indexing scores needs only each line's key: a score line (some 5 KB) is checked whole when an answer reveals it. */
const ScoreKey = z.object({ key: z.string() });

export class Corpus {
  private filesSignature: string;
  private changedHash: string | null = null;

  private constructor(
    readonly bank: Bank,
    readonly bankPaths: string[],
    /** Run folder (absolute) -> its gradable answers (the latest response of each key, when it succeeded). */
    readonly runs: Map<string, Answers>,
  ) {
    this.filesSignature = signature(bank.files);
    this.items = new Map(bank.items.map((i) => [i.id, i]));
  }

  readonly items: Map<string, Item>;
  private readonly scoreFiles = new Map<string, JsonlIndex<typeof AnswerScore, true, typeof ScoreKey>>();

  static async load(options: { bankPaths?: string[]; runDirs: string[] }): Promise<Corpus> {
    const runDirs = options.runDirs.map((d) => resolve(d));
    const manifests = runDirs.map((dir) => ({ dir, manifest: new RunFolder(dir).readManifest() }));
    const bankPaths = options.bankPaths ?? manifests[0]?.manifest.bank.paths;
    if (!bankPaths) throw new UserError('caps studio needs a bank: pass --bank DIR, or run folders whose manifest names their bank.');
    const bank = await loadBankOrThrow(bankPaths);
    const runs = new Map<string, Answers>();
    const shared = new Map<string, string>();
    for (const { dir } of manifests) runs.set(dir, await indexRun(dir, bank.id, shared));
    return new Corpus(bank, bankPaths, runs);
  }

  /** Reads what a run folder gained (or the whole folder, the first time), so answers written while the studio runs can be graded. */
  async reloadRun(dir: string): Promise<Iterable<{ key: string } & AnswerMeta>> {
    const run = this.runs.get(resolve(dir));
    if (run) await run.refresh();
    else this.runs.set(resolve(dir), await indexRun(resolve(dir), this.bank.id, new Map()));
    return this.answersOf(resolve(dir));
  }

  /** A run's gradable answers: key, who gave it and what it answers. */
  *answersOf(run: string): IterableIterator<{ key: string } & AnswerMeta> {
    for (const [key, meta] of this.runs.get(run)?.metas() ?? []) yield { key, ...meta };
  }

  /** Who gave an answer and what it answers, without reading the file. */
  meta(run: string, key: string): AnswerMeta | undefined {
    return this.runs.get(run)?.meta(key);
  }

  /** The whole answer (text, question), read from its run folder. */
  async answer(run: string, key: string): Promise<ResponseRecord | undefined> {
    return this.runs.get(run)?.read(key);
  }

  /** The answer's latest score (the judge's and matchers' verdicts), read from the run's scores.jsonl as it is now. */
  async score(run: string, key: string): Promise<AnswerScore | undefined> {
    let scores = this.scoreFiles.get(run);
    if (!scores) this.scoreFiles.set(run, (scores = new JsonlIndex(new RunFolder(run).scoresPath, AnswerScore, () => true as const, ScoreKey)));
    await scores.refresh();
    return scores.read(key);
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

/** The gradable answers of a run folder: the latest response of each key, when it is a successful, non-empty one. */
async function indexRun(dir: string, bankId: string, shared: Map<string, string>): Promise<Answers> {
  const folder = new RunFolder(dir);
  const bank = folder.readManifest().bank.id;
  if (bank !== bankId) throw new UserError(`${dir}: answers bank "${bank}", not "${bankId}"; start one studio per bank.`);
  // Respondent, item and variant names repeat across thousands of answers: one string each.
  const one = (text: string) => shared.get(text) ?? (shared.set(text, text), text);
  const answers: Answers = new JsonlIndex(folder.responsesPath, ResponseRecord, (r) =>
    r.text !== null && r.error === null && r.text.trim() !== ''
      ? { respondent: one(r.respondent), respondent_kind: r.respondent_kind, item: one(r.item), variant: one(r.variant), turn: r.turn, sample: r.sample }
      : undefined,
  );
  await answers.refresh();
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
