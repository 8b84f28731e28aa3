/**
 * `caps run` as a library function: asks every planned answer of every endpoint,
 * concurrently, appending one line per answer to `responses.jsonl`. Re-running into the same
 * folder resumes: answers already recorded are skipped, errors are asked again, and the
 * shared response cache answers anything asked before.
 */
import { statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { bankRef, type Bank } from '../bank/bank.js';
import type { CapsConfig, EndpointConfig } from '../schema/config.js';
import { CLEAN } from '../schema/shared.js';
import type { Manifest, ResponseRecord } from '../schema/run.js';
import { RunFolder } from '../io/run-folder.js';
import { contentHash } from '../io/hash.js';
import { HARNESS_VERSION } from '../version.js';
import { UserError } from '../errors.js';
import { lockRunFolder } from '../io/lock.js';
import { WriteError } from '../io/safe-write.js';
import { endpointIdentity, normalizeBaseURL, type EndpointIdentity } from '../endpoints/identity.js';
import { closestMatch } from '../bank/suggest.js';
import { concurrencyLimit } from '../endpoints/concurrency.js';
import { createEndpointClient, type ChatResult, type EndpointClient, type EndpointClientOptions } from '../endpoints/client.js';
import { requestHash, ResponseCache, type SentParams } from './cache.js';
import { missingEnglish, turnMessages, type AskLanguage } from './messages.js';
import { EndpointLedger, type EndpointOutcome } from './endpoint-ledger.js';
import { dialogueKey, planRun, variantId, type Dialogue, type Plan, type PlanFilters } from './plan.js';
import type { EndpointProgress, ProgressSink } from './progress.js';
import { appendTo } from '../group.js';

export interface RunSelection {
  bank: Bank;
  config: CapsConfig;
  /** Endpoint names to ask (`--models`); when absent, every endpoint not named as a judge. */
  models?: string[];
  samples?: number;
  filters?: PlanFilters;
  /** Per-endpoint concurrency override (`--concurrency`). */
  concurrency?: number;
  /**
   * `en` asks the items' English versions (`prompt_en`, `turns_en`) of a bank in another
   * language; each endpoint is then recorded as its own condition, `<name>@en`.
   */
  language?: 'en';
}

export interface RunEvalOptions extends RunSelection {
  /** Run folder; by default `<defaults.out>/<bank>-<hash of the selection>`, so the same command resumes. */
  out?: string;
  /** Response cache folder, or false for none. Default: `.cache` next to the run folder. */
  cacheDir?: string | false;
  /** Global cap on requests in flight across endpoints. */
  maxInFlight?: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  progress?: ProgressSink;
  clientOptions?: Omit<EndpointClientOptions, 'env'>;
  /**
   * Resume although an endpoint's base URL changed since the run started, because the server
   * at the new URL is the same deployment (a local server restarted on another port).
   */
  acceptMovedEndpoints?: boolean;
}

export interface RunSummary {
  dir: string;
  status: 'complete' | 'incomplete';
  counts: {
    planned: number;
    /** Answers recorded without error, this session and before. */
    done: number;
    /** Answers that failed after retries in this session (asked again on resume). */
    errors: number;
    /** Answers found already recorded when the run started. */
    resumed: number;
    /** Answers not asked: replayed from the response cache, or shared with an identical request in flight. */
    cached: number;
    /** Of those, replayed from the response cache (answers of earlier runs). */
    replayed: number;
    /** HTTP requests made, retries included. */
    requests: number;
  };
  /** Per endpoint: failures with their causes, whether it was given up, tokens and cost. */
  endpoints: EndpointOutcome[];
  /** Groups of endpoints that send identical requests to the same server and so share answers. */
  shared: string[][];
  manifest: Manifest;
}

export interface PreparedRun {
  endpoints: EndpointConfig[];
  samples: number;
  plan: Plan;
  out: string;
  language: AskLanguage;
}

/** The respondent name of an endpoint asked in English: its own condition in every analysis. */
export function conditionName(endpoint: string, language: AskLanguage): string {
  return language === 'en' ? `${endpoint}${ENGLISH_SUFFIX}` : endpoint;
}
const ENGLISH_SUFFIX = '@en';

/** The endpoint name behind a condition name (for --resume). */
export function endpointOfCondition(name: string): string {
  return name.endsWith(ENGLISH_SUFFIX) ? name.slice(0, -ENGLISH_SUFFIX.length) : name;
}

/** Resolves the endpoints, samples and output folder of a run and plans it (no I/O). */
export function prepareRun(selection: RunSelection & { out?: string }): PreparedRun {
  const { bank, config } = selection;
  const names = config.endpoints.map((e) => e.name);
  for (const name of selection.models ?? []) {
    if (!names.includes(name)) {
      const hint = closestMatch(name, names);
      throw new UserError(`--models: no endpoint "${name}" in the config${hint ? `; did you mean "${hint}"?` : ''} (endpoints: ${names.join(', ')})`);
    }
  }
  // Endpoints that only serve as judges are not asked the bank unless named in --models.
  const judges = new Set(config.judge?.endpoints ?? []);
  const language: AskLanguage = selection.language === 'en' && bank.language !== 'en' ? 'en' : 'bank';
  const endpoints = config.endpoints
    .filter((e) => (selection.models ? selection.models.includes(e.name) : !judges.has(e.name)))
    .map((e) => ({ ...e, name: conditionName(e.name, language), ...(selection.concurrency && { concurrency: selection.concurrency }) }));
  if (endpoints.length === 0) {
    throw new UserError(`no endpoint to ask: every endpoint in the config is a judge (${names.join(', ')}); name the ones to evaluate with --models`);
  }
  const samples = selection.samples ?? config.defaults?.samples ?? 1;
  const plan = planRun(bank, endpoints, samples, selection.filters);
  // A shard may hold nothing of a small selection (3 items over 8 shards); it still writes its
  // empty run folder and succeeds, so a scheduler's array does not fail and caps merge joins it.
  if (plan.counts.answers === 0 && plan.counts.inOtherShards === 0) {
    throw new UserError(`nothing to ask: the filters select no answer from bank ${bank.id} (${bank.items.length} items)`);
  }
  if (language === 'en') requireEnglish(plan);
  const selectionHash = contentHash({
    endpoints: endpoints.map((e) => ({ name: e.name, baseURL: normalizeBaseURL(e.baseURL), model: e.model, params: e.params, headers: Object.keys(e.headers ?? {}).sort() })),
    samples,
    filters: { ...selection.filters, shard: selection.filters?.shard && `${selection.filters.shard.index}/${selection.filters.shard.count}` },
  }).slice(0, 10);
  const out = selection.out ?? join(config.defaults?.out ?? 'runs', `${bank.id}-${selectionHash}`);
  return { endpoints, samples, plan, out, language };
}

/** Every planned dialogue must have its English text; names the first few that do not. */
function requireEnglish(plan: Plan): void {
  const lacking = new Map<string, string>();
  for (const d of plan.dialogues) {
    const missing = missingEnglish(d.item, d.variant);
    if (missing.length > 0) lacking.set(`${d.item.id}|${variantId(d.variant)}`, `${d.item.id}${d.variant ? `/${d.variant.id}` : ''} (${missing.join(', ')})`);
  }
  if (lacking.size === 0) return;
  const shown = [...lacking.values()].slice(0, 3).join('; ');
  throw new UserError(`--language en: ${lacking.size} selected form${lacking.size === 1 ? '' : 's'} lack English text: ${shown}${lacking.size > 3 ? '; ...' : ''}. Add prompt_en/turns_en, or narrow the run with --items or --variants.`);
}

/** How often a run's progress sink is given the state (its live display redraws at most this often). */
const PROGRESS_TICK_MS = 200;

/** What an answer abandoned before its request was sent resolves to. */
const ABANDONED: ChatResult = { text: null, finishReason: null, usage: null, latencyMs: 0, attempts: 0, error: { kind: 'aborted', message: 'not asked' } };

/** The parameters sent for a sample: a configured seed becomes seed + sample index. */
export function sentParams(endpoint: EndpointConfig, sample: number): SentParams {
  const { system: _system, seed, ...rest } = endpoint.params;
  return seed === undefined ? rest : { ...rest, seed: seed + sample };
}

export async function runEval(options: RunEvalOptions): Promise<RunSummary> {
  const prepared = prepareRun(options);
  const { endpoints } = prepared;
  // Every key variable is checked before the first request.
  const clients = new Map<string, EndpointClient>(
    endpoints.map((e) => [e.name, createEndpointClient(e, { ...options.clientOptions, env: options.env ?? process.env })]),
  );
  const env = options.env ?? process.env;
  const identities = new Map<string, EndpointIdentity>(endpoints.map((e) => [e.name, endpointIdentity(e, env)]));
  const folder = new RunFolder(resolve(prepared.out));
  const lock = lockRunFolder(folder.dir);
  try {
    return await runLocked(options, prepared, folder, identities, clients);
  } finally {
    lock.release();
  }
}

/** An opened run folder: its plan, endpoints' identities, cache, answers already recorded and the manifest now written. */
export interface OpenedRun {
  prepared: PreparedRun;
  folder: RunFolder;
  identities: Map<string, EndpointIdentity>;
  /** Endpoints that send identical requests to the same server, by name. */
  shared: string[][];
  cache: ResponseCache | null;
  /** Answers recorded without error, by key (text only where a later turn needs it). */
  recorded: Map<string, string>;
  manifest: Manifest;
}

/** Checks a (locked) run folder still holds the same bank and endpoints, and marks it running. */
export async function openRun(options: RunEvalOptions, prepared: PreparedRun, folder: RunFolder, identities: Map<string, EndpointIdentity>): Promise<OpenedRun> {
  const { bank } = options;
  const { endpoints, plan, language } = prepared;
  const previous = folder.exists() ? folder.readManifest() : null;
  if (previous && previous.bank.hash !== bank.hash) {
    throw new UserError(
      `${folder.dir} holds a run of bank ${previous.bank.id} v${previous.bank.version} whose content has changed since (hash ${previous.bank.hash.slice(0, 12)} -> ${bank.hash.slice(0, 12)}). Write to a new --out folder, or restore the bank to resume.`,
    );
  }
  if (!options.acceptMovedEndpoints) checkSameEndpoints(folder.dir, previous, endpoints, identities);
  const shared = sharedAnswerGroups(endpoints, identities);
  const cacheDir = options.cacheDir === undefined ? join(dirname(folder.dir), '.cache') : options.cacheDir;
  const cache = cacheDir ? new ResponseCache(resolve(cacheDir)) : null;
  // Opening the file for appending cuts a partial last line left by a killed run, before it is read.
  folder.responseAppender().close();
  const recorded = await recordedAnswers(folder, bank);

  const startedAt = new Date().toISOString();
  const manifest: Manifest = {
    id: previous?.id ?? basename(folder.dir),
    harness_version: HARNESS_VERSION,
    bank: bankRef(bank),
    endpoints: mergeByName(
      previous?.endpoints ?? [],
      endpoints.map((e) => {
        const partners = shared.find((group) => group.includes(e.name))?.filter((n) => n !== e.name);
        const headers = identities.get(e.name)!.headers;
        return { name: e.name, baseURL: e.baseURL, model: e.model, params: { ...e.params }, ...(headers && { headers }), ...(partners && { shares_answers_with: partners }), ...(e.prices && { prices: e.prices }) };
      }),
    ),
    respondents: mergeByName(previous?.respondents ?? [], endpoints.map((e) => ({ name: e.name, kind: 'model' as const }))),
    plan: {
      samples: prepared.samples,
      filters: describeFilters(options.filters),
      items: plan.counts.items,
      dialogues: plan.counts.dialogues,
      answers: plan.counts.answers,
      by_endpoint: plan.counts.byEndpoint,
      cache: cache ? cache.dir : null,
      ...(language === 'en' && { language: 'en' }),
    },
    counts: { planned: plan.counts.answers, done: 0, errors: 0 },
    started_at: previous?.started_at ?? startedAt,
    status: 'running',
  };
  folder.writeManifest(manifest);
  return { prepared, folder, identities, shared, cache, recorded, manifest };
}

/** What one answer asks: its key, messages, parameters and request hash, and the fields of its record. */
export function answerRequest(bank: Bank, dialogue: Dialogue, turn: number, answers: readonly string[], identity: EndpointIdentity, language: AskLanguage = 'bank') {
  const { endpoint, item, variant, sample } = dialogue;
  const key = dialogueKey(dialogue, turn);
  const messages = turnMessages(bank, endpoint, item, variant, [...answers], language);
  const params = sentParams(endpoint, sample);
  const hash = requestHash({ endpoint: identity, params, messages, sample });
  const base = { key, request_hash: hash, respondent: endpoint.name, respondent_kind: 'model' as const, model: endpoint.model, item: item.id, variant: variantId(variant), turn, sample, messages };
  return { key, messages, params, hash, base };
}

type RecordBase = ReturnType<typeof answerRequest>['base'];

/** The record of an answer served from the response cache. */
export function cachedRecord(base: RecordBase, hit: NonNullable<ReturnType<ResponseCache['get']>>): ResponseRecord {
  const now = new Date().toISOString();
  return recordOf(base, { served_model: hit.served_model, text: hit.text, reasoning: hit.reasoning, finish_reason: hit.finish_reason, usage: hit.usage, latency_ms: hit.latency_ms, attempts: 0, error: null, cached: true }, now, now);
}

/** The record of an answer the endpoint gave (or failed to give). */
export function answeredRecord(base: RecordBase, result: ChatResult, startedAt: string): ResponseRecord {
  const answer = { served_model: result.servedModel, text: result.error ? null : result.text, reasoning: result.reasoning, finish_reason: result.finishReason, usage: result.usage, latency_ms: result.latencyMs, attempts: result.attempts, error: result.error };
  return recordOf(base, answer, startedAt, new Date().toISOString());
}

type Answered = Pick<ResponseRecord, 'served_model' | 'text' | 'reasoning' | 'finish_reason' | 'usage' | 'latency_ms' | 'attempts' | 'error' | 'cached'>;

/**
 * A response record as one object literal, every record in the same shape. Spreading `base`
 * into a record of this many fields makes a slow (dictionary-mode) object: building and
 * serialising it took about 80 us against 7 us for the literal.
 */
function recordOf(base: RecordBase, answer: Answered, startedAt: string, finishedAt: string): ResponseRecord {
  return {
    key: base.key,
    request_hash: base.request_hash,
    respondent: base.respondent,
    respondent_kind: base.respondent_kind,
    model: base.model,
    item: base.item,
    variant: base.variant,
    turn: base.turn,
    sample: base.sample,
    messages: base.messages,
    served_model: answer.served_model,
    text: answer.text,
    reasoning: answer.reasoning,
    finish_reason: answer.finish_reason,
    usage: answer.usage,
    latency_ms: answer.latency_ms,
    attempts: answer.attempts,
    error: answer.error,
    cached: answer.cached,
    started_at: startedAt,
    finished_at: finishedAt,
  };
}

/** Keeps a good answer in the response cache (before it is recorded: a run killed in between finds it on resume). */
export function cacheAnswer(cache: ResponseCache | null, record: ResponseRecord, result: ChatResult, identity: EndpointIdentity): void {
  if (!cache || result.error || result.text === null) return;
  cache.put({ request_hash: record.request_hash!, endpoint: identity, model: record.model!, served_model: result.servedModel, text: result.text, reasoning: result.reasoning, finish_reason: result.finishReason, usage: result.usage, latency_ms: result.latencyMs, created_at: record.finished_at! });
}

/** The manifest's final counts and status. */
export function finalManifest(opened: OpenedRun, counts: RunSummary['counts'], complete: boolean): Manifest {
  const status = complete && counts.done === counts.planned ? 'complete' : 'incomplete';
  return { ...opened.manifest, counts: { planned: counts.planned, done: counts.done, errors: counts.errors }, finished_at: new Date().toISOString(), status };
}

async function runLocked(
  options: RunEvalOptions,
  prepared: PreparedRun,
  folder: RunFolder,
  identities: Map<string, EndpointIdentity>,
  clients: Map<string, EndpointClient>,
): Promise<RunSummary> {
  const { bank } = options;
  const opened = await openRun(options, prepared, folder, identities);
  const { endpoints, plan, language } = prepared;
  const { cache, recorded, shared } = opened;

  const progress = new Map<string, EndpointProgress>(
    endpoints.map((e) => [e.name, { name: e.name, total: plan.counts.byEndpoint[e.name].answers, done: 0, errors: 0, retries: 0, cached: 0 }]),
  );
  const started = Date.now();
  const progressState = () => ({ endpoints: [...progress.values()], startedAt: started, now: Date.now() });
  // Progress is offered to the sink on a clock, not per answer: the sink prints at most every
  // 200 ms anyway, and a state built per answer cost CPU on the path to the next request.
  const ticker = options.progress ? setInterval(() => options.progress!.update(progressState()), PROGRESS_TICK_MS) : null;
  ticker?.unref();
  const counts: RunSummary['counts'] = { planned: plan.counts.answers, done: 0, errors: 0, resumed: 0, cached: 0, replayed: 0, requests: 0 };
  // A failed write (disk full) stops every worker; what is recorded stays and resume continues.
  const stopOnFailure = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stopOnFailure.signal]) : stopOnFailure.signal;
  let writeFailure: WriteError | null = null;
  const ledgers = new Map(endpoints.map((e) => [e.name, new EndpointLedger(e)]));
  // Giving an endpoint up also abandons its requests in flight (resume asks them).
  const stops = new Map(endpoints.map((e) => [e.name, new AbortController()]));
  const stopAll = () => stops.forEach((c) => c.abort());
  signal.addEventListener('abort', stopAll, { once: true });
  const failWrite = (err: unknown) => {
    if (!(err instanceof WriteError)) throw err;
    writeFailure ??= err;
    stopOnFailure.abort();
  };
  // Answers are written in batches, at most every 100 ms (or 256 at once): a SIGKILL loses at
  // most those, and the response cache still holds them for the resume. Without a cache nothing
  // would, so answers are written as they come: those that arrived in one turn of the event
  // loop in one write at its end, after the requests that replace them have been sent, so that
  // no paid answer is asked twice and no request waits on the disk.
  const appender = folder.bufferedResponseAppender({ maxLines: 256, maxDelayMs: cache ? 100 : 0, onError: failWrite });
  const pending = new Map<string, Promise<ChatResult>>();
  // Across endpoints; a request with room under the cap is sent at once.
  const inFlight = concurrencyLimit(options.maxInFlight ?? options.config.defaults?.concurrency ?? 512);

  async function runDialogue(dialogue: Dialogue): Promise<void> {
    const { endpoint } = dialogue;
    const tally = progress.get(endpoint.name)!;
    const ledger = ledgers.get(endpoint.name)!;
    const stop = stops.get(endpoint.name)!.signal;
    const answers: string[] = [];
    for (let turn = 0; turn < dialogue.answers; turn++) {
      if (stop.aborted) return;
      // A new run has recorded nothing: no key to make before answerRequest makes it.
      const earlier = recorded.size === 0 ? undefined : recorded.get(dialogueKey(dialogue, turn));
      if (earlier !== undefined) {
        answers.push(earlier);
        counts.resumed++;
        tally.resumed = (tally.resumed ?? 0) + 1;
        counts.done++;
        tally.done++;
        continue;
      }
      const identity = identities.get(endpoint.name)!;
      const { messages, params, hash, base } = answerRequest(bank, dialogue, turn, answers, identity, language);
      let record: ResponseRecord;
      const hit = cache?.get(hash, identity);
      if (hit) {
        counts.replayed++;
        record = cachedRecord(base, hit);
      } else {
        const startedAtTurn = new Date().toISOString();
        // Identical requests in flight at once (e.g. a multi-turn variant's first turn and the
        // clean item) are asked once and share the answer.
        const shared = pending.get(hash);
        const ask = shared ?? inFlight(() => (stop.aborted ? Promise.resolve(ABANDONED) : clients.get(endpoint.name)!.chat({ messages, params, signal: stop })));
        if (!shared) pending.set(hash, ask);
        let result: ChatResult;
        try {
          result = await ask;
        } finally {
          if (!shared) pending.delete(hash);
        }
        if (!shared) {
          counts.requests += result.attempts;
          ledger.sent(result.attempts);
          tally.retries += Math.max(0, result.attempts - 1);
        }
        // A stopped run (or a given-up endpoint) records nothing for the answers it abandoned: resume asks them.
        if (result.error?.kind === 'aborted' || (result.error && stop.aborted)) return;
        record = answeredRecord(base, result, startedAtTurn);
        if (shared) Object.assign(record, { attempts: 0, cached: true });
        // At once, so that an identical request made later in this turn is replayed from the cache.
        else cacheAnswer(cache, record, result, identity);
      }
      if (record.cached) {
        counts.cached++;
        tally.cached++;
      }
      appender.append(record);
      if (ledger.recorded(record)) stops.get(endpoint.name)!.abort();
      if (record.error || record.text === null) {
        counts.errors++;
        tally.errors++;
        return; // a failed turn ends the dialogue; resume continues from it
      }
      counts.done++;
      tally.done++;
      answers.push(record.text);
    }
  }

  try {
    await Promise.all(
      endpoints.map(async (endpoint) => {
        const queue = plan.dialogues.filter((d) => d.endpoint.name === endpoint.name);
        let next = 0;
        const worker = async () => {
          const stop = stops.get(endpoint.name)!.signal;
          while (next < queue.length && !stop.aborted) {
            try {
              await runDialogue(queue[next++]);
            } catch (err) {
              failWrite(err);
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(endpoint.concurrency, queue.length) }, worker));
        progress.get(endpoint.name)!.finishedAt = Date.now();
      }),
    );
  } finally {
    signal.removeEventListener('abort', stopAll);
    if (ticker) clearInterval(ticker);
    options.progress?.finish(progressState());
    try {
      appender.close();
    } catch (err) {
      if (!(err instanceof WriteError)) throw err;
      writeFailure ??= err;
    }
  }
  const final = finalManifest(opened, counts, !writeFailure);
  if (writeFailure) {
    try {
      folder.writeManifest(final, { inPlaceWhenFull: true });
    } catch {
      // the manifest still says "running": resume treats it the same way
    }
    throw writeFailure;
  }
  folder.writeManifest(final);
  const outcomes = endpoints.map((e) => {
    const tally = progress.get(e.name)!;
    return ledgers.get(e.name)!.outcome(tally.total - tally.done - tally.errors);
  });
  return { dir: folder.dir, status: final.status as RunSummary['status'], counts, endpoints: outcomes, shared, manifest: final };
}

/**
 * An endpoint name in a run folder stands for the server and model it was asked at: a config
 * that now points the same name elsewhere would attribute the old answers to the new server.
 */
function checkSameEndpoints(dir: string, previous: Manifest | null, endpoints: EndpointConfig[], identities: Map<string, EndpointIdentity>): void {
  for (const endpoint of endpoints) {
    const before = previous?.endpoints.find((e) => e.name === endpoint.name);
    if (!before) continue;
    const now = identities.get(endpoint.name)!;
    const changes = [
      normalizeBaseURL(before.baseURL) !== now.baseURL && `baseURL ${before.baseURL} -> ${endpoint.baseURL}`,
      before.model !== now.model && `model ${before.model} -> ${now.model}`,
      before.headers && before.headers.fingerprint !== now.headers?.fingerprint && `deployment headers (${before.headers.names.join(', ')}) changed`,
    ].filter(Boolean);
    if (changes.length > 0) {
      throw new UserError(`${dir}: endpoint "${endpoint.name}" was asked at another endpoint in this run folder (${changes.join('; ')}); its answers there are not this endpoint's. Use another --out or give the endpoint another name (or pass --accept-moved-endpoints if it is the same deployment at a new address).`);
    }
  }
}

/** Endpoints whose requests would be identical (same identity and parameters) share answers: grouped by name. */
function sharedAnswerGroups(endpoints: EndpointConfig[], identities: Map<string, EndpointIdentity>): string[][] {
  const groups = new Map<string, string[]>();
  for (const e of endpoints) {
    const key = contentHash({ identity: identities.get(e.name), params: e.params });
    appendTo(groups, key, e.name);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

/**
 * Answers already recorded without error, by key. Only multi-turn dialogues need their text
 * back (it goes into the next turn's messages); the others keep an empty string, so a run of
 * 100,000 answers resumes without holding them in memory.
 */
async function recordedAnswers(folder: RunFolder, bank: Bank): Promise<Map<string, string>> {
  const recorded = new Map<string, string>();
  // A new run: nothing to read (and no record schema to prepare before the first request).
  if (statSync(folder.responsesPath).size === 0) return recorded;
  const dialogueForms = new Set(bank.items.flatMap((item) => item.variants.filter((v) => v.turns).map((v) => `${item.id}|${v.id}`)));
  for await (const record of folder.responses()) {
    if (record.error || record.text === null) continue;
    const needsText = record.variant !== CLEAN && dialogueForms.has(`${record.item}|${record.variant}`);
    recorded.set(record.key, needsText ? record.text : '');
  }
  return recorded;
}

function mergeByName<T extends { name: string }>(earlier: T[], current: T[]): T[] {
  const merged = new Map(earlier.map((e) => [e.name, e]));
  for (const entry of current) merged.set(entry.name, entry);
  return [...merged.values()];
}

function describeFilters(filters: PlanFilters | undefined): Record<string, unknown> {
  if (!filters) return {};
  const { shard, ...rest } = filters;
  return { ...rest, ...(shard && { shard: `${shard.index}/${shard.count}` }) };
}
