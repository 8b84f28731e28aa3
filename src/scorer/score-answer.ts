/**
 * Scoring of one answer: a verdict for every rubric entry, then the profile arithmetic.
 * A verdict of the run's verdicts.jsonl (adjudication > physician > imported) decides first;
 * then the matcher decides entries that have a `match`; the judge's opinion decides the others;
 * with both, the matcher's verdict stands and the judge's is kept with their agreement.
 * An entry nothing could decide stays `met: null` and the answer is incomplete: it is never
 * counted as not met. An answer that failed to arrive is an error, re-asked rather than scored.
 */
import { type Item, type ScoringProfile } from '../schema/bank.js';
import { CLEAN } from '../schema/shared.js';
import type { ResponseRecord } from '../schema/run.js';
import type { AnswerScore, Opinion, Verdict } from '../schema/score.js';
import { UserError } from '../errors.js';
import { scoreEntries, type EntryVerdict } from './arithmetic.js';
import { compileMatch, type CompiledMatch, MATCHER_VERSION, MAX_MATCHED_CHARS, evaluateMatch, prepareAnswer, type MatchOutcome } from '../matching/matcher.js';
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

// Built by assignment, not by spreading conditional parts: this runs for every entry of every
// answer, and the keys keep the order of the recorded JSON.
function decide(entry: ResolvedEntry, matcher: Opinion | undefined, judgeOpinion: JudgeOpinion | undefined, external?: EntryExternal): Omit<Verdict, 'points'> {
  const judge = judgeOpinion && !isJudgeError(judgeOpinion) ? judgeOpinion : undefined;
  const verdict = { entry: entry.id, kind: entry.kind } as Omit<Verdict, 'points'>;
  if (entry.evidence !== undefined) verdict.evidence = entry.evidence;
  if (entry.safety) verdict.safety = true;
  if (entry.critical) verdict.critical = true;
  if (matcher) verdict.matcher = matcher;
  if (judge) verdict.judge = judge;
  if (external && external.flags.length > 0) verdict.flags = external.flags;
  const decision = external?.decision;
  if (decision) {
    verdict.met = decision.met;
    verdict.decided_by = decision.source;
    verdict.quotes = decision.quotes;
    if (decision.rationale !== undefined) verdict.rationale = decision.rationale;
    verdict.provenance = decision.provenance;
    if (matcher && judge) verdict.agreement = judge.met === matcher.met;
  } else if (matcher) {
    verdict.met = matcher.met;
    verdict.decided_by = 'matcher';
    verdict.quotes = matcher.quotes;
    if (matcher.rationale !== undefined) verdict.rationale = matcher.rationale;
    if (judge) verdict.agreement = judge.met === matcher.met;
  } else if (judge) {
    verdict.met = judge.met;
    verdict.decided_by = 'judge';
    verdict.quotes = judge.quotes;
    if (judge.rationale !== undefined) verdict.rationale = judge.rationale;
  } else {
    verdict.met = null;
    verdict.decided_by = 'none';
    verdict.quotes = [];
    verdict.rationale = judgeOpinion && isJudgeError(judgeOpinion) ? `judge failed: ${judgeOpinion.error}` : 'no matcher and no judge opinion for this entry';
  }
  return verdict;
}

/** An item's resolved rubric for one variant, with each entry's matcher compiled (undefined where it has no `match`). */
interface ScoringRubric {
  entries: readonly ResolvedEntry[];
  matchers: readonly (CompiledMatch | undefined)[];
}

/** Each item's scoring rubric per variant, made once for as long as the item (its bank) lives; never modified. */
const rubrics = new WeakMap<Item, Map<string, ScoringRubric>>();

function rubricOf(item: Item, variant: string): ScoringRubric {
  let byVariant = rubrics.get(item);
  if (!byVariant) {
    byVariant = new Map();
    rubrics.set(item, byVariant);
  }
  let rubric = byVariant.get(variant);
  if (!rubric) {
    const entries = resolveRubric(item, variant).map(uniform);
    rubric = { entries, matchers: entries.map((e) => e.match && compileMatch(e.match)) };
    byVariant.set(variant, rubric);
  }
  return rubric;
}

/** The entry with every field present (absent ones undefined): one object shape keeps the per-entry reads of every answer fast. */
function uniform(e: ResolvedEntry): ResolvedEntry {
  return {
    id: e.id,
    kind: e.kind,
    text: e.text,
    text_en: e.text_en,
    score: e.score,
    critical: e.critical,
    missPenalty: e.missPenalty,
    safety: e.safety,
    veto: e.veto,
    evidence: e.evidence,
    tags: e.tags,
    match: e.match,
    examples: e.examples,
    variant: e.variant,
  };
}

export function scoreAnswer(input: ScoreAnswerInput): AnswerScore {
  const { item, response, profile } = input;
  const variant = response.variant === CLEAN ? undefined : item.variants.find((v) => v.id === response.variant);
  if (response.variant !== CLEAN && !variant) {
    throw new UserError(`response ${response.key}: item ${item.id} has no variant "${response.variant}" (was the bank changed since the run?)`);
  }
  const { entries, matchers } = rubricOf(item, response.variant);
  if (response.error || response.text === null || response.text.trim() === '') {
    const max = entries.reduce((sum, e) => sum + (e.kind === 'point' && e.score > 0 ? e.score : 0), 0);
    const failed = answerScore(input, variant, { score: null, caps_score: null, raw: 0, max, status: 'error', zeroed_by: [], vetoed_by: [], safety: [] }, []);
    failed.error = response.error ? `${response.error.kind}: ${response.error.message}` : 'the response has no text';
    return failed;
  }

  const answer = prepareAnswer(response.text);
  const decided = entries.map((entry, i) => {
    const compiled = matchers[i];
    const matcher = compiled ? matcherOpinion(evaluateMatch(compiled, answer)) : undefined;
    return withEvidence(decide(entry, matcher, input.judgeOpinions?.get(entry.id), input.external?.get(entry.id)));
  });
  // A verdict carries what the arithmetic reads of it (met, quotes, citations).
  const result = scoreEntries(entries, decided as EntryVerdict[], profile);
  const verdicts = decided as Verdict[];
  for (let i = 0; i < verdicts.length; i++) verdicts[i].points = result.points[i];

  const score = answerScore(input, variant, result, verdicts);
  if (answer.unread > 0) score.note = `the answer has ${response.text.length} characters; the matchers read the first ${MAX_MATCHED_CHARS} and not the last ${answer.unread}`;
  return score;
}

type ScoreOutcome = Pick<AnswerScore, 'score' | 'caps_score' | 'raw' | 'max' | 'status' | 'zeroed_by' | 'vetoed_by' | 'safety'>;

/**
 * The score as one literal, its keys in the recorded order. Not `{ ...header, score, ... }`:
 * on Node 20 every property a literal adds after a spread copies the object's map and its
 * descriptors, about 7 KB per score, and most of it lived long enough to be copied into the
 * old generation (some 40 MB per 10,000 answers; docs/benchmarks.md).
 */
function answerScore(input: ScoreAnswerInput, variant: Item['variants'][number] | undefined, outcome: ScoreOutcome, verdicts: Verdict[]): AnswerScore {
  const { item, response } = input;
  return {
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
    profile: input.profile,
    scorer: input.scorerInfo ?? { matcher: MATCHER_VERSION, judges: [] },
    score: outcome.score,
    caps_score: outcome.caps_score,
    raw: outcome.raw,
    max: outcome.max,
    status: outcome.status,
    zeroed_by: outcome.zeroed_by,
    vetoed_by: outcome.vetoed_by,
    safety: outcome.safety,
    verdicts,
  };
}

/** The matcher's opinion, built by assignment (this runs for every check): its citations only when met. */
function matcherOpinion(outcome: MatchOutcome): Opinion {
  const opinion = { met: outcome.met, quotes: outcome.quotes } as Opinion;
  if (outcome.met) opinion.citations = outcome.citations;
  opinion.rationale = outcome.detail;
  return opinion;
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
