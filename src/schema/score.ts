/**
 * Score records: `runs/<id>/scores.jsonl`, one line per scored answer, with a verdict for
 * every rubric entry so each score can be explained and audited.
 */
import { z } from 'zod';
import { EntryKind, EvidenceTag, ScoringProfile, VariantKind } from './shared.js';
import { RespondentKind } from './run.js';
import { inPlace } from './in-place.js';

/**
 * Who decided an entry. `adjudication`, `physician` and `imported` are the verdict sources of
 * the run folder's verdicts.jsonl; `human` is how imported grades were recorded before that.
 */
export const Decider = z.enum(['matcher', 'judge', 'adjudication', 'physician', 'imported', 'human', 'none']);
export type Decider = z.infer<typeof Decider>;

/**
 * Where a quote stands in the answer: the quoted words, their offsets, and the whole sentence
 * around them, so a reader sees the quote in its clause (a negation cut off is visible).
 * Offsets are UTF-16 code units of the answer text: answer.slice(start, end) === quote.
 */
export const Citation = z.object({
  quote: z.string().describe('the words that prove the verdict, as written in the answer'),
  start: z.number().int().nonnegative().describe('offset of the quote in the answer'),
  end: z.number().int().nonnegative(),
  sentence: z.string().describe('the whole sentence (or sentences) containing the quote, as written'),
  sentence_start: z.number().int().nonnegative().describe('offset of the sentence in the answer'),
});
export type Citation = z.infer<typeof Citation>;

/** One decider's opinion on one entry. */
export const Opinion = z.object({
  met: z.boolean(),
  quotes: z.array(z.string()).default([]),
  rationale: z.string().optional(),
  judge: z.string().optional().describe('judge endpoint name (for judge opinions)'),
  model: z.string().optional(),
  template: z.string().optional().describe('judge prompt template id@version'),
  fault: z.string().optional().describe('why a judge verdict was overruled (e.g. its quote is not in the answer)'),
  citations: z.array(Citation).optional().describe('each quote in its sentence, with offsets (absent in scores made before citations)'),
});
export type Opinion = z.infer<typeof Opinion>;

/** A judge misbehaving on one answer: counted and kept so judge quality can be audited. */
export const JudgeFault = z.object({
  judge: z.string(),
  entry: z.string().optional(),
  kind: z.enum([
    'quote-not-found',
    'missing-quote',
    'quote-is-instruction',
    'quote-off-topic',
    'quote-unasserted',
    'quote-rejected',
    'invalid-output',
    'endpoint',
    'jury-tie',
  ]),
  detail: z.string(),
});
export type JudgeFault = z.infer<typeof JudgeFault>;

/** Where a verdict from verdicts.jsonl came from: who graded, when, and the file line or label it was read from. */
export const Provenance = z.object({
  graders: z.array(z.string()).describe('the grader, or the physicians of a majority'),
  at: z.string().optional(),
  origin: z.array(z.string()).default([]).describe('file:line (imported) or studio label of each deciding verdict'),
});
export type Provenance = z.infer<typeof Provenance>;

export const Verdict = z.object({
  entry: z.string(),
  kind: EntryKind,
  /** null: nothing could decide this entry (no matcher and no judge, or the judge failed). */
  met: z.boolean().nullable(),
  decided_by: Decider,
  quotes: z.array(z.string()).default([]),
  /** The deciding opinion's quotes in their sentences, with offsets into the answer. */
  citations: z.array(Citation).optional(),
  rationale: z.string().optional(),
  /** Signed contribution to raw (points earned, miss penalty, deduction); 0 for zero rules and vetoes. */
  points: z.number().default(0),
  matcher: Opinion.optional(),
  judge: Opinion.optional(),
  /** Every juror's opinion when several judges decided (the combined one is in `judge`). */
  judges: z.array(Opinion).optional(),
  /** Present when both matcher and judge decided: whether they agreed. */
  agreement: z.boolean().optional(),
  /** Present when a verdict of verdicts.jsonl decided the entry. */
  provenance: Provenance.optional(),
  /** Why a higher verdict source did not decide (e.g. physicians split without adjudication). */
  flags: z.array(z.string()).optional(),
  evidence: EvidenceTag.optional(),
  safety: z.boolean().optional(),
  critical: z.boolean().optional(),
});
export type Verdict = z.infer<typeof Verdict>;

export const SafetyFailure = z.object({
  entry: z.string(),
  kind: z.enum(['veto', 'safety-deduction']),
  text: z.string().describe('the rubric entry text'),
  quotes: z.array(z.string()),
  citations: z.array(Citation).optional(),
});
export type SafetyFailure = z.infer<typeof SafetyFailure>;

export const ScoreStatus = z.enum(['complete', 'incomplete', 'error']);
export type ScoreStatus = z.infer<typeof ScoreStatus>;

export const AnswerScore = z.object({
  /** The response record key this score belongs to. */
  key: z.string(),
  respondent: z.string(),
  respondent_kind: RespondentKind.default('model'),
  item: z.string(),
  variant: z.string().default('clean'),
  variant_kind: z.union([z.literal('clean'), VariantKind]).default('clean'),
  turn: z.number().int().nonnegative().default(0),
  /** The last turn of the dialogue this answer belongs to (0 for single-turn). */
  last_turn: z.number().int().nonnegative().default(0),
  sample: z.number().int().nonnegative().default(0),
  depth: z.number().int(),
  topic: z.string(),
  profile: ScoringProfile,
  /** Native score of the profile, 0..100 (healthbench per-example scores are unclipped). null when incomplete. */
  score: z.number().nullable(),
  /** The CAPS view, 0..100: vetoes and zero rules applied whatever the profile. */
  caps_score: z.number().nullable(),
  raw: z.number(),
  max: z.number(),
  status: ScoreStatus,
  zeroed_by: z.array(z.string()).default([]),
  vetoed_by: z.array(z.string()).default([]),
  safety: z.array(SafetyFailure).default([]),
  verdicts: z.array(Verdict),
  scorer: z.object({
    matcher: z.string().describe('matcher version'),
    judges: z.array(z.object({ name: z.string(), model: z.string(), template: z.string() })).default([]),
    jury_rule: z.string().optional(),
    /** Hash of everything that decides a score (matcher, judges, template, bank, answer): an equal signature means nothing to redo. */
    signature: z.string().optional(),
    /** Hash of the verdicts.jsonl lines applied to this answer (absent when none). */
    external: z.string().optional(),
  }),
  judge_faults: z.array(JudgeFault).optional(),
  error: z.string().optional(),
  /** Something the reader of this score must know, e.g. that the matchers read only a prefix of a very long answer. */
  note: z.string().optional(),
});
export type AnswerScore = z.infer<typeof AnswerScore>;
export type AnswerScoreInput = z.input<typeof AnswerScore>;

/**
 * A score line as the analysis reads it: checked whole, as an AnswerScore (so the report
 * accepts the lines `caps score` accepts), without a copy when the line is as caps writes it
 * (see inPlace); then how it was scored (the scorer, judge faults, each decider's own opinion),
 * which no report shows, is dropped: reading a study's scores keeps no judge rationale and
 * citations in memory.
 */
export const AnalyzedScore = inPlace(AnswerScore).transform((score): Omit<AnswerScore, 'scorer' | 'judge_faults' | 'verdicts'> & { verdicts: Omit<Verdict, 'matcher' | 'judge' | 'judges'>[] } => {
  // Let go where they are, not copied without: no new object per line (a key left undefined is not written as JSON).
  const dropped = score as Partial<AnswerScore>;
  if (dropped.scorer !== undefined) dropped.scorer = undefined;
  if (dropped.judge_faults !== undefined) dropped.judge_faults = undefined;
  for (const verdict of score.verdicts as Partial<Verdict>[]) {
    if (verdict.matcher !== undefined) verdict.matcher = undefined;
    if (verdict.judge !== undefined) verdict.judge = undefined;
    if (verdict.judges !== undefined) verdict.judges = undefined;
  }
  return score;
});
export type AnalyzedScore = z.infer<typeof AnalyzedScore>;
