/**
 * Scores a run folder: every latest answer in responses.jsonl is scored (matcher, and the
 * judge or jury when given) and appended to scores.jsonl. Resumable: an answer whose latest
 * score is complete and was made with the same signature (matcher version, judges and their
 * models, judge template, jury rule, bank, answer) is not scored again, so re-scoring costs
 * no judge call; incomplete answers (a judge failed) are retried. The run's verdicts.jsonl
 * (adjudications, physicians' labels, imported grades) is read on every scoring and decides
 * over judge and matcher; an answer whose labels changed is decided again from its earlier
 * judge opinions, without asking the judge.
 */
import type { Bank } from '../bank/bank.js';
import { type Item } from '../schema/bank.js';
import { CLEAN } from '../schema/shared.js';
import type { JuryRule } from '../schema/config.js';
import type { AnswerScore } from '../schema/score.js';
import type { ResponseRecord } from '../schema/run.js';
import type { EndpointClient } from '../endpoints/client.js';
import { lockRunFolder } from '../io/lock.js';
import { SilentTally, type SilentRespondent } from '../runner/endpoint-health.js';
import { WriteError } from '../io/safe-write.js';
import { UserError } from '../errors.js';
import { RunFolder } from '../io/run-folder.js';
import { canonicalJson, sha256 } from '../io/hash.js';
import { MATCHER_VERSION } from '../matching/matcher.js';
import { holdsJurorOpinions, jurorOpinions, rescoreWithExternal, scoreWithJudges, scoreWithMatchers } from './score-judged.js';
import { externalHash, latestExternalVerdicts, resolveExternal } from './verdict-sources.js';
import type { ExternalVerdict } from '../schema/external-verdict.js';
import { loadJudgeTemplate, type JudgeTemplate } from './judge/template.js';
import { JudgeDeferred } from './judge/deferred.js';
import { countsOf, stampScore, type ScoreCounts } from './fresh-score.js';
import { ScorePool, type ScoreJob, type ScoreResult } from './score-pool.js';
import type { EntryExternal } from './verdict-sources.js';

export interface ScoreRunOptions {
  bank: Bank;
  /** One judge, or several forming a jury; none = matcher only (offline). */
  judges?: EndpointClient[];
  rule?: JuryRule;
  /** Judge prompt template: a name from rubrics/judge/ or a path (default caps-judge). */
  template?: string | JudgeTemplate;
  /** Answers judged at once (each judge endpoint also keeps its own concurrency limit). */
  concurrency?: number;
  /** Extra judge attempts after invalid output. */
  judgeRetries?: number;
  signal?: AbortSignal;
  /**
   * Worker threads scoring matcher-only answers (0 or 1 = in this thread, the default). Scores
   * are written in input order either way, so scores.jsonl is the same byte for byte; with a
   * judge, answers are scored in this thread (the time goes to the judge calls).
   */
  workers?: number;
  /** Old-generation heap limit of each scoring worker, in MB (default 192; below about 128 the worker spends its time collecting garbage). */
  workerHeapMb?: number;
  /**
   * Answers to score each worker must have before it is started (default MIN_ANSWERS_PER_WORKER):
   * fewer workers than asked, or none, score a small run, with the same scores.jsonl.
   */
  minAnswersPerWorker?: number;
  onProgress?: (progress: { done: number; total: number }) => void;
  /** Score without writing (batch judging's passes that only gather the judge requests). */
  dryRun?: boolean;
}

export interface ScoreRunSummary {
  runDir: string;
  /** Answers in the run (latest response per key). */
  answers: number;
  /** Answers scored now (appended to scores.jsonl). */
  scored: number;
  /** Answers whose earlier score was reused. */
  reused: number;
  complete: number;
  incomplete: number;
  /** Answers without text (the respondent's request failed): scored as errors, fixed by resuming the run. */
  errors: number;
  /** Answers left incomplete because a judge failed (retried on the next caps score). */
  judgeFailures: number;
  judgeCalls: number;
  /** Judge verdicts overruled (invented or missing quotes) and invalid replies, over the scored answers. */
  judgeFaults: number;
  juryTies: number;
  /** Entries decided by both matcher and judge, and how often they agreed (over all current scores). */
  agreement: { compared: number; agreed: number };
  /** Keys of answers whose item or variant is not in the bank (left unscored). */
  unknownItems: string[];
  /** Entries decided by verdicts.jsonl, by source (over all current scores). */
  external: Record<string, number>;
  /** verdicts.jsonl lines that could not be read (line: why), skipped. */
  verdictProblems: string[];
  /** Answers left unscored because a judge's reply is awaited from a batch (batch judging only). */
  deferred: number;
  /** Model respondents none of whose answers has text: nothing to score, never ranked. */
  failedRespondents: SilentRespondent[];
  /** Worker threads that scored (0: this thread), as chosen by workersFor. */
  workers: number;
}

/**
 * A worker pays only past a size: each is its own V8 isolate with its own copy of the bank
 * (cloned, about 0.15 s for 1,000 items) compiling every rubric again, and every answer and
 * score crosses a thread. On 2 cores, 2 workers cost 2.4x the CPU and 2x the memory of one
 * thread at 10,000 answers and were slower in wall time up to 20,000 (docs/benchmarks.md).
 */
export const MIN_ANSWERS_PER_WORKER = 25_000;

/** The worker threads for a scoring: as many as asked (0 and 1 meaning none) but no more than the answers to score keep busy. */
export function workersFor(requested: number, toScore: number, minPerWorker = MIN_ANSWERS_PER_WORKER): number {
  const used = Math.min(requested, minPerWorker > 0 ? Math.floor(toScore / minPerWorker) : requested);
  return used > 1 ? used : 0;
}

/** Everything that decides a score but the verdicts.jsonl labels: an equal signature means no judge need be asked again. */
export function scoreSignature(parts: SignatureParts & { response: ResponseRecord }): string {
  return scoreSigner(parts)(parts.response);
}

interface SignatureParts {
  bank: Bank;
  judges: readonly { name: string; model: string }[];
  template: string | null;
  rule: JuryRule | null;
}

/**
 * The signature of each answer of one scoring: the contentHash of { matcher, judges, template,
 * rule, bank, answer: { text, error, messages } }, its canonical JSON written out with the parts
 * every answer shares serialised once (its keys sorted: answer first, then the shared ones).
 */
export function scoreSigner(parts: SignatureParts): (response: ResponseRecord) => string {
  const shared = canonicalJson({ matcher: MATCHER_VERSION, judges: parts.judges.map(({ name, model }) => ({ name, model })), template: parts.template, rule: parts.rule, bank: parts.bank.hash });
  const after = `,${shared.slice(1)}`;
  return (response) =>
    sha256(`{"answer":{"error":${JSON.stringify(response.error?.kind ?? null)},"messages":${canonicalJson(response.messages)},"text":${JSON.stringify(response.text)}}${after}`);
}

export async function scoreRun(runDir: string, options: ScoreRunOptions): Promise<ScoreRunSummary> {
  const folder = new RunFolder(runDir);
  folder.readManifest();
  const lock = lockRunFolder(folder.dir);
  try {
    return await scoreLocked(folder, options);
  } finally {
    lock.release();
  }
}

/** What is kept of an earlier score to decide reuse and to count it: not the score itself. */
export interface EarlierScore {
  signature: string | undefined;
  status: AnswerScore['status'];
  external: string | undefined;
  /** Every verdict carries a judge's view. */
  judged: boolean;
  counts: ScoreCounts;
  /**
   * The whole score, kept only where a re-score may start from it: not complete, labelled, or
   * holding jurors' opinions a judge would otherwise be asked again for. A matcher-only score
   * is never kept: a run rescored in full would otherwise hold every earlier score in memory.
   */
  score?: AnswerScore;
}

/** What the scoring pass needs of an earlier score (see `EarlierScore.score` for when the score itself is kept). */
export function earlierScore(score: AnswerScore, labelled: boolean): EarlierScore {
  const judged = score.verdicts.every((v) => v.judge !== undefined);
  const earlier: EarlierScore = { signature: score.scorer.signature, status: score.status, external: score.scorer.external, judged, counts: countsOf(score) };
  // Jurors' opinions are reused only when the score is judged again, which a score judged throughout is not.
  if (score.status !== 'complete' || labelled || score.scorer.external !== undefined || (!judged && holdsJurorOpinions(score))) earlier.score = score;
  return earlier;
}

/**
 * The run scored with the folder already locked (batch judging scores it in several passes under one lock).
 * Streams the run: responses are read, scored and appended as they come, a bounded number in
 * flight (`concurrency` in this thread, a few batches per worker on worker threads), so memory
 * holds per answer only its key and line (never the texts, nor the earlier scores but where a
 * re-score starts from one). In this thread scores are appended in the order answers finish
 * (input order without a judge); from the workers, in input order.
 */
export async function scoreLocked(folder: RunFolder, options: ScoreRunOptions): Promise<ScoreRunSummary> {
  const { bank } = options;
  const runDir = folder.dir;
  const judges = options.judges ?? [];
  const template = judges.length === 0 ? null : typeof options.template === 'object' ? options.template : loadJudgeTemplate(options.template);
  const rule: JuryRule = options.rule ?? 'majority';
  const items = new Map(bank.items.map((i) => [i.id, i]));
  const verdictProblems: string[] = [];
  const externalLines: ExternalVerdict[] = [];
  for await (const line of folder.externalVerdicts((p) => verdictProblems.push(`${folder.verdictsPath}:${p.line}: ${p.message}`))) externalLines.push(line);
  const external = latestExternalVerdicts(externalLines);
  const { answers, superseded, previous, toScore } = await readRun(folder, external);
  const judgeInfo = judges.map((j) => ({ name: j.name, model: j.model, template: template!.ref }));
  const signatureOf = scoreSigner({ bank, judges: judgeInfo, template: template?.hash ?? null, rule: judges.length > 1 ? rule : null });

  const summary: ScoreRunSummary = {
    runDir,
    answers,
    scored: 0,
    reused: 0,
    complete: 0,
    incomplete: 0,
    errors: 0,
    judgeFailures: 0,
    judgeCalls: 0,
    judgeFaults: 0,
    juryTies: 0,
    agreement: { compared: 0, agreed: 0 },
    unknownItems: [],
    external: {},
    verdictProblems,
    deferred: 0,
    failedRespondents: [],
    workers: 0,
  };
  const count = (status: AnswerScore['status'], counts: ScoreCounts) => {
    if (status === 'complete') summary.complete++;
    else if (status === 'incomplete') summary.incomplete++;
    else summary.errors++;
    summary.agreement.compared += counts.compared;
    summary.agreement.agreed += counts.agreed;
    for (const [source, n] of Object.entries(counts.external)) summary.external[source] = (summary.external[source] ?? 0) + n;
  };
  const appender = folder.scoreAppender();
  let done = 0;
  // After a failed write (disk full) nothing more is scored; what was appended stays and is reused.
  let writeFailure: WriteError | null = null;
  /** Appends new scores (serialised) in one write; false once the disk refused a write. */
  const record = (lines: readonly string[], results: readonly { status: AnswerScore['status']; counts: ScoreCounts }[]): boolean => {
    try {
      if (!options.dryRun) appender.appendSerialised(lines);
    } catch (err) {
      if (!(err instanceof WriteError)) throw err;
      writeFailure ??= err;
      return false;
    }
    summary.scored += results.length;
    for (const r of results) count(r.status, r.counts);
    return true;
  };
  const recordScore = (score: AnswerScore): boolean => record([JSON.stringify(score)], [{ status: score.status, counts: countsOf(score) }]);
  const progress = (n: number) => {
    done += n;
    options.onProgress?.({ done, total: answers });
  };

  /**
   * What an answer needs, decided without scoring it: nothing (not in the bank), its earlier
   * score (reused), a re-score from its earlier judge opinions after its labels changed, or a
   * new score.
   */
  function plan(response: ResponseRecord): Plan {
    const item = items.get(response.item);
    if (!item || (response.variant !== CLEAN && !item.variants.some((v) => v.id === response.variant))) return { kind: 'unknown' };
    const signature = signatureOf(response);
    const earlier = previous.get(response.key);
    const labels = external.get(response.key);
    const labelHash = externalHash(labels);
    const decided = labels ? resolveExternal(labels) : undefined;
    // A judge that failed on entries the matcher could decide leaves a complete score without the judge's view: retry it too.
    const judgedBefore = judges.length === 0 || earlier?.judged;
    const sameScorer = earlier !== undefined && earlier.status === 'complete' && earlier.signature === signature && judgedBefore;
    if (sameScorer && earlier.external === labelHash) return { kind: 'reused', earlier };
    const relabelled = sameScorer && earlier.score ? rescoreWithExternal({ bank, item, response, earlier: earlier.score, external: decided ?? new Map() }) : undefined;
    if (relabelled && relabelled.status === 'complete') {
      return { kind: 'relabelled', score: { ...relabelled, scorer: { ...relabelled.scorer, ...(labelHash ? { external: labelHash } : { external: undefined }) } } };
    }
    return { kind: 'new', item, signature, labelHash, decided, earlier };
  }

  /** Counts what needs no new score; true when the answer is done with. */
  function settled(response: ResponseRecord, planned: Plan): planned is Extract<Plan, { kind: 'unknown' | 'reused' }> {
    if (planned.kind === 'unknown') summary.unknownItems.push(response.key);
    else if (planned.kind === 'reused') {
      summary.reused++;
      count(planned.earlier.status, planned.earlier.counts);
      progress(1);
    } else return false;
    return true;
  }

  async function scoreOne(response: ResponseRecord): Promise<void> {
    if (writeFailure) return;
    const planned = plan(response);
    if (settled(response, planned)) return;
    if (planned.kind === 'relabelled') {
      if (!recordScore(planned.score)) return;
    } else if (planned.kind === 'new') {
      const { earlier, signature } = planned;
      const judged = await scoreWithJudges({
        bank,
        item: planned.item,
        response,
        judges,
        template,
        rule,
        external: planned.decided,
        kept: earlier?.score && earlier.signature === signature ? jurorOpinions(earlier.score) : undefined,
        retries: options.judgeRetries,
        signal: options.signal,
      }).catch((err: unknown) => {
        if (err instanceof JudgeDeferred) return null;
        throw err;
      });
      if (!judged) {
        summary.deferred++;
        return;
      }
      summary.judgeCalls += judged.calls;
      if (judged.judgeFailed) summary.judgeFailures++;
      const faults = judged.decision?.faults ?? [];
      summary.judgeFaults += faults.filter((f) => f.kind !== 'jury-tie').length;
      summary.juryTies += faults.filter((f) => f.kind === 'jury-tie').length;
      if (!recordScore(stampScore(judged.score, signature, planned.labelHash))) return;
    }
    progress(1);
  }

  // Respondents with no answer, counted on the scoring pass itself: no third read of the run.
  const silent = new SilentTally();
  const latest = async function* (): AsyncGenerator<ResponseRecord> {
    // Counted again as read: a line whose key the first pass took may prove not to be a record.
    let answers = 0;
    for await (const { record: response, offset } of folder.locatedResponses()) {
      if (superseded.has(offset)) continue;
      if (writeFailure) return;
      answers++;
      silent.add(response);
      yield response;
    }
    summary.answers = answers;
    summary.failedRespondents = silent.silent();
  };

  try {
    if (judges.length === 0) summary.workers = workersFor(options.workers ?? 0, toScore, options.minAnswersPerWorker);
    const { workers } = summary;
    if (workers > 1) await scoreOnWorkers(latest(), new ScorePool({ bank, workers, heapMb: options.workerHeapMb }));
    else if (judges.length === 0) await scoreWithMatchersInThread(latest());
    else await scoreInThread(latest());
  } catch (err) {
    // A bad line is found at the end of the full read, after the other answers were scored: say they are kept.
    if (err instanceof UserError && !(err instanceof WriteError) && summary.scored > 0 && !options.dryRun) {
      throw new UserError(`${err.message} The ${summary.scored} answer${summary.scored === 1 ? '' : 's'} that could be read ${summary.scored === 1 ? 'was' : 'were'} scored and kept in scores.jsonl; caps score reuses the complete ones once the line is repaired.`, err.exitCode);
    }
    throw err;
  } finally {
    appender.close();
  }
  if (writeFailure) throw writeFailure;
  return summary;

  /**
   * Matcher-only scoring in this thread: nothing is awaited per answer, and the scores are
   * written in batches of about WRITE_BATCH_CHARS (all kept or, on a failed write, none). A
   * batch lost to a crash costs a re-score of its answers, never a judge call.
   */
  async function scoreWithMatchersInThread(responses: AsyncIterable<ResponseRecord>): Promise<void> {
    let lines: string[] = [];
    let results: { status: AnswerScore['status']; counts: ScoreCounts }[] = [];
    let chars = 0;
    const flush = (): boolean => {
      if (lines.length === 0) return true;
      const written = record(lines, results);
      if (written) progress(lines.length);
      lines = [];
      results = [];
      chars = 0;
      return written;
    };
    try {
      for await (const response of responses) {
        const planned = plan(response);
        if (settled(response, planned)) continue;
        const score =
          planned.kind === 'relabelled'
            ? planned.score
            : scoreWithMatchers({ profile: bank.profile, item: planned.item, response, signature: planned.signature, labelHash: planned.labelHash, external: planned.decided });
        const line = JSON.stringify(score);
        lines.push(line);
        results.push({ status: score.status, counts: countsOf(score) });
        chars += line.length;
        if (chars >= WRITE_BATCH_CHARS && !flush()) return;
      }
    } finally {
      // Scores made before a failure are kept, as when each is written on its own.
      flush();
    }
  }

  async function scoreInThread(responses: AsyncIterable<ResponseRecord>): Promise<void> {
    const concurrency = options.concurrency ?? 16;
    const inFlight = new Set<Promise<void>>();
    // Wakes the reader when a task ends: one waiter at a time, not a Promise.race over every task per answer.
    let slotFreed: (() => void) | null = null;
    const failures: unknown[] = [];
    try {
      for await (const response of responses) {
        const task: Promise<void> = scoreOne(response).then(
          () => {
            inFlight.delete(task);
            slotFreed?.();
          },
          (error: unknown) => {
            inFlight.delete(task);
            failures.push(error);
            slotFreed?.();
          },
        );
        inFlight.add(task);
        // Backpressure: read the next answer only when a slot is free.
        while (inFlight.size >= concurrency && failures.length === 0) await new Promise<void>((resolve) => (slotFreed = resolve));
        slotFreed = null;
        if (failures.length > 0) break;
      }
    } finally {
      // Also when the read fails (a line that is not a record, reported at the end of the read wherever it is): the answers in flight are recorded, their judge calls paid for.
      await Promise.all(inFlight);
    }
    if (failures.length > 0) throw failures[0];
  }

  /**
   * Matcher-only scoring on worker threads: answers go out in batches, at most a few batches
   * per worker in flight (bounded memory), and each batch's scores are written in one write
   * once every earlier batch is written, so the file is in input order, as in one thread.
   */
  async function scoreOnWorkers(responses: AsyncIterable<ResponseRecord>, pool: ScorePool): Promise<void> {
    const queue: Batch[] = [];
    let batch: Batch = { order: [], jobs: [] };
    const writeOldest = async () => {
      const { order, results } = queue.shift()!;
      // Awaited even after a write failed, so no rejection is left unhandled.
      const scored = await results!;
      if (writeFailure) return;
      const lines: string[] = [];
      const counted: ScoreResult[] = [];
      for (const entry of order) {
        const result = typeof entry === 'number' ? scored[entry] : { line: JSON.stringify(entry), status: entry.status, counts: countsOf(entry) };
        lines.push(result.line);
        counted.push(result);
      }
      if (record(lines, counted)) progress(order.length);
    };
    const send = () => {
      batch.results = batch.jobs.length > 0 ? pool.score(batch.jobs) : Promise.resolve([]);
      batch.results.catch(() => undefined);
      queue.push(batch);
      batch = { order: [], jobs: [] };
    };
    try {
      try {
        for await (const response of responses) {
          const planned = plan(response);
          if (settled(response, planned)) continue;
          if (planned.kind === 'relabelled') batch.order.push(planned.score);
          else if (planned.kind === 'new') {
            batch.order.push(batch.jobs.length);
            batch.jobs.push({ response, signature: planned.signature, labelHash: planned.labelHash, decided: planned.decided });
          }
          if (batch.order.length < WORKER_BATCH) continue;
          send();
          while (queue.length >= WORKER_BATCHES_IN_FLIGHT * pool.size) await writeOldest();
        }
      } finally {
        // Also when the read fails (a line that is not a record, reported at the end of the read):
        // the answers read are scored and written, in order, as in one thread.
        if (!writeFailure && batch.order.length > 0) send();
        while (queue.length > 0 && !writeFailure) await writeOldest();
      }
    } finally {
      await pool.close();
    }
  }
}

/**
 * The first passes over the run: responses.jsonl for how many answers it holds (a key's latest
 * line counts; a re-asked answer supersedes its earlier lines) and the lines superseded (almost
 * always none), by byte offset, then scores.jsonl for what each earlier score decides, and how
 * many answers have no complete earlier score. Only the keys of the responses are read here
 * (the scoring pass reads and checks every line in full, and reports any that is not a record):
 * a line supersedes an earlier one only if it is a whole record, which is checked in full for
 * the lines that repeat a key. Only the count and the superseded offsets are kept for the
 * scoring pass: the keys of a large run are garbage before any rubric is compiled.
 */
async function readRun(folder: RunFolder, external: ReadonlyMap<string, unknown>): Promise<{ answers: number; superseded: Set<number>; previous: Map<string, EarlierScore>; toScore: number }> {
  const latestLine = new Map<string, number>();
  const superseded = new Set<number>();
  for await (const lines of folder.responseKeys()) {
    for (const line of lines) {
      const earlier = latestLine.get(line.key);
      if (earlier !== undefined) {
        if (!folder.isResponseAt(line)) continue;
        superseded.add(earlier);
      }
      latestLine.set(line.key, line.offset);
    }
  }
  const previous = new Map<string, EarlierScore>();
  for await (const score of folder.scores()) previous.set(score.key, earlierScore(score, external.has(score.key)));
  let toScore = 0;
  for (const key of latestLine.keys()) if (previous.get(key)?.status !== 'complete') toScore++;
  return { answers: latestLine.size, superseded, previous, toScore };
}

/** Characters of matcher-only score lines written at once: large enough that a write costs little per line, small enough to hold. */
const WRITE_BATCH_CHARS = 256 * 1024;
/** Answers per batch sent to a scoring worker: enough to make the message cost small next to the scoring. */
const WORKER_BATCH = 64;
/** Batches in flight per worker: one being scored, one waiting, one being written. */
const WORKER_BATCHES_IN_FLIGHT = 3;

type Plan =
  | { kind: 'unknown' }
  | { kind: 'reused'; earlier: EarlierScore }
  | { kind: 'relabelled'; score: AnswerScore }
  | { kind: 'new'; item: Item; signature: string; labelHash: string | undefined; decided: Map<string, EntryExternal> | undefined; earlier: EarlierScore | undefined };

/** Answers sent to the workers together: in input order, a job's index or a score already made (a re-score from labels). */
interface Batch {
  order: (number | AnswerScore)[];
  jobs: ScoreJob[];
  results?: Promise<ScoreResult[]>;
}
