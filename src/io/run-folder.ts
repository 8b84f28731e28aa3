/**
 * A run folder: `manifest.json`, `responses.jsonl` (append-only), `scores.jsonl` (append-only),
 * `verdicts.jsonl` (append-only: adjudications, physicians' labels and imported grades).
 * Later lines supersede earlier ones with the same key, so a retried error or a re-score
 * is an append, never a rewrite.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AnalyzedResponse, Manifest, ResponseRecord } from '../schema/run.js';
import type { AnalyzedScore, AnswerScore } from '../schema/score.js';
import { ExternalVerdict, VERDICTS_FILE } from '../schema/external-verdict.js';
import { UserError } from '../errors.js';
import { HARNESS_VERSION } from '../version.js';
import { BufferedJsonlAppender, JsonlAppender, isRecordAt, readJsonl, readJsonlBatches, readJsonlKeys, type JsonlKey, type JsonlLocation, type JsonlProblem } from './jsonl.js';
import { writeJsonAtomic, type WriteFileOptions } from './safe-write.js';

export const MANIFEST_FILE = 'manifest.json';
export const RESPONSES_FILE = 'responses.jsonl';
export const SCORES_FILE = 'scores.jsonl';

export class RunFolder {
  constructor(readonly dir: string) {}

  get manifestPath(): string {
    return join(this.dir, MANIFEST_FILE);
  }
  get responsesPath(): string {
    return join(this.dir, RESPONSES_FILE);
  }
  get scoresPath(): string {
    return join(this.dir, SCORES_FILE);
  }

  get verdictsPath(): string {
    return join(this.dir, VERDICTS_FILE);
  }

  exists(): boolean {
    return existsSync(this.manifestPath);
  }

  ensure(): this {
    mkdirSync(this.dir, { recursive: true });
    return this;
  }

  readManifest(): Manifest {
    if (!this.exists()) throw new UserError(`${this.dir}: not a run folder (no ${MANIFEST_FILE}). Pass a folder written by caps run or caps import-answers.`);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(this.manifestPath, 'utf8'));
    } catch (err) {
      throw new UserError(`${this.manifestPath}: not valid JSON (${(err as Error).message}).`);
    }
    const parsed = Manifest.safeParse(json);
    if (!parsed.success) {
      throw new UserError(`${this.manifestPath}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    return parsed.data;
  }

  writeManifest(manifest: Manifest, options?: WriteFileOptions): void {
    this.ensure();
    writeJsonAtomic(this.manifestPath, Manifest.parse(manifest), options);
  }

  responseAppender(): JsonlAppender {
    this.ensure();
    return new JsonlAppender(this.responsesPath);
  }

  /** Appends responses in batches (see BufferedJsonlAppender): for a run recording answers as they come. */
  bufferedResponseAppender(options: ConstructorParameters<typeof BufferedJsonlAppender>[1]): BufferedJsonlAppender {
    this.ensure();
    return new BufferedJsonlAppender(this.responsesPath, options);
  }

  scoreAppender(): JsonlAppender {
    this.ensure();
    return new JsonlAppender(this.scoresPath);
  }

  verdictAppender(): JsonlAppender {
    this.ensure();
    return new JsonlAppender(this.verdictsPath);
  }

  /** Every verdicts.jsonl line in file order (streamed). */
  externalVerdicts(onProblem?: (p: JsonlProblem) => void): AsyncGenerator<ExternalVerdict> {
    return readJsonl(this.verdictsPath, ExternalVerdict, onProblem);
  }

  /** Every response line in file order (streamed). */
  responses(onProblem?: (p: JsonlProblem) => void): AsyncGenerator<ResponseRecord> {
    return readJsonl(this.responsesPath, ResponseRecord, onProblem);
  }

  /** Every response line in file order (streamed) with where it sits. */
  async *locatedResponses(onProblem?: (p: JsonlProblem) => void): AsyncGenerator<{ record: ResponseRecord } & JsonlLocation> {
    for await (const batch of readJsonlBatches(this.responsesPath, ResponseRecord, { offset: 0, line: 0 }, onProblem)) for (const located of batch) yield located;
  }

  /** The key of every response line, without checking whole records (see readJsonlKeys). */
  responseKeys(onProblem?: (p: JsonlProblem) => void): AsyncGenerator<JsonlKey[]> {
    return readJsonlKeys(this.responsesPath, ResponseRecord, onProblem);
  }

  /** Whether the response line at `at` is a whole record, as `responses` reads it. */
  isResponseAt(at: JsonlLocation): boolean {
    return isRecordAt(this.responsesPath, ResponseRecord, at);
  }

  /** The latest response for each key: a later success replaces an earlier error. */
  async latestResponses(onProblem?: (p: JsonlProblem) => void): Promise<Map<string, ResponseRecord>> {
    return latestByKey(readJsonlBatches(this.responsesPath, ResponseRecord, { offset: 0, line: 0 }, onProblem));
  }

  /** `latestResponses` as the report reads them (AnalyzedResponse): each line checked whole, then its request, reasoning, finish reason, timings, attempts and cache flag dropped as it is read. */
  async latestAnalyzedResponses(onProblem?: (p: JsonlProblem) => void): Promise<Map<string, AnalyzedResponse>> {
    return latestByKey(readJsonlBatches(this.responsesPath, AnalyzedResponse, { offset: 0, line: 0 }, onProblem));
  }

  // The score schema is loaded when scores are read: caps run, which reads none, skips building it (about 15 ms of its start).
  async *scores(onProblem?: (p: JsonlProblem) => void): AsyncGenerator<AnswerScore> {
    yield* readJsonl(this.scoresPath, (await import('../schema/score.js')).AnswerScore, onProblem);
  }

  /** The latest score for each response key. */
  async latestScores(onProblem?: (p: JsonlProblem) => void): Promise<Map<string, AnswerScore>> {
    return latestByKey(readJsonlBatches(this.scoresPath, (await import('../schema/score.js')).AnswerScore, { offset: 0, line: 0 }, onProblem));
  }

  /** `latestScores` as the analysis reads them (AnalyzedScore): each line checked whole, then what only scoring needs set to undefined as it is read. */
  async latestAnalyzedScores(onProblem?: (p: JsonlProblem) => void): Promise<Map<string, AnalyzedScore>> {
    return latestByKey(readJsonlBatches(this.scoresPath, (await import('../schema/score.js')).AnalyzedScore, { offset: 0, line: 0 }, onProblem));
  }
}

/**
 * The folder imported answers (doctors' sheets, recorded answers of public benchmarks) go into:
 * a new run with an "imported" manifest, or an existing run of the same bank.
 */
export function openImportRun(dir: string, bank: Manifest['bank']): { folder: RunFolder; manifest: Manifest; created: boolean } {
  const folder = new RunFolder(dir);
  if (!folder.exists()) {
    const manifest: Manifest = {
      id: basename(dir),
      harness_version: HARNESS_VERSION,
      bank,
      endpoints: [],
      respondents: [],
      plan: { imported_from: [] },
      counts: {},
      started_at: new Date().toISOString(),
      status: 'imported',
    };
    return { folder, manifest, created: true };
  }
  const manifest = folder.readManifest();
  if (manifest.bank.id !== bank.id) {
    throw new UserError(`${dir}: this run folder holds answers to bank "${manifest.bank.id}", not "${bank.id}"; import into another run folder.`);
  }
  return { folder, manifest, created: false };
}

/** Records in the manifest where imported answers came from and who gave them. */
export function noteImport(manifest: Manifest, source: Record<string, unknown>, respondents: Manifest['respondents']): void {
  for (const r of respondents) if (!manifest.respondents.some((known) => known.name === r.name)) manifest.respondents.push(r);
  const sources = Array.isArray(manifest.plan.imported_from) ? (manifest.plan.imported_from as unknown[]) : [];
  manifest.plan = { ...manifest.plan, imported_from: [...sources, { ...source, at: new Date().toISOString() }] };
}

async function latestByKey<T extends { key: string }>(batches: AsyncIterable<Iterable<{ record: T }>>): Promise<Map<string, T>> {
  const latest = new Map<string, T>();
  for await (const batch of batches) for (const { record } of batch) latest.set(record.key, record);
  return latest;
}
