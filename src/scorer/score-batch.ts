/**
 * `caps score --batch`: the judge's calls sent through the OpenAI Batch API, one batch series
 * per judge endpoint (a jury's judges each their own). The run is scored in passes under one
 * lock: a pass that writes nothing gathers every judge request whose reply is not in yet
 * (answers already scored are reused as always, so they cost nothing), the requests are
 * submitted, each batch recorded in judge-batches.jsonl before it is polled, and the replies
 * are kept in the response cache as they are read; the next pass asks the judges' follow-up
 * requests (a retry after an invalid reply, the plain-JSON fallback). When a pass needs no
 * more replies, a last pass scores and writes exactly as the direct judge would.
 * A command stopped or killed while a batch is in progress collects it on the next
 * `caps score --batch` instead of submitting its requests again.
 */
import { join, dirname, resolve } from 'node:path';
import type { EndpointConfig } from '../schema/config.js';
import type { BatchSubmitted } from '../schema/batch.js';
import { createBatchApi, type BatchApi } from '../endpoints/batch-api.js';
import { BatchInputs, collectBatch, pendingBatches, type BatchEvent } from '../endpoints/batch-jobs.js';
import { endpointIdentity } from '../endpoints/identity.js';
import { ResponseCache } from '../runner/cache.js';
import { JsonlAppender } from '../io/jsonl.js';
import type { UsageTotals } from '../runner/usage.js';
import { lockRunFolder } from '../io/lock.js';
import { RunFolder } from '../io/run-folder.js';
import { UserError } from '../errors.js';
import { BatchJudge } from './judge/batch-judge.js';
import { DEFAULT_JUDGE_RETRIES } from './judge/judge.js';
import { scoreLocked, type ScoreRunOptions, type ScoreRunSummary } from './score-run.js';

export const JUDGE_BATCHES_FILE = 'judge-batches.jsonl';
/** custom_id (the request's hash) to the answer it judges, one line per answer and request queued, written before the batch is submitted. */
export const JUDGE_REQUESTS_FILE = 'judge-requests.jsonl';

export interface BatchScoreOptions extends Omit<ScoreRunOptions, 'judges' | 'dryRun'> {
  /** The judge endpoints (several form a jury). */
  judges: EndpointConfig[];
  env?: NodeJS.ProcessEnv;
  /** Response cache folder holding the collected replies (default `.cache` next to the run folder); false: only replies collected by this command. */
  cacheDir?: string | false;
  /** Time between status polls. */
  pollMs?: number;
  onBatch?: (event: BatchEvent) => void;
  /** Told what each round submits (for the CLI's progress lines). */
  onRound?: (round: { round: number; answers: number; requests: number }) => void;
}

export interface BatchScoreSummary extends ScoreRunSummary {
  batch: {
    /** Batches created by this command, and collected (including ones left by an earlier command). */
    submitted: number;
    collected: number;
    /** Request lines submitted, and result lines that failed (retried while the endpoint's retries allow). */
    requests: number;
    failedLines: number;
    /** Batches still in progress when the command stopped: the next `caps score --batch` collects them. */
    pending: number;
    /** Tokens per judge of the replies collected by this command (what the vendor bills), in the order of `judges`. */
    usage: UsageTotals[];
  };
}

export async function scoreRunBatched(runDir: string, options: BatchScoreOptions): Promise<BatchScoreSummary> {
  if (options.judges.length === 0) throw new UserError('caps score --batch needs a judge: name one with --judge or in the config\'s judge:');
  const env = options.env ?? process.env;
  const folder = new RunFolder(resolve(runDir));
  const manifest = folder.readManifest();
  // Every key is resolved before anything is sent.
  const apis = new Map<string, BatchApi>(options.judges.map((e) => [e.name, createBatchApi(e, env)]));
  const cacheDir = options.cacheDir === undefined || options.cacheDir === false ? join(dirname(folder.dir), '.cache') : options.cacheDir;
  const cache = new ResponseCache(resolve(cacheDir));
  const freshSince = options.cacheDir === false ? new Date().toISOString() : undefined;
  const identities = options.judges.map((endpoint) => endpointIdentity(endpoint, env));
  const batch: BatchScoreSummary['batch'] = { submitted: 0, collected: 0, requests: 0, failedLines: 0, pending: 0, usage: [] };
  const pollMs = options.pollMs ?? 30_000;
  const logPath = join(folder.dir, JUDGE_BATCHES_FILE);
  const lock = lockRunFolder(folder.dir);
  // Opened only under the lock: opening an appender cuts a partial last line another writer may be finishing.
  const inputs = new BatchInputs(folder.dir, 'judge-batch-input');
  let log: JsonlAppender | undefined;
  let requestMap: JsonlAppender | undefined;
  try {
    log = new JsonlAppender(logPath);
    requestMap = new JsonlAppender(join(folder.dir, JUDGE_REQUESTS_FILE));
    const judges = options.judges.map((endpoint, i) => new BatchJudge({ endpoint, identity: identities[i], cache, freshSince, inputs, requestMap: requestMap! }));
    batch.usage = judges.map((j) => j.usage);
    return await scoreInRounds(folder, options, { judges, apis, inputs, log, logPath, pollMs, batch, runId: manifest.id });
  } finally {
    inputs.discard();
    requestMap?.close();
    log?.close();
    lock.release();
  }
}

interface Rounds {
  judges: BatchJudge[];
  apis: Map<string, BatchApi>;
  inputs: BatchInputs;
  log: JsonlAppender;
  logPath: string;
  pollMs: number;
  batch: BatchScoreSummary['batch'];
  runId: string;
}

/** Collects what an earlier command left, then submits and collects round after round until no reply is missing; then the pass that writes. */
async function scoreInRounds(folder: RunFolder, options: BatchScoreOptions, context: Rounds): Promise<BatchScoreSummary> {
  const { judges, apis, inputs, log, logPath, pollMs, batch } = context;
  const collectAll = async (submitted: BatchSubmitted[]): Promise<boolean> => {
    const results = await Promise.all(
      submitted.map(async (entry) => {
        const judge = judges.find((j) => j.name === entry.endpoint);
        if (!judge) throw new UserError(`${logPath}: batch ${entry.batch_id} of judge "${entry.endpoint}" is still to be collected, but that judge is not in this command; add --judge ${entry.endpoint} and score again`);
        const collected = await collectBatch(entry, apis.get(judge.name)!, { log, pollMs, signal: options.signal, onBatch: options.onBatch }, (outcome) => {
          const taken = judge.take(outcome);
          if (taken === 'error') batch.failedLines++;
          return taken;
        });
        if (collected) batch.collected++;
        else batch.pending++;
        return collected;
      }),
    );
    return results.every(Boolean);
  };

  // Batches left by an earlier command first: they may hold every reply this one needs.
  let collecting = await collectAll(await pendingBatches(logPath));
  // Each round asks the follow-ups of the last (a retry after an invalid reply, a failed line again): a bounded number.
  const maxRounds = 2 * (1 + (options.judgeRetries ?? DEFAULT_JUDGE_RETRIES)) + Math.max(...options.judges.map((e) => e.retries)) + 1;
  for (let round = 0; collecting && round < maxRounds && !options.signal?.aborted; round++) {
    const probe = await scoreLocked(folder, { ...options, judges, dryRun: true, onProgress: undefined });
    if (inputs.requests === 0) break;
    options.onRound?.({ round: round + 1, answers: probe.deferred, requests: inputs.requests });
    batch.requests += inputs.requests;
    const before = judges.reduce((n, j) => n + j.taken, 0);
    const submitted = await inputs.submit((endpoint) => apis.get(endpoint)!, log, { caps_run: context.runId, caps_purpose: 'judge' });
    batch.submitted += submitted.length;
    for (const judge of judges) judge.submitted();
    collecting = await collectAll(submitted);
    // A round that brought nothing back (a batch refused or expired whole): the rest waits for the next command.
    if (judges.reduce((n, j) => n + j.taken, 0) === before) break;
  }
  // The pass that writes: every reply it needs is in; answers still waiting are left unscored (counted as deferred), nothing more is queued.
  for (const judge of judges) judge.stopQueueing();
  const summary = await scoreLocked(folder, { ...options, judges });
  return { ...summary, batch };
}
