/**
 * `caps report` as a library function: read run folders (manifest, latest responses and
 * scores), load their bank, analyse, and write the report. Several runs are compared in one report.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Bank } from '../bank/bank.js';
import { loadBankOrThrow } from '../bank/load.js';
import { analysisSteps, type AnalysisOptions, type AnalysisRest } from '../analysis/analyze.js';
import { UserError } from '../errors.js';
import { missingShardsOf } from '../runner/shard-coverage.js';
import { RunFolder } from '../io/run-folder.js';
import type { ItemView, Results } from '../schema/results.js';
import type { Manifest, AnalyzedResponse } from '../schema/run.js';
import type { AnalyzedScore } from '../schema/score.js';
import { buildReport, type ReportFormat } from './build.js';
import { HtmlFrameWorker, inThisThread, type HtmlFrameRenderer } from './html/frame-renderer.js';
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
}

/**
 * Scores files together this large (about 3,000 answers) or larger get their HTML frame drawn
 * on a worker thread: there it costs no time of the main thread, but the worker's start and its
 * own copy of the chart library pay off only when there is much else to do meanwhile.
 */
export const FRAME_WORKER_FROM_BYTES = 4 << 20;

function wantsFrameWorker(input: ReportRunsInput): boolean {
  if (input.formats.length > 0 && !input.formats.includes('html')) return false;
  if (input.htmlWorker !== undefined) return input.htmlWorker;
  const bytes = input.runDirs.reduce((n, dir) => {
    const path = new RunFolder(dir).scoresPath;
    return n + (existsSync(path) ? statSync(path).size : 0);
  }, 0);
  return bytes >= FRAME_WORKER_FROM_BYTES;
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

interface LoadedRun {
  dir: string;
  manifest: Manifest;
  responses: Map<string, AnalyzedResponse>;
  scores: Map<string, AnalyzedScore>;
}

async function loadRun(dir: string, warnings: string[]): Promise<LoadedRun> {
  const folder = new RunFolder(dir);
  const manifest = folder.readManifest();
  // Each unreadable line was printed when read; the report records how many were left out.
  const skipped = (path: string) => {
    let count = 0;
    return { onProblem: () => count++, note: () => count > 0 && warnings.push(`${path}: ${count} unreadable line(s) left out (--skip-bad-lines)`) };
  };
  const responseLines = skipped(folder.responsesPath);
  const scoreLines = skipped(folder.scoresPath);
  const responses = await folder.latestAnalyzedResponses(responseLines.onProblem);
  const scores = await folder.latestAnalyzedScores(scoreLines.onProblem);
  responseLines.note();
  scoreLines.note();
  if (scores.size === 0) {
    throw new UserError(`${dir}: the run has no scores (${folder.scoresPath} is missing or empty). Score it first: caps score ${dir}`);
  }
  const unscored = [...responses.keys()].filter((k) => !scores.has(k)).length;
  if (unscored > 0) warnings.push(`${dir}: ${unscored} answer(s) are not scored yet and are left out; run caps score ${dir} to include them.`);
  return { dir, manifest, responses, scores };
}

/** The bank given, else the one recorded in the first run's manifest. */
function bankPathsFor(bankPaths: string[] | undefined, first: Manifest): string[] {
  return bankPaths && bankPaths.length > 0 ? bankPaths : first.bank.paths;
}

async function loadRunsBank(runs: LoadedRun[], bankPaths: string[] | undefined, warnings: string[]): Promise<Bank> {
  const paths = bankPathsFor(bankPaths, runs[0].manifest);
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
  // Started first, so that it loads the chart library while the runs are read and analysed.
  const frames = wantsFrameWorker(input) ? new HtmlFrameWorker() : inThisThread;
  try {
    return await reportLoaded(input, frames);
  } finally {
    await frames.close();
  }
}

async function reportLoaded(input: ReportRunsInput, frames: HtmlFrameRenderer): Promise<ReportRunsResult> {
  const warnings: string[] = [];
  const { results, outDir, unranked, rest } = await analyzeRuns(input, warnings, frames);
  // The items are made once the HTML frame is asked for, while it is drawn.
  let items: ItemView[] | undefined;
  const itemsLater = { items: () => (items ??= rest.items()), distractedItems: rest.distractedItems };
  const { files } = await buildReport({ results, outDir, formats: input.formats, language: input.language, frames, itemsLater });
  results.items = itemsLater.items();
  return { files, outDir, results, warnings, unranked };
}

/**
 * Reads and analyses the runs, all but the items (see AnalysisRest). Apart, so that once the
 * results are made only `rest` holds the records read, to make the items from them: they are
 * garbage once buildReport has made the items, while the report is written.
 */
async function analyzeRuns(
  input: ReportRunsInput,
  warnings: string[],
  frames: HtmlFrameRenderer,
): Promise<Pick<ReportRunsResult, 'results' | 'outDir' | 'unranked'> & { rest: AnalysisRest }> {
  // A bank not in the bank cache yet is loaded into it on the frame's worker, while this thread reads the runs.
  const bankCached = frames.cacheBank(bankPathsFor(input.bankPaths, new RunFolder(input.runDirs[0]).readManifest())).catch(() => false);
  const runs: LoadedRun[] = [];
  for (const dir of input.runDirs) runs.push(await loadRun(dir, warnings));
  const gaps = missingShardsOf(runs.map((r) => r.manifest));
  if (gaps.length > 0) {
    warnings.push(`the runs are shards of a split, and shard${gaps.length === 1 ? '' : 's'} ${gaps.join(', ')} ${gaps.length === 1 ? 'is' : 'are'} in none of them: this report lacks ${gaps.length === 1 ? 'its' : 'their'} answers. Run ${gaps.length === 1 ? 'it' : 'them'} with caps run --shard, then report all the shards (or their caps merge).`);
  }
  await bankCached;
  const bank = await loadRunsBank(runs, input.bankPaths, warnings);
  const historyFile = input.reviewHistory ?? historyBeside(bank.files);
  if (input.reviewHistory && !existsSync(input.reviewHistory)) throw new UserError(`${input.reviewHistory}: no such review history file; check the path given to --review-history`);
  const reviewHistory = existsSync(historyFile) ? { file: historyFile, events: await readReviewHistory(historyFile) } : undefined;

  // The same answer key in two runs (a run and its copy, or a re-run): the later run named wins.
  const scores = new Map<string, AnalyzedScore>();
  const responses = new Map<string, AnalyzedResponse>();
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

  const steps = analysisSteps({
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
  // The depth curves are fitted on the frame's worker, when there is one, while this thread does
  // the rest. A worker that fails (out of memory) costs report.html only, as before: the curves,
  // the same on either thread, are then fitted here.
  const curves = frames.depthCurves(steps.depthJobs).catch(() => inThisThread.depthCurves(steps.depthJobs));
  const rest = steps.rest();
  const results = rest.results(await curves);
  results.warnings.push(...warnings);
  const prices = new Map(runs.flatMap((r) => r.manifest.endpoints.filter((e) => e.prices).map((e) => [e.name, e.prices!] as const)));
  results.usage = {
    endpoints: endpointUsage([...responses.values()].filter(kept), prices).map(usageRow),
    judges: (await readJudgeUsage(runs.map((r) => r.dir))).map(usageRow),
  };
  results.notes.push(...(input.notes ?? []));
  return { results, outDir: input.outDir ?? defaultOutDir(runs), unranked, rest };
}
