/**
 * One answer scored with the matcher and, when judges are given, the judge or jury: the
 * judges are asked (or their earlier opinions reused), their opinions combined by the jury
 * rule, and the score records every juror's opinion and every judge fault.
 */
import type { Bank } from '../bank/bank.js';
import type { Item, ScoringProfile } from '../schema/bank.js';
import type { JuryRule } from '../schema/config.js';
import type { ResponseRecord } from '../schema/run.js';
import type { AnswerScore, Opinion } from '../schema/score.js';
import type { EndpointClient } from '../endpoints/client.js';
import { MATCHER_VERSION } from '../matching/matcher.js';
import { resolveRubric } from './rubric.js';
import { scoreAnswer } from './score-answer.js';
import { itemQuestion } from './question.js';
import { judgeAnswer, type JudgeResult } from './judge/judge.js';
import { combineJury, type JuryDecision } from './judge/jury.js';
import type { JudgeEntry, JudgeTemplate } from './judge/template.js';
import type { EntryExternal } from './verdict-sources.js';

export interface JudgedScoreInput {
  bank: Bank;
  item: Item;
  response: ResponseRecord;
  judges: readonly EndpointClient[];
  /** Required when judges are given. */
  template: JudgeTemplate | null;
  rule: JuryRule;
  /** Verdicts of verdicts.jsonl by entry id: they decide over judge and matcher. */
  external?: ReadonlyMap<string, EntryExternal>;
  /** Earlier opinions by juror name and entry id: a juror that judged every entry is not asked again. */
  kept?: Map<string, Map<string, Opinion>>;
  retries?: number;
  signal?: AbortSignal;
}

export interface JudgedScore {
  score: AnswerScore;
  /** Chat calls made to judges. */
  calls: number;
  /** Some judge gave no judgement (the answer is retried later). */
  judgeFailed: boolean;
  decision: JuryDecision | null;
}

export async function scoreWithJudges(input: JudgedScoreInput): Promise<JudgedScore> {
  const { item, response, judges, template, rule } = input;
  let decision: JuryDecision | null = null;
  let results: JudgeResult[] = [];
  if (judges.length > 0 && template && response.text !== null && response.error === null) {
    const entries = resolveRubric(item, response.variant);
    const question = response.messages.length > 0 ? response.messages : itemQuestion(input.bank, item, response.variant);
    results = await Promise.all(
      judges.map(
        (client) =>
          keptResult(client, template, entries, input.kept?.get(client.name)) ??
          judgeAnswer({ client, template, question, answer: response.text!, entries, retries: input.retries, signal: input.signal, label: response.key }),
      ),
    );
    decision = combineJury(rule, entries, results);
  }
  const score = scoreAnswer({ item, response, profile: input.bank.profile, judgeOpinions: decision?.opinions, external: input.external });
  const jurors = decision?.jurors;
  return {
    score: {
      ...score,
      verdicts: jurors && jurors.size > 0 ? score.verdicts.map((v) => (jurors.has(v.entry) ? { ...v, judges: jurors.get(v.entry) } : v)) : score.verdicts,
      scorer: {
        matcher: MATCHER_VERSION,
        judges: judges.map((j) => ({ name: j.name, model: j.model, template: template!.ref })),
        ...(judges.length > 1 && { jury_rule: rule }),
      },
      ...(decision && decision.faults.length > 0 && { judge_faults: decision.faults }),
    },
    calls: results.reduce((n, r) => n + r.calls, 0),
    judgeFailed: results.some((r) => r.opinions === null),
    decision,
  };
}

/**
 * A matcher-only score, stamped for reuse: the same score scoreWithJudges gives without judges
 * (then stampScore), built in one step and synchronously, since nothing is awaited.
 */
export function scoreWithMatchers(input: { profile: ScoringProfile; item: Item; response: ResponseRecord; signature: string; labelHash: string | undefined; external?: ReadonlyMap<string, EntryExternal> }): AnswerScore {
  const scorer: AnswerScore['scorer'] = { matcher: MATCHER_VERSION, judges: [], signature: input.signature };
  if (input.labelHash) scorer.external = input.labelHash;
  return scoreAnswer({ item: input.item, response: input.response, profile: input.profile, external: input.external, scorerInfo: scorer });
}

/** Whether an earlier score holds any opinion `jurorOpinions` would hand a re-score, without collecting them. */
export function holdsJurorOpinions(score: AnswerScore): boolean {
  return score.verdicts.some((v) => v.judges?.some((opinion) => opinion.judge));
}

/** Each juror's opinions in an earlier score, by juror name and entry id. */
export function jurorOpinions(score: AnswerScore): Map<string, Map<string, Opinion>> {
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

function keptResult(client: EndpointClient, template: JudgeTemplate, entries: readonly JudgeEntry[], kept: Map<string, Opinion> | undefined): Promise<JudgeResult> | null {
  if (!kept || !entries.every((e) => kept.has(e.id))) return null;
  const opinions = new Map(entries.map((e) => [e.id, kept.get(e.id)!]));
  return Promise.resolve({ judge: client.name, model: opinions.get(entries[0].id)!.model ?? client.model, template: template.ref, opinions, faults: [], calls: 0 });
}

/**
 * An earlier score decided again with the run's current verdicts.jsonl, keeping the judge
 * opinions it recorded: a new label or imported grade costs no judge call.
 */
export function rescoreWithExternal(input: { bank: Bank; item: Item; response: ResponseRecord; earlier: AnswerScore; external: ReadonlyMap<string, EntryExternal> }): AnswerScore {
  const { earlier } = input;
  const judgeOpinions = new Map(earlier.verdicts.flatMap((v) => (v.judge ? [[v.entry, v.judge] as const] : [])));
  const jurors = new Map(earlier.verdicts.flatMap((v) => (v.judges ? [[v.entry, v.judges] as const] : [])));
  const score = scoreAnswer({ item: input.item, response: input.response, profile: input.bank.profile, judgeOpinions, external: input.external, scorerInfo: earlier.scorer });
  return {
    ...score,
    verdicts: jurors.size > 0 ? score.verdicts.map((v) => (jurors.has(v.entry) ? { ...v, judges: jurors.get(v.entry) } : v)) : score.verdicts,
    ...(earlier.judge_faults && { judge_faults: earlier.judge_faults }),
  };
}
