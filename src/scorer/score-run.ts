/**
 * Scores a run folder: every latest answer in responses.jsonl is scored (matcher, and the
 * judge or jury when given) and appended to scores.jsonl. Resumable: an answer whose latest
 * score is complete and was made with the same signature (matcher version, judges and their
 * models, judge template, jury rule, bank, answer) is not scored again, so re-scoring costs
 * no judge call; incomplete answers (a judge failed) are retried.
 */
import pLimit from 'p-limit';
import type { Bank } from '../bank/bank.js';
import { CLEAN } from '../schema/bank.js';
import type { JuryRule } from '../schema/config.js';
import type { AnswerScore } from '../schema/score.js';
import type { EndpointClient } from '../endpoints/client.js';
import { RunFolder } from '../io/run-folder.js';
import { contentHash } from '../io/hash.js';
import { MATCHER_VERSION } from '../matching/matcher.js';
import { jurorOpinions, scoreWithJudges } from './score-judged.js';
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
          const judgedBefore = judges.length === 0 || earlier?.verdicts.every((v) => v.judge !== undefined);
          if (earlier && earlier.status === 'complete' && earlier.scorer.signature === signature && judgedBefore) {
            summary.reused++;
            current.set(response.key, earlier);
          } else {
            const judged = await scoreWithJudges({
              bank,
              item,
              response,
              judges,
              template,
              rule,
              kept: earlier?.scorer.signature === signature ? jurorOpinions(earlier) : undefined,
              retries: options.judgeRetries,
              signal: options.signal,
            });
            summary.judgeCalls += judged.calls;
            if (judged.judgeFailed) summary.judgeFailures++;
            const faults = judged.decision?.faults ?? [];
            summary.judgeFaults += faults.filter((f) => f.kind !== 'jury-tie').length;
            summary.juryTies += faults.filter((f) => f.kind === 'jury-tie').length;
            const score: AnswerScore = { ...judged.score, scorer: { ...judged.score.scorer, signature } };
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
