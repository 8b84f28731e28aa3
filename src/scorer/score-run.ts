/**
 * Scores a run folder: every latest answer in responses.jsonl is scored (matcher, and the
 * judge or jury when given) and appended to scores.jsonl. Resumable: an answer whose latest
 * score is complete and was made with the same signature (matcher version, judges and their
 * models, judge template, jury rule, bank, answer) is not scored again, so re-scoring costs
 * no judge call; incomplete answers (a judge failed) are retried.
 */
import pLimit from 'p-limit';
import type { Bank } from '../bank/bank.js';
import { CLEAN, type Item } from '../schema/bank.js';
import type { JuryRule } from '../schema/config.js';
import type { ResponseRecord } from '../schema/run.js';
import type { AnswerScore, Opinion } from '../schema/score.js';
import type { EndpointClient } from '../endpoints/client.js';
import { RunFolder } from '../io/run-folder.js';
import { contentHash } from '../io/hash.js';
import { MATCHER_VERSION } from './matcher.js';
import { resolveRubric } from './rubric.js';
import { scoreAnswer } from './score-answer.js';
import { judgeAnswer, type JudgeResult } from './judge/judge.js';
import type { JudgeEntry } from './judge/template.js';
import { combineJury, type JuryDecision } from './judge/jury.js';
import { loadJudgeTemplate, type JudgeTemplate } from './judge/template.js';
import { itemQuestion } from './question.js';

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
}

export async function scoreRun(runDir: string, options: ScoreRunOptions): Promise<ScoreRunSummary> {
  const { bank } = options;
  const folder = new RunFolder(runDir);
  folder.readManifest();
  const judges = options.judges ?? [];
  const template = judges.length === 0 ? null : typeof options.template === 'object' ? options.template : loadJudgeTemplate(options.template);
  const rule: JuryRule = options.rule ?? 'majority';
  const items = new Map(bank.items.map((i) => [i.id, i]));
  const responses = [...(await folder.latestResponses()).values()].sort((a, b) => a.key.localeCompare(b.key));
  const previous = await folder.latestScores();
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
  };
  const current = new Map<string, AnswerScore>();
  const limit = pLimit(options.concurrency ?? 16);
  const appender = folder.scoreAppender();
  let done = 0;
  try {
    await Promise.all(
      responses.map((response) =>
        limit(async () => {
          const item = items.get(response.item);
          if (!item || (response.variant !== CLEAN && !item.variants.some((v) => v.id === response.variant))) {
            summary.unknownItems.push(response.key);
            return;
          }
          const signature = contentHash({
            matcher: MATCHER_VERSION,
            judges: judgeInfo.map(({ name, model }) => ({ name, model })),
            template: template?.hash ?? null,
            rule: judges.length > 1 ? rule : null,
            bank: bank.hash,
            answer: { text: response.text, error: response.error?.kind ?? null, messages: response.messages },
          });
          const earlier = previous.get(response.key);
          // A judge that failed on entries the matcher could decide leaves a complete score without the judge's view: retry it too.
          const judged = judges.length === 0 || earlier?.verdicts.every((v) => v.judge !== undefined);
          if (earlier && earlier.status === 'complete' && earlier.scorer.signature === signature && judged) {
            summary.reused++;
            current.set(response.key, earlier);
          } else {
            const kept = earlier?.scorer.signature === signature ? jurorOpinions(earlier) : new Map<string, Map<string, Opinion>>();
            const score = await scoreOne(response, item, bank, judges, template, rule, signature, options, summary, kept);
            appender.append(score);
            summary.scored++;
            current.set(response.key, score);
          }
          options.onProgress?.({ done: ++done, total: responses.length });
        }),
      ),
    );
  } finally {
    appender.close();
  }

  for (const score of current.values()) {
    if (score.status === 'complete') summary.complete++;
    else if (score.status === 'incomplete') summary.incomplete++;
    else summary.errors++;
    for (const verdict of score.verdicts) {
      if (verdict.agreement === undefined) continue;
      summary.agreement.compared++;
      if (verdict.agreement) summary.agreement.agreed++;
    }
  }
  return summary;
}

async function scoreOne(
  response: ResponseRecord,
  item: Item,
  bank: Bank,
  judges: EndpointClient[],
  template: JudgeTemplate | null,
  rule: JuryRule,
  signature: string,
  options: ScoreRunOptions,
  summary: ScoreRunSummary,
  kept: Map<string, Map<string, Opinion>>,
): Promise<AnswerScore> {
  let decision: JuryDecision | null = null;
  if (judges.length > 0 && template && response.text !== null && response.error === null) {
    const entries = resolveRubric(item, response.variant);
    const results: JudgeResult[] = await Promise.all(
      judges.map((client) =>
        keptResult(client, template, entries, kept.get(client.name)) ??
        judgeAnswer({
          client,
          template,
          question: response.messages.length > 0 ? response.messages : itemQuestion(bank, item, response.variant),
          answer: response.text!,
          entries,
          retries: options.judgeRetries,
          signal: options.signal,
        }),
      ),
    );
    summary.judgeCalls += results.reduce((n, r) => n + r.calls, 0);
    if (results.some((r) => r.opinions === null)) summary.judgeFailures++;
    decision = combineJury(rule, entries, results);
    summary.judgeFaults += decision.faults.filter((f) => f.kind !== 'jury-tie').length;
    summary.juryTies += decision.faults.filter((f) => f.kind === 'jury-tie').length;
  }
  const score = scoreAnswer({ item, response, profile: bank.profile, judgeOpinions: decision?.opinions });
  const jurors = decision?.jurors;
  return {
    ...score,
    verdicts: jurors && jurors.size > 0 ? score.verdicts.map((v) => (jurors.has(v.entry) ? { ...v, judges: jurors.get(v.entry) } : v)) : score.verdicts,
    scorer: {
      ...score.scorer,
      judges: judges.map((j) => ({ name: j.name, model: j.model, template: template!.ref })),
      ...(judges.length > 1 && { jury_rule: rule }),
      signature,
    },
    ...(decision && decision.faults.length > 0 && { judge_faults: decision.faults }),
  };
}

/** Each juror's opinions in an earlier score, by juror name and entry id. */
function jurorOpinions(score: AnswerScore): Map<string, Map<string, Opinion>> {
  const byJuror = new Map<string, Map<string, Opinion>>();
  for (const verdict of score.verdicts) {
    for (const opinion of verdict.judges ?? []) {
      if (!opinion.judge) continue;
      const opinions = byJuror.get(opinion.judge) ?? new Map<string, Opinion>();
      opinions.set(verdict.entry, opinion);
      byJuror.set(opinion.judge, opinions);
    }
  }
  return byJuror;
}

/**
 * A juror that already judged every entry of this answer (the jury failed because of
 * another juror) is not asked again: its earlier opinions are reused.
 */
function keptResult(client: EndpointClient, template: JudgeTemplate, entries: readonly JudgeEntry[], kept: Map<string, Opinion> | undefined): Promise<JudgeResult> | null {
  if (!kept || !entries.every((e) => kept.has(e.id))) return null;
  const opinions = new Map(entries.map((e) => [e.id, kept.get(e.id)!]));
  return Promise.resolve({ judge: client.name, model: opinions.get(entries[0].id)!.model ?? client.model, template: template.ref, opinions, faults: [], calls: 0 });
}
