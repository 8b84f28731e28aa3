/**
 * Scoring of one answer: a verdict for every rubric entry, then the profile arithmetic.
 * A verdict of the run's verdicts.jsonl (adjudication > physician > imported) decides first;
 * then the matcher decides entries that have a `match`; the judge's opinion decides the others;
 * with both, the matcher's verdict stands and the judge's is kept with their agreement.
 * An entry nothing could decide stays `met: null` and the answer is incomplete: it is never
 * counted as not met. An answer that failed to arrive is an error, re-asked rather than scored.
 */
import { CLEAN, type Item, type ScoringProfile } from '../schema/bank.js';
import type { ResponseRecord } from '../schema/run.js';
import type { AnswerScore, Opinion, Verdict } from '../schema/score.js';
import { UserError } from '../errors.js';
import { applyProfile, type EntryVerdict } from './arithmetic.js';
import { MATCHER_VERSION, MAX_MATCHED_CHARS, evaluateMatch, prepareAnswer } from '../matching/matcher.js';
import { resolveRubric, type ResolvedEntry } from './rubric.js';
import type { EntryExternal } from './verdict-sources.js';

/** A judge's opinion on one entry, or why the judge could not give one. */
export type JudgeOpinion = Opinion | { error: string };

export interface ScoreAnswerInput {
  item: Item;
  response: ResponseRecord;
  profile: ScoringProfile;
  /** Judge opinions by entry id. */
  judgeOpinions?: ReadonlyMap<string, JudgeOpinion>;
  /** Verdicts of verdicts.jsonl by entry id (see resolveExternal): they decide over judge and matcher. */
  external?: ReadonlyMap<string, EntryExternal>;
  scorerInfo?: AnswerScore['scorer'];
}

const isJudgeError = (o: JudgeOpinion): o is { error: string } => 'error' in o;

function decide(entry: ResolvedEntry, matcher: Opinion | undefined, judgeOpinion: JudgeOpinion | undefined, external?: EntryExternal): Omit<Verdict, 'points'> {
  const judge = judgeOpinion && !isJudgeError(judgeOpinion) ? judgeOpinion : undefined;
  const base = {
    entry: entry.id,
    kind: entry.kind,
    ...(entry.evidence !== undefined && { evidence: entry.evidence }),
    ...(entry.safety && { safety: true }),
    ...(entry.critical && { critical: true }),
    ...(matcher && { matcher }),
    ...(judge && { judge }),
    ...(external && external.flags.length > 0 && { flags: external.flags }),
  };
  const decision = external?.decision;
  if (decision) {
    return {
      ...base,
      met: decision.met,
      decided_by: decision.source,
      quotes: decision.quotes,
      ...(decision.rationale !== undefined && { rationale: decision.rationale }),
      provenance: decision.provenance,
      ...(matcher && judge && { agreement: judge.met === matcher.met }),
    };
  }
  if (matcher) {
    return {
      ...base,
      met: matcher.met,
      decided_by: 'matcher',
      quotes: matcher.quotes,
      ...(matcher.rationale !== undefined && { rationale: matcher.rationale }),
      ...(judge && { agreement: judge.met === matcher.met }),
    };
  }
  if (judge) {
    return {
      ...base,
      met: judge.met,
      decided_by: 'judge',
      quotes: judge.quotes,
      ...(judge.rationale !== undefined && { rationale: judge.rationale }),
    };
  }
  const rationale =
    judgeOpinion && isJudgeError(judgeOpinion) ? `judge failed: ${judgeOpinion.error}` : 'no matcher and no judge opinion for this entry';
  return { ...base, met: null, decided_by: 'none', quotes: [], rationale };
}

export function scoreAnswer(input: ScoreAnswerInput): AnswerScore {
  const { item, response, profile } = input;
  const variant = response.variant === CLEAN ? undefined : item.variants.find((v) => v.id === response.variant);
  if (response.variant !== CLEAN && !variant) {
    throw new UserError(`response ${response.key}: item ${item.id} has no variant "${response.variant}" (was the bank changed since the run?)`);
  }
  const entries = resolveRubric(item, response.variant);
  const header = {
    key: response.key,
    respondent: response.respondent,
    respondent_kind: response.respondent_kind,
    item: item.id,
    variant: response.variant,
    variant_kind: variant?.kind ?? CLEAN,
    turn: response.turn,
    last_turn: variant?.turns?.length ?? 0,
    sample: response.sample,
    depth: item.depth,
    topic: item.topic,
    profile,
    scorer: input.scorerInfo ?? { matcher: MATCHER_VERSION, judges: [] },
  } satisfies Partial<AnswerScore>;

  if (response.error || response.text === null || response.text.trim() === '') {
    const max = entries.reduce((sum, e) => sum + (e.kind === 'point' && e.score > 0 ? e.score : 0), 0);
    return {
      ...header,
      score: null,
      caps_score: null,
      raw: 0,
      max,
      status: 'error',
      zeroed_by: [],
      vetoed_by: [],
      safety: [],
      verdicts: [],
      error: response.error ? `${response.error.kind}: ${response.error.message}` : 'the response has no text',
    };
  }

  const answer = prepareAnswer(response.text);
  const decided = entries.map((entry) => {
    const outcome = entry.match ? evaluateMatch(entry.match, answer) : undefined;
    const matcher: Opinion | undefined = outcome && { met: outcome.met, quotes: outcome.quotes, ...(outcome.met && { citations: outcome.citations }), rationale: outcome.detail };
    return withEvidence(decide(entry, matcher, input.judgeOpinions?.get(entry.id), input.external?.get(entry.id)));
  });
  const verdictMap = new Map<string, EntryVerdict>(decided.map((v) => [v.entry, { met: v.met, quotes: v.quotes, citations: v.citations }]));
  const result = applyProfile(entries, verdictMap, profile);
  const verdicts: Verdict[] = decided.map((v) => ({ ...v, points: result.contributions.get(v.entry) ?? 0 }));

  return {
    ...header,
    score: result.score,
    caps_score: result.caps_score,
    raw: result.raw,
    max: result.max,
    status: result.status,
    zeroed_by: result.zeroed_by,
    vetoed_by: result.vetoed_by,
    safety: result.safety,
    verdicts,
    ...(answer.unread > 0 && {
      note: `the answer has ${response.text.length} characters; the matchers read the first ${MAX_MATCHED_CHARS} and not the last ${answer.unread}`,
    }),
  };
}

/** The deciding opinion's citations on a met verdict, and an overruled judge quote's fault as the verdict's reason. */
function withEvidence(verdict: Omit<Verdict, 'points'>): Omit<Verdict, 'points'> {
  const opinion = verdict.decided_by === 'matcher' ? verdict.matcher : verdict.decided_by === 'judge' ? verdict.judge : undefined;
  if (!opinion) return verdict;
  if (opinion.met && opinion.citations && opinion.citations.length > 0) verdict.citations = opinion.citations;
  // The reader sees first why a judge's "met" did not stand.
  if (verdict.decided_by === 'judge' && opinion.fault) verdict.rationale = opinion.fault;
  return verdict;
}
