/**
 * `caps report` as a library function: read run folders (manifest, latest responses and
 * scores), load their bank, analyse, and write the report. Several runs are compared in one report.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Bank } from '../bank/bank.js';
import { loadBankOrThrow } from '../bank/load.js';
import { analyze, type AnalysisOptions } from '../analysis/analyze.js';
import { UserError } from '../errors.js';
import { RunFolder } from '../io/run-folder.js';
import type { Results } from '../schema/results.js';
import type { Manifest, ResponseRecord } from '../schema/run.js';
import type { AnswerScore } from '../schema/score.js';
import { buildReport, type ReportFormat } from './build.js';
import { HtmlFrameWorker, inThisThread, type HtmlFrameRenderer } from './html/frame-renderer.js';
import { readInThisThread, RunReadWorker, type RunRecordsReader } from './run-reader.js';
import { describeSilent, silentRespondents, type SilentRespondent } from '../runner/endpoint-health.js';
import { endpointUsage, readJudgeUsage, usageRow } from '../runner/usage.js';
import type { ReportLanguage } from './html/page.js';
import { historyBeside, readReviewHistory } from '../review/history-file.js';

export interface ReportRunsInput {
  runDirs: string[];
  /** Bank files or folders; default: the bank paths recorded in the first run's manifest. */
  bankPaths?: string[];
  /** Default: reports/<run id>, or reports/<id>+<id>... for several runs. */
  outDir?: string;
  formats: ReportFormat[];
  analysis?: Omit<AnalysisOptions, 'runs' | 'reviewHistory'>;
  /** The bank's review history; default: review-history.jsonl beside the bank, when there is one. */
  reviewHistory?: string;
  /** Shown at the top of every report format (e.g. that the judge was simulated). */
  notes?: string[];
  /** Language the HTML report opens in (default: the bank's). */
  language?: ReportLanguage;
  /** Draw the HTML's charts on a worker thread (default: when the runs' scores are large, see FRAME_WORKER_FROM_BYTES). */
  htmlWorker?: boolean;
  /** Read the run folders' responses and scores on a worker thread (default: likewise when large). */
  readWorker?: boolean;
}

/**
 * Scores files together this large (about 3,000 answers) or larger get their HTML frame drawn,
 * and their run folders read, on worker threads: there it costs no time of the main thread, but
 * a worker's start (and the frame's own copy of the chart library) pays off only when there is
 * much else to do meanwhile.
 */
export const FRAME_WORKER_FROM_BYTES = 4 << 20;

function scoresBytes(input: ReportRunsInput): number {
  return input.runDirs.reduce((n, dir) => {
    const path = new RunFolder(dir).scoresPath;
    return n + (existsSync(path) ? statSync(path).size : 0);
  }, 0);
}

function wantsFrameWorker(input: ReportRunsInput, large: () => boolean): boolean {
  if (input.formats.length > 0 && !input.formats.includes('html')) return false;
  return input.htmlWorker ?? large();
}

export interface ReportRunsResult {
  files: string[];
  outDir: string;
  results: Results;
  /** Problems in the inputs that did not stop the report (also listed in the report itself). */
  warnings: string[];
  /** Model respondents every answer of which failed: left out of the report, never ranked. */
  unranked: SilentRespondent[];
}

interface RunFound {
  dir: string;
  manifest: Manifest;
}

interface LoadedRun extends RunFound {
  responses: Map<string, ResponseRecord>;
  scores: Map<string, AnswerScore>;
}

async function loadRun({ dir, manifest }: RunFound, reader: RunRecordsReader, warnings: string[]): Promise<LoadedRun> {
  const folder = new RunFolder(dir);
  // Each unreadable line was printed when read; the report records how many were left out.
  const skipped = (path: string) => {
    let count = 0;
    return { onProblem: () => count++, note: () => count > 0 && warnings.push(`${path}: ${count} unreadable line(s) left out (--skip-bad-lines)`) };
  };
  const responseLines = skipped(folder.responsesPath);
  const scoreLines = skipped(folder.scoresPath);
  const responses = await reader.latest(dir, 'responses', responseLines.onProblem);
  const scores = await reader.latest(dir, 'scores', scoreLines.onProblem);
  responseLines.note();
  scoreLines.note();
  if (scores.size === 0) {
    throw new UserError(`${dir}: the run has no scores (${folder.scoresPath} is missing or empty). Score it first: caps score ${dir}`);
  }
  const unscored = [...responses.keys()].filter((k) => !scores.has(k)).length;
  if (unscored > 0) warnings.push(`${dir}: ${unscored} answer(s) are not scored yet and are left out; run caps score ${dir} to include them.`);
  return { dir, manifest, responses, scores };
}

async function loadRunsBank(runs: RunFound[], bankPaths: string[] | undefined, warnings: string[]): Promise<Bank> {
  const first = runs[0].manifest;
  const paths = bankPaths && bankPaths.length > 0 ? bankPaths : first.bank.paths;
  if (!bankPaths?.length) {
    const missing = paths.filter((p) => !existsSync(p));
    if (paths.length === 0 || missing.length > 0) {
      throw new UserError(
        `${runs[0].dir}: the bank this run was made with is not found (${missing.join(', ') || 'no path recorded'}). Pass it with --bank PATH.`,
      );
    }
  }
  const bank = await loadBankOrThrow(paths);
  for (const run of runs) {
    if (run.manifest.bank.id !== bank.id) {
      throw new UserError(`${run.dir}: this run answered bank "${run.manifest.bank.id}", not "${bank.id}"; report runs of one bank together.`);
    }
    if (run.manifest.bank.hash !== bank.hash) {
      warnings.push(`${run.dir}: the bank changed since this run (hash ${run.manifest.bank.hash.slice(0, 12)} then, ${bank.hash.slice(0, 12)} now); scores are reported as they were given.`);
    }
  }
  return bank;
}

function defaultOutDir(runs: LoadedRun[]): string {
  const ids = runs.map((r) => r.manifest.id || basename(r.dir));
  const name = ids.join('+').replace(/[^A-Za-z0-9._+-]+/g, '-').slice(0, 100);
  return join('reports', name);
}

export async function reportRuns(input: ReportRunsInput): Promise<ReportRunsResult> {
  if (input.runDirs.length === 0) throw new UserError('name at least one run folder to report on.');
  let bytes: number | undefined;
  const large = () => (bytes ??= scoresBytes(input)) >= FRAME_WORKER_FROM_BYTES;
  // Started first, so that it loads the chart library while the runs are read and analysed.
  const frames = wantsFrameWorker(input, large) ? new HtmlFrameWorker() : inThisThread;
  const reader = (input.readWorker ?? large()) ? new RunReadWorker() : readInThisThread;
  try {
    return await reportLoaded(input, frames, reader);
  } finally {
    await Promise.all([reader.close(), frames.close()]);
  }
}

async function reportLoaded(input: ReportRunsInput, frames: HtmlFrameRenderer, reader: RunRecordsReader): Promise<ReportRunsResult> {
  const warnings: string[] = [];
  const { results, outDir, unranked } = await analyzeRuns(input, reader, warnings);
  await reader.close();
  const { files } = await buildReport({ results, outDir, formats: input.formats, language: input.language, frames });
  return { files, outDir, results, warnings, unranked };
}

/** Reads and analyses the runs. Apart, so that the records read are garbage once the results are made, while the report is written. */
async function analyzeRuns(input: ReportRunsInput, reader: RunRecordsReader, warnings: string[]): Promise<Pick<ReportRunsResult, 'results' | 'outDir' | 'unranked'>> {
  const found = input.runDirs.map((dir) => ({ dir, manifest: new RunFolder(dir).readManifest() }));
  // The bank is loaded while the records are read (on the reader's worker, when it has one); a
  // run that cannot be read is reported before a bank that cannot be loaded, as when one came after the other.
  const reading = (async () => {
    const runs: LoadedRun[] = [];
    for (const run of found) runs.push(await loadRun(run, reader, warnings));
    return runs;
  })();
  reading.catch(() => undefined);
  const bankWarnings: string[] = [];
  const bank = await loadRunsBank(found, input.bankPaths, bankWarnings).catch(async (error: unknown) => {
    await reading;
    throw error;
  });
  const runs = await reading;
  warnings.push(...bankWarnings);
  const historyFile = input.reviewHistory ?? historyBeside(bank.files);
  if (input.reviewHistory && !existsSync(input.reviewHistory)) throw new UserError(`${input.reviewHistory}: no such review history file; check the path given to --review-history`);
  const reviewHistory = existsSync(historyFile) ? { file: historyFile, events: await readReviewHistory(historyFile) } : undefined;

  // The same answer key in two runs (a run and its copy, or a re-run): the later run named wins.
  const scores = new Map<string, AnswerScore>();
  const responses = new Map<string, ResponseRecord>();
  for (const run of runs) {
    const repeated = [...run.scores.keys()].filter((k) => scores.has(k)).length;
    if (repeated > 0) warnings.push(`${run.dir}: ${repeated} answer(s) also appear in an earlier run named; this run's scores are used.`);
    for (const [key, score] of run.scores) scores.set(key, score);
    for (const [key, response] of run.responses) responses.set(key, response);
  }

  // A respondent with no answer at all has nothing to rank: it is named, not ranked.
  const unranked = await silentRespondents(responses.values());
  const left = new Set(unranked.map((s) => s.name));
  for (const s of unranked) warnings.push(`${describeSilent(s)}; left out of the report (nothing to score). Fix the endpoint and resume its run with caps run.`);
  const kept = (r: { respondent: string }) => !left.has(r.respondent);

  const results = analyze({
    bank,
    scores: [...scores.values()].filter(kept),
    responses: [...responses.values()].filter(kept),
    options: {
      ...input.analysis,
      reviewHistory,
      runs: runs.map((r) => ({
        id: r.manifest.id,
        harness_version: r.manifest.harness_version,
        started_at: r.manifest.started_at,
        finished_at: r.manifest.finished_at,
        status: r.manifest.status,
        respondents: r.manifest.respondents.map((x) => x.name),
      })),
    },
  });
  results.warnings.push(...warnings);
  const prices = new Map(runs.flatMap((r) => r.manifest.endpoints.filter((e) => e.prices).map((e) => [e.name, e.prices!] as const)));
  results.usage = {
    endpoints: endpointUsage([...responses.values()].filter(kept), prices).map(usageRow),
    judges: (await readJudgeUsage(runs.map((r) => r.dir))).map(usageRow),
  };
  results.notes.push(...(input.notes ?? []));
  return { results, outDir: input.outDir ?? defaultOutDir(runs), unranked };
}
