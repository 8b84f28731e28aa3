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
import pLimit from 'p-limit';
import type { Bank } from '../bank/bank.js';
import { CLEAN } from '../schema/bank.js';
import type { JuryRule } from '../schema/config.js';
import type { AnswerScore } from '../schema/score.js';
import type { ResponseRecord } from '../schema/run.js';
import type { EndpointClient } from '../endpoints/client.js';
import { lockRunFolder } from '../io/lock.js';
import { WriteError } from '../io/safe-write.js';
import { RunFolder } from '../io/run-folder.js';
import { contentHash } from '../io/hash.js';
import { MATCHER_VERSION } from './matcher.js';
import { jurorOpinions, rescoreWithExternal, scoreWithJudges } from './score-judged.js';
import { externalHash, latestExternalVerdicts, resolveExternal } from './verdict-sources.js';
import type { ExternalVerdict } from '../schema/external-verdict.js';
import { loadJudgeTemplate, type JudgeTemplate } from './judge/template.js';

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
  onProgress?: (progress: { done: number; total: number }) => void;
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
}

/** Everything that decides a score but the verdicts.jsonl labels: an equal signature means no judge need be asked again. */
export function scoreSignature(parts: { bank: Bank; judges: readonly { name: string; model: string }[]; template: string | null; rule: JuryRule | null; response: ResponseRecord }): string {
  const { response } = parts;
  return contentHash({
    matcher: MATCHER_VERSION,
    judges: parts.judges.map(({ name, model }) => ({ name, model })),
    template: parts.template,
    rule: parts.rule,
    bank: parts.bank.hash,
    answer: { text: response.text, error: response.error?.kind ?? null, messages: response.messages },
  });
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

async function scoreLocked(folder: RunFolder, options: ScoreRunOptions): Promise<ScoreRunSummary> {
  const { bank } = options;
  const runDir = folder.dir;
  const judges = options.judges ?? [];
  const template = judges.length === 0 ? null : typeof options.template === 'object' ? options.template : loadJudgeTemplate(options.template);
  const rule: JuryRule = options.rule ?? 'majority';
  const items = new Map(bank.items.map((i) => [i.id, i]));
  const responses = [...(await folder.latestResponses()).values()].sort((a, b) => a.key.localeCompare(b.key));
  const previous = await folder.latestScores();
  const verdictProblems: string[] = [];
  const externalLines: ExternalVerdict[] = [];
  for await (const line of folder.externalVerdicts((p) => verdictProblems.push(`${folder.verdictsPath}:${p.line}: ${p.message}`))) externalLines.push(line);
  const external = latestExternalVerdicts(externalLines);
  const judgeInfo = judges.map((j) => ({ name: j.name, model: j.model, template: template!.ref }));

  const summary: ScoreRunSummary = {
    runDir,
    answers: responses.length,
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
  };
  const current = new Map<string, AnswerScore>();
  const limit = pLimit(options.concurrency ?? 16);
  const appender = folder.scoreAppender();
  let done = 0;
  // After a failed write (disk full) nothing more is scored; what was appended stays and is reused.
  let writeFailure: WriteError | null = null;
  /** Appends a new score; false once the disk refused a write. */
  const record = (score: AnswerScore): boolean => {
    try {
      appender.append(score);
    } catch (err) {
      if (!(err instanceof WriteError)) throw err;
      writeFailure ??= err;
      return false;
    }
    summary.scored++;
    current.set(score.key, score);
    return true;
  };
  try {
    await Promise.all(
      responses.map((response) =>
        limit(async () => {
          if (writeFailure) return;
          const item = items.get(response.item);
          if (!item || (response.variant !== CLEAN && !item.variants.some((v) => v.id === response.variant))) {
            summary.unknownItems.push(response.key);
            return;
          }
          const signature = scoreSignature({ bank, judges: judgeInfo, template: template?.hash ?? null, rule: judges.length > 1 ? rule : null, response });
          const earlier = previous.get(response.key);
          const labels = external.get(response.key);
          const labelHash = externalHash(labels);
          const decided = labels ? resolveExternal(labels) : undefined;
          // A judge that failed on entries the matcher could decide leaves a complete score without the judge's view: retry it too.
          const judgedBefore = judges.length === 0 || earlier?.verdicts.every((v) => v.judge !== undefined);
          const sameScorer = earlier !== undefined && earlier.status === 'complete' && earlier.scorer.signature === signature && judgedBefore;
          const relabelled = sameScorer && earlier.scorer.external !== labelHash ? rescoreWithExternal({ bank, item, response, earlier, external: decided ?? new Map() }) : undefined;
          if (sameScorer && earlier.scorer.external === labelHash) {
            summary.reused++;
            current.set(response.key, earlier);
          } else if (relabelled && relabelled.status === 'complete') {
            const score: AnswerScore = { ...relabelled, scorer: { ...relabelled.scorer, ...(labelHash ? { external: labelHash } : { external: undefined }) } };
            if (!record(score)) return;
          } else {
            const judged = await scoreWithJudges({
              bank,
              item,
              response,
              judges,
              template,
              rule,
              external: decided,
              kept: earlier?.scorer.signature === signature ? jurorOpinions(earlier) : undefined,
              retries: options.judgeRetries,
              signal: options.signal,
            });
            summary.judgeCalls += judged.calls;
            if (judged.judgeFailed) summary.judgeFailures++;
            const faults = judged.decision?.faults ?? [];
            summary.judgeFaults += faults.filter((f) => f.kind !== 'jury-tie').length;
            summary.juryTies += faults.filter((f) => f.kind === 'jury-tie').length;
            const score: AnswerScore = { ...judged.score, scorer: { ...judged.score.scorer, signature, ...(labelHash && { external: labelHash }) } };
            if (!record(score)) return;
          }
          options.onProgress?.({ done: ++done, total: responses.length });
        }),
      ),
    );
  } finally {
    appender.close();
  }
  if (writeFailure) throw writeFailure;

  for (const score of current.values()) {
    if (score.status === 'complete') summary.complete++;
    else if (score.status === 'incomplete') summary.incomplete++;
    else summary.errors++;
    for (const verdict of score.verdicts) {
      if (verdict.provenance) summary.external[verdict.decided_by] = (summary.external[verdict.decided_by] ?? 0) + 1;
      if (verdict.agreement === undefined) continue;
      summary.agreement.compared++;
      if (verdict.agreement) summary.agreement.agreed++;
    }
  }
  return summary;
}
