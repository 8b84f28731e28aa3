/**
 * `caps run --batch`: the run's requests sent through the OpenAI Batch API instead of one
 * HTTP call each. Every answer not yet recorded whose earlier turns are recorded goes into one
 * batch file per endpoint (at most MAX_BATCH_REQUESTS each); a multi-turn dialogue takes one
 * round per turn. Each batch id is recorded in the run folder's batches.jsonl before it is
 * polled, so a run stopped or killed while batches are in progress collects them on the next
 * `caps run --batch` instead of paying for them twice.
 */
import { join, resolve } from 'node:path';
import { createBatchApi, type BatchApi } from '../endpoints/batch-api.js';
import { BatchInputs, collectBatch, pendingBatches as pendingIn, type BatchEvent } from '../endpoints/batch-jobs.js';
import { chatBody, type ChatResult } from '../endpoints/client.js';
import { JsonlAppender } from '../io/jsonl.js';
import type { BatchSubmitted } from '../schema/batch.js';
import type { ResponseRecord } from '../schema/run.js';
import { UserError } from '../errors.js';
import type { Bank } from '../bank/bank.js';
import { answeredRecord, answerRequest, cacheAnswer, cachedRecord, finalManifest, openRun, prepareRun, type OpenedRun, type RunEvalOptions, type RunSummary } from './run.js';
import { RunFolder } from '../io/run-folder.js';
import { lockRunFolder } from '../io/lock.js';
import { endpointIdentity, type EndpointIdentity } from '../endpoints/identity.js';
import { dialogueKey, type Dialogue } from './plan.js';
import { EndpointLedger } from './endpoint-ledger.js';

export const BATCHES_FILE = 'batches.jsonl';

export interface BatchRunOptions extends RunEvalOptions {
  /** Time between status polls (vendors finish batches in minutes to hours). */
  pollMs?: number;
  /** Told of every batch submitted, polled and collected (for the CLI's progress lines). */
  onBatch?: (event: BatchEvent) => void;
}

export async function runBatchEval(options: BatchRunOptions): Promise<RunSummary> {
  const env = options.env ?? process.env;
  // Every key variable is checked before anything is sent.
  const prepared = prepareRun(options);
  const apis = new Map<string, BatchApi>(prepared.endpoints.map((e) => [e.name, createBatchApi(e, env)]));
  const identities = new Map<string, EndpointIdentity>(prepared.endpoints.map((e) => [e.name, endpointIdentity(e, env)]));
  const folder = new RunFolder(resolve(prepared.out));
  const lock = lockRunFolder(folder.dir);
  try {
    return await runBatchLocked(options, await openRun(options, prepared, folder, identities), apis);
  } finally {
    lock.release();
  }
}

async function runBatchLocked(options: BatchRunOptions, opened: OpenedRun, apis: Map<string, BatchApi>): Promise<RunSummary> {
  const { folder, recorded, cache, prepared, identities } = opened;
  const { bank, signal } = options;
  const pollMs = options.pollMs ?? 30_000;
  const counts: RunSummary['counts'] = { planned: prepared.plan.counts.answers, done: recorded.size, errors: 0, resumed: recorded.size, cached: 0, replayed: 0, requests: 0 };
  // Failures by cause and tokens per endpoint, for the closing summary (a batch is never given up midway).
  const ledgers = new Map(prepared.endpoints.map((e) => [e.name, new EndpointLedger(e, 'batch')]));
  const askedNow = new Map(prepared.endpoints.map((e) => [e.name, 0]));
  const log = new JsonlAppender(join(folder.dir, BATCHES_FILE));
  const responses = folder.responseAppender();
  // Dialogues whose answer failed in this session stop there, as in a direct run; resume asks again.
  const failed = new Set<Dialogue>();
  const byKey = new Map<string, { dialogue: Dialogue; turn: number }>();
  for (const dialogue of prepared.plan.dialogues) for (let turn = 0; turn < dialogue.answers; turn++) byKey.set(dialogueKey(dialogue, turn), { dialogue, turn });
  const resumedBy = new Map(prepared.endpoints.map((e) => [e.name, 0]));
  for (const key of recorded.keys()) {
    const name = byKey.get(key)?.dialogue.endpoint.name;
    if (name) resumedBy.set(name, resumedBy.get(name)! + 1);
  }
  const earlierAnswers = (dialogue: Dialogue, turn: number) => Array.from({ length: turn }, (_, t) => recorded.get(dialogueKey(dialogue, t))!);

  function record(dialogue: Dialogue, turn: number, entry: ResponseRecord): void {
    responses.append(entry);
    const name = dialogue.endpoint.name;
    const ledger = ledgers.get(name)!;
    if (entry.cached) counts.replayed++;
    else ledger.sent(1);
    ledger.recorded(entry);
    askedNow.set(name, askedNow.get(name)! + 1);
    if (entry.error || entry.text === null) {
      counts.errors++;
      failed.add(dialogue);
      return;
    }
    counts.done++;
    recorded.set(entry.key, dialogue.answers > 1 ? entry.text : '');
  }

  function collect(submitted: BatchSubmitted, api: BatchApi): Promise<boolean> {
    return collectBatch(submitted, api, { log, pollMs, signal, onBatch: options.onBatch }, (outcome) => {
      const planned = byKey.get(outcome.customId);
      // A key from another selection, or one already recorded, is not recorded twice.
      if (!planned || recorded.has(outcome.customId)) return null;
      const { dialogue, turn } = planned;
      const identity = identities.get(dialogue.endpoint.name)!;
      const { base } = answerRequest(bank, dialogue, turn, earlierAnswers(dialogue, turn), identity, prepared.language);
      const result: ChatResult = outcome.ok
        ? { ...outcome.answer, latencyMs: 0, attempts: 1, error: null }
        : { text: null, finishReason: null, usage: null, latencyMs: 0, attempts: 1, error: outcome.error };
      const { latency_ms: _none, ...entry } = answeredRecord(base, result, submitted.created_at);
      cacheAnswer(cache, entry as ResponseRecord, result, identity);
      record(dialogue, turn, entry as ResponseRecord);
      return outcome.ok ? 'answer' : 'error';
    });
  }

  function apiFor(endpoint: string): BatchApi {
    const api = apis.get(endpoint);
    if (!api) throw new UserError(`${folder.dir}: batch of endpoint "${endpoint}" is still to be collected, but that endpoint is not in this run; add it to --models (or the config) and run again`);
    return api;
  }

  try {
    // Batches left by an earlier session first: they may already hold the answers this run needs.
    const pending = await pendingBatches(folder.dir);
    const collectedEarlier = await Promise.all(pending.map((b) => collect(b, apiFor(b.endpoint))));
    if (collectedEarlier.every(Boolean)) {
      for (let round = 0; !signal?.aborted; round++) {
        const before = counts.done + counts.errors;
        const submitted = await submitRound(opened, { record, failed, earlierAnswers, log, apis, counts, bank });
        if (submitted.length === 0) break;
        const results = await Promise.all(submitted.map((b) => collect(b, apiFor(b.endpoint))));
        // Stopped while polling, or a round that brought nothing back (an expired batch): leave the rest for the next run.
        if (!results.every(Boolean) || counts.done + counts.errors === before) break;
      }
    }
  } catch (err) {
    // A Batch API call that failed ends the session: the folder says incomplete, not running, and the next run resumes it.
    try {
      folder.writeManifest(finalManifest(opened, counts, false));
    } catch {
      // The first error (often the same full disk) is the one to report.
    }
    throw err;
  } finally {
    log.close();
    responses.close();
  }
  const manifest = finalManifest(opened, counts, true);
  folder.writeManifest(manifest);
  const endpoints = prepared.endpoints.map((e) => ledgers.get(e.name)!.outcome(prepared.plan.counts.byEndpoint[e.name].answers - resumedBy.get(e.name)! - askedNow.get(e.name)!));
  return { dir: folder.dir, status: manifest.status as RunSummary['status'], counts, endpoints, shared: opened.shared, manifest };
}

interface RoundContext {
  record(dialogue: Dialogue, turn: number, entry: ResponseRecord): void;
  failed: Set<Dialogue>;
  earlierAnswers(dialogue: Dialogue, turn: number): string[];
  log: JsonlAppender;
  apis: Map<string, BatchApi>;
  counts: RunSummary['counts'];
  bank: Bank;
}

/** Writes and submits the batch files of one round: each dialogue's next unanswered turn; cache hits are recorded at once. */
async function submitRound(opened: OpenedRun, context: RoundContext): Promise<BatchSubmitted[]> {
  const { prepared, folder, recorded, cache } = opened;
  const inputs = new BatchInputs(folder.dir, 'batch-input');
  for (const dialogue of prepared.plan.dialogues) {
    if (context.failed.has(dialogue)) continue;
    let turn = 0;
    while (turn < dialogue.answers && recorded.has(dialogueKey(dialogue, turn))) turn++;
    if (turn === dialogue.answers) continue;
    const identity = opened.identities.get(dialogue.endpoint.name)!;
    const request = answerRequest(context.bank, dialogue, turn, context.earlierAnswers(dialogue, turn), identity, prepared.language);
    const hit = cache?.get(request.hash, identity);
    if (hit) {
      context.counts.cached++;
      context.record(dialogue, turn, cachedRecord(request.base, hit));
      continue;
    }
    inputs.add(dialogue.endpoint.name, request.key, chatBody(dialogue.endpoint, { messages: request.messages, params: request.params }));
  }
  try {
    return await inputs.submit((endpoint) => context.apis.get(endpoint)!, context.log, { caps_run: opened.manifest.id, bank: context.bank.id });
  } finally {
    inputs.discard();
  }
}

/** Batches submitted and not yet collected, in the order they were submitted. */
export function pendingBatches(dir: string): Promise<BatchSubmitted[]> {
  return pendingIn(join(dir, BATCHES_FILE));
}
