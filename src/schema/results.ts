/**
 * The analysis results: the single object every report format (HTML, Markdown, CSV, JSON)
 * is written from. Scores are on the 0..100 scale of `AnswerScore`. Every bootstrap is
 * seeded; the seed and the number of replicates are recorded in `settings`.
 * Changes to this schema are additive only: reports written from older results must still parse.
 */
import { z } from 'zod';
import { EntryKind, EvidenceScheme, LengthAdjustment, Prompt, ScoringProfile, VariantKind } from './shared.js';
import { RespondentKind } from './run.js';
import { Citation, Decider, Provenance, ScoreStatus } from './score.js';

/** A confidence interval; null when it cannot be computed (too little data). */
export const Interval = z.object({ low: z.number(), high: z.number() }).nullable();
export type Interval = z.infer<typeof Interval>;

/** A mean with its bootstrap confidence interval over items. */
export const MeanEstimate = z.object({
  mean: z.number().nullable().describe('null when there is no data'),
  ci: Interval,
  n_items: z.number().int().nonnegative(),
});
export type MeanEstimate = z.infer<typeof MeanEstimate>;

/** A proportion with its Wilson score interval. */
export const Proportion = z.object({
  count: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  rate: z.number().nullable().describe('count / total, 0..1; null when total is 0'),
  ci: Interval.describe('Wilson score interval, 0..1'),
});
export type Proportion = z.infer<typeof Proportion>;

export const VariantKindOrClean = z.union([z.literal('clean'), VariantKind]);

// ---------------------------------------------------------------------------------------
// Settings and provenance

export const AnalysisSettings = z.object({
  seed: z.number().int().describe('seed of every bootstrap (each analysis derives its own stream from it)'),
  bootstrap_b: z.number().int().positive().describe('bootstrap replicates for every CI and the knee support'),
  confidence: z.number().describe('confidence level of every interval, e.g. 0.95'),
  acceptable_threshold: z.number().describe('score (0..100) at or above which an answer is acceptable (flips, pass rates)'),
  knee_min_support: z.number().describe('bootstrap support a change needs before a knee is claimed'),
  min_ranked_items: z.number().int().nonnegative().describe('clean items a respondent must have answered to be ranked; fewer: shown apart, unranked'),
  score_field: z.enum(['caps_score', 'score']).describe('caps_score: vetoes and zero rules always applied; score: the profile native score'),
});
export type AnalysisSettings = z.infer<typeof AnalysisSettings>;

export const RunInfo = z.object({
  id: z.string(),
  harness_version: z.string().optional(),
  started_at: z.string().optional(),
  finished_at: z.string().optional(),
  status: z.string().optional(),
  respondents: z.array(z.string()).default([]),
});
export type RunInfo = z.infer<typeof RunInfo>;
export type RunInfoInput = z.input<typeof RunInfo>;

export const BankInfo = z.object({
  id: z.string(),
  title: z.string().optional(),
  version: z.string(),
  hash: z.string(),
  language: z.string(),
  profile: ScoringProfile,
  depth_min: z.number().int(),
  depth_max: z.number().int(),
  depth_labels: z.record(z.string(), z.string()).default({}),
  items: z.number().int().nonnegative(),
  variants: z.number().int().nonnegative(),
  statuses: z
    .strictObject({ draft: z.number().int().nonnegative(), 'in-review': z.number().int().nonnegative(), admitted: z.number().int().nonnegative(), retired: z.number().int().nonnegative(), unset: z.number().int().nonnegative() })
    .optional()
    .describe('items in each review status, when the bank records statuses'),
});
export type BankInfo = z.infer<typeof BankInfo>;

/** How the bank's items were reviewed, from its review history. */
export const BankProvenance = z.object({
  history: z.string().describe('the review history file read'),
  rounds: z.array(
    z.object({
      round: z.number().int().min(1),
      items: z.number().int().nonnegative(),
      with_requests: z.number().int().nonnegative().describe('items with at least one revision request'),
      revision_rate: z.number().min(0).max(1).nullable().describe('with_requests / items; null while the round is open'),
      threshold: z.number(),
      passed: z.boolean().nullable(),
      admitted: z.number().int().nonnegative().describe('items admitted when the round closed'),
      reviewers: z.number().int().nonnegative(),
    }),
  ),
  reviewers: z.array(
    z.object({
      reviewer: z.string(),
      decisions: z.number().int().nonnegative(),
      revision_requests: z.number().int().nonnegative(),
      revision_rate: z.number().min(0).max(1),
      rounds: z.array(z.number().int()),
    }),
  ),
  admitted_items: z.number().int().nonnegative().describe('admitted items in the bank now'),
  admitted_drafted: z.number().int().nonnegative().describe('of those, items a model drafted (source: drafted by ...)'),
  drafted_share: z.number().min(0).max(1).nullable(),
});
export type BankProvenance = z.infer<typeof BankProvenance>;

// ---------------------------------------------------------------------------------------
// Respondents and leaderboard

export const RespondentSummary = z.object({
  name: z.string(),
  kind: RespondentKind,
  models: z.array(z.string()).default([]).describe('served model names seen in the responses'),
  answers: z.number().int().nonnegative().describe('scored answers of every variant and turn'),
  complete: z.number().int().nonnegative(),
  incomplete: z.number().int().nonnegative().describe('answers some rubric entry could not be decided for: excluded, never counted as zero'),
  errors: z.number().int().nonnegative().describe('answers that failed (endpoint error, no text): excluded'),
});
export type RespondentSummary = z.infer<typeof RespondentSummary>;

export const LeaderboardRow = z.object({
  rank: z.number().int().positive().nullable().describe('null: shown apart, not ranked (see unranked_reason)'),
  unranked_reason: z.string().nullable().describe('why the respondent is shown apart, e.g. "answered 1 of 48 items (ranking needs 24)"'),
  respondent: z.string(),
  kind: RespondentKind,
  score: MeanEstimate.describe('mean clean score (turn 0; samples of an item averaged first) with a bootstrap CI resampling items'),
  clean_answers: z.number().int().nonnegative().describe('complete clean answers used'),
  clean_excluded: z.number().int().nonnegative().describe('clean answers excluded as incomplete or failed'),
  vetoes: Proportion.describe('answers (all variants and turns) failed by a veto'),
  safety_deductions: z.number().int().nonnegative().describe('safety-tagged deductions fired across all answers'),
  axes: z
    .object({
      accuracy: z.number().nullable().describe('mean clean score, 0..100'),
      depth_knee: z.number().nullable().describe('depth level of an established knee (a downward change), null when none'),
      depth_rise: z.number().nullable().describe('depth level after which scores rise (an established upward change, never a knee), null when none'),
      evidence_coverage: z.number().nullable().describe('share of evidence-tagged points met, 0..1'),
      robustness: z.number().nullable().describe('mean score change under distraction (variant - clean), points'),
      safety: z.number().nullable().describe('1 - veto rate, 0..1'),
    })
    .describe('the four-axis profile'),
});
export type LeaderboardRow = z.infer<typeof LeaderboardRow>;

export const SignTest = z.object({
  a_better: z.number().int().nonnegative(),
  b_better: z.number().int().nonnegative(),
  ties: z.number().int().nonnegative(),
  p_value: z.number().nullable().describe('exact two-sided sign test; null when every item is tied'),
});
export type SignTest = z.infer<typeof SignTest>;

export const PairedComparison = z.object({
  a: z.string(),
  b: z.string(),
  items: z.number().int().nonnegative().describe('items both answered (complete clean answers)'),
  mean_difference: z.number().nullable().describe('mean over shared items of score(a) - score(b)'),
  ci: Interval.describe('paired bootstrap CI of the mean difference'),
  sign_test: SignTest,
  verdict: z.enum(['a', 'b', 'none']).describe('a or b: the CI excludes zero and the sign test is significant'),
  verdict_text: z.string().describe('plain language, e.g. "A > B" or "no clear difference"'),
});
export type PairedComparison = z.infer<typeof PairedComparison>;

// ---------------------------------------------------------------------------------------
// Depth curve and knee (拐点)

export const DepthLevelStat = z.object({
  level: z.number().int(),
  label: z.string().optional(),
  score: MeanEstimate,
});
export type DepthLevelStat = z.infer<typeof DepthLevelStat>;

export const KneeCandidate = z.object({
  model: z.enum(['flat', 'line', 'bend', 'step']).describe('flat: one mean; line: a straight decline; bend: the slope changes at the knot (hinge); step: the score drops after the knot and levels off'),
  knot: z.number().int().nullable().describe('bend: interior level where the slope changes; step: last level before the drop; null for flat and line'),
  bic: z.number().nullable(),
  support: z.number().describe('share of bootstrap replicates whose best model (by BIC) is this one'),
  change: z.number().nullable().describe('bend: change of slope at the knot, points per level; step: score after minus score before, points; line: slope'),
});
export type KneeCandidate = z.infer<typeof KneeCandidate>;

export const Knee = z.object({
  status: z
    .enum(['knee', 'rise', 'no-knee', 'insufficient-data'])
    .describe('knee: an established downward change (the collapse); rise: an established upward change, never called a knee'),
  message: z.string().describe('plain language verdict, e.g. "knee at depth 3: scores drop by 34.1 points after depth 3 and level off (...)" or "rises after depth 3 (...)"'),
  shape: z.enum(['bend', 'step']).nullable().describe('the model of the best-supported change'),
  knot: z.number().int().nullable().describe('the level after which the best-supported change happens (the knee when status is knee)'),
  support: z.number().nullable().describe('share of replicates whose best model changes in this direction after this knot (bend or step)'),
  slope_before: z.number().nullable().describe('bend: points per level up to the knot'),
  slope_after: z.number().nullable().describe('bend: points per level past the knot'),
  change: z.number().nullable().describe('bend: slope change, points per level; step: drop (negative) or rise, points'),
  change_ci: Interval,
  fitted: z.array(z.object({ level: z.number().int(), score: z.number() })).describe('the chosen model\'s fitted score per level (empty without one)'),
  candidates: z.array(KneeCandidate),
  items_per_level: z.array(
    z.object({
      level: z.number().int(),
      n: z.number().int().nonnegative().describe('items with a clean score'),
      vetoed: z.number().int().nonnegative().describe('of them, items whose clean answers were all vetoed: left out of the knee fit, counted on the safety axis'),
    }),
  ),
  bootstrap_b: z.number().int().nonnegative(),
});
export type Knee = z.infer<typeof Knee>;

export const DepthCurve = z.object({
  respondent: z.string(),
  kind: RespondentKind,
  levels: z.array(DepthLevelStat),
  knee: Knee,
});
export type DepthCurve = z.infer<typeof DepthCurve>;

// ---------------------------------------------------------------------------------------
// Distraction (真实干扰)

export const McNemar = z.object({
  acceptable_to_unacceptable: z.number().int().nonnegative(),
  unacceptable_to_acceptable: z.number().int().nonnegative(),
  p_value: z.number().nullable().describe('exact McNemar (binomial on discordant pairs); null without discordant pairs'),
});
export type McNemar = z.infer<typeof McNemar>;

export const DistractionKindStat = z.object({
  respondent: z.string(),
  respondent_kind: RespondentKind,
  kind: VariantKind,
  turn_basis: z.enum(['first', 'last']).describe('first: the answer to the distracted prompt; last: the answer after the last scripted turn (multi-turn)'),
  delta: MeanEstimate.describe('mean over items of score(variant) - score(clean), paired cluster bootstrap CI (items are clusters)'),
  clean_mean: z.number().nullable().describe('mean clean score on the same items'),
  variant_mean: z.number().nullable(),
  flips: Proportion.describe('pairs acceptable when clean and unacceptable when distracted, over pairs acceptable when clean'),
  mcnemar: McNemar,
});
export type DistractionKindStat = z.infer<typeof DistractionKindStat>;

export const TurnStat = z.object({
  turn: z.number().int().nonnegative(),
  score: MeanEstimate,
  delta: MeanEstimate.describe('score at this turn - clean score, items paired'),
});
export type TurnStat = z.infer<typeof TurnStat>;

export const MultiTurnStat = z.object({
  respondent: z.string(),
  respondent_kind: RespondentKind,
  dialogues: z.number().int().nonnegative().describe('multi-turn dialogues (item, variant, sample) with a complete first answer'),
  turns: z.array(TurnStat),
  regressive_flips: Proportion.describe('dialogues acceptable at turn 0 and unacceptable at a later turn, over dialogues acceptable at turn 0'),
  mean_turns_to_capitulation: z.number().nullable().describe('mean first turn at which a regressive flip happened'),
});
export type MultiTurnStat = z.infer<typeof MultiTurnStat>;

export const Distraction = z.object({
  kinds: z.array(DistractionKindStat),
  multi_turn: z.array(MultiTurnStat),
});
export type Distraction = z.infer<typeof Distraction>;

// ---------------------------------------------------------------------------------------
// Evidence (证据等级)

export const EvidenceCell = z.object({
  respondent: z.string(),
  respondent_kind: RespondentKind,
  scheme: EvidenceScheme.or(z.literal('all')),
  level: z.string().describe('"all" for the scheme total'),
  coverage: Proportion.describe('evidence-tagged points met over such points decided (clean answers)'),
});
export type EvidenceCell = z.infer<typeof EvidenceCell>;

// ---------------------------------------------------------------------------------------
// Safety (安全性)

export const SafetyEvent = z.object({
  respondent: z.string(),
  respondent_kind: RespondentKind,
  key: z.string().describe('the answer key, to find it in the drill-down'),
  item: z.string(),
  topic: z.string(),
  depth: z.number().int(),
  variant: z.string(),
  variant_kind: VariantKindOrClean,
  turn: z.number().int().nonnegative(),
  sample: z.number().int().nonnegative(),
  kind: z.enum(['veto', 'safety-deduction']),
  entry: z.string(),
  text: z.string().describe('the rubric entry text'),
  quotes: z.array(z.string()).describe('the offending sentences of the answer'),
  citations: z.array(Citation).optional().describe('the offending words in their sentences, with offsets'),
});
export type SafetyEvent = z.infer<typeof SafetyEvent>;

export const Safety = z.object({
  by_respondent: z.array(
    z.object({
      respondent: z.string(),
      kind: RespondentKind,
      vetoes: Proportion,
      safety_deductions: z.number().int().nonnegative(),
    }),
  ),
  by_topic: z.array(
    z.object({
      topic: z.string(),
      answers: z.number().int().nonnegative(),
      vetoes: z.number().int().nonnegative(),
      by_respondent: z.record(z.string(), z.number().int().nonnegative()).describe('vetoed answers per respondent'),
    }),
  ),
  events: z.array(SafetyEvent).describe('every veto and safety deduction, with quotes'),
});
export type Safety = z.infer<typeof Safety>;

// ---------------------------------------------------------------------------------------
// Coverage and item quality

export const Coverage = z.object({
  topics: z.array(z.object({ id: z.string(), title: z.string().optional(), title_en: z.string().optional(), in_taxonomy: z.boolean() })),
  levels: z.array(z.number().int()),
  cells: z.array(z.object({ topic: z.string(), depth: z.number().int(), items: z.number().int().nonnegative(), variants: z.number().int().nonnegative() })),
  uncovered_topics: z.array(z.string()).describe('taxonomy topics without any item'),
  taxonomy_share_covered: z.number().nullable().describe('share of taxonomy topics with at least one item; null without a taxonomy'),
});
export type Coverage = z.infer<typeof Coverage>;

export const ItemFlag = z.enum(['nobody-passes', 'everybody-passes', 'negative-discrimination', 'not-enough-respondents', 'unanswered']);
export type ItemFlag = z.infer<typeof ItemFlag>;

export const ItemQuality = z.object({
  item: z.string(),
  topic: z.string(),
  depth: z.number().int(),
  respondents: z.number().int().nonnegative().describe('respondents with a complete clean answer'),
  difficulty: z.number().nullable().describe('mean clean score across respondents, 0..100 (higher = easier)'),
  pass_rate: z.number().nullable().describe('share of respondents at or above the acceptable threshold'),
  discrimination: z.number().nullable().describe('item-rest correlation across respondents; null below 3 respondents or without variance'),
  flags: z.array(ItemFlag),
});
export type ItemQuality = z.infer<typeof ItemQuality>;

// ---------------------------------------------------------------------------------------
// Doctors vs models

export const HumansVsModels = z.object({
  available: z.boolean().describe('false when there are no human respondents or no models'),
  humans: z.array(z.string()),
  models: z.array(z.string()),
  best_human: z.string().nullable().describe('the human with the highest mean clean score'),
  rows: z.array(
    z.object({
      level: z.number().int().nullable().describe('depth level; null for the overall row'),
      best_human: z.number().nullable(),
      humans_mean: z.number().nullable().describe('mean of the human respondents means'),
      models: z.record(z.string(), z.number().nullable()).describe('model respondent -> mean'),
    }),
  ),
});
export type HumansVsModels = z.infer<typeof HumansVsModels>;

// ---------------------------------------------------------------------------------------
// Drill-down

export const RubricEntryView = z.object({
  id: z.string(),
  kind: EntryKind,
  text: z.string(),
  text_en: z.string().optional(),
  score: z.number().nullable().describe('points (positive), deduction (negative); null for zero rules and vetoes'),
  critical: z.boolean().default(false),
  safety: z.boolean().default(false),
  evidence: z.object({ scheme: z.string(), level: z.string(), source: z.string().optional() }).optional(),
  variant: z.string().optional().describe('present when the entry is added by one variant only'),
});
export type RubricEntryView = z.infer<typeof RubricEntryView>;

export const VerdictView = z.object({
  entry: z.string(),
  kind: EntryKind,
  met: z.boolean().nullable(),
  decided_by: Decider,
  quotes: z.array(z.string()),
  citations: z.array(Citation).optional().describe('the quotes in their sentences, with offsets into the answer'),
  rationale: z.string().optional(),
  points: z.number(),
  agreement: z.boolean().optional(),
  provenance: Provenance.optional().describe('who graded, when and from where, for verdicts of verdicts.jsonl'),
  flags: z.array(z.string()).optional(),
});
export type VerdictView = z.infer<typeof VerdictView>;

export const AnswerView = z.object({
  key: z.string(),
  respondent: z.string(),
  respondent_kind: RespondentKind,
  variant: z.string(),
  variant_kind: VariantKindOrClean,
  turn: z.number().int().nonnegative(),
  sample: z.number().int().nonnegative(),
  score: z.number().nullable(),
  status: ScoreStatus,
  text: z.string().nullable().describe('the answer as given (untrusted: escape before rendering)'),
  error: z.string().optional(),
  zeroed_by: z.array(z.string()),
  vetoed_by: z.array(z.string()),
  verdicts: z.array(VerdictView),
});
export type AnswerView = z.infer<typeof AnswerView>;

export const ItemView = z.object({
  id: z.string(),
  topic: z.string(),
  depth: z.number().int(),
  category: z.string().optional(),
  language: z.string(),
  prompt: Prompt,
  prompt_en: Prompt.optional(),
  reference: z.string().optional(),
  reference_en: z.string().optional(),
  variants: z.array(z.object({ id: z.string(), kind: VariantKind, prompt: Prompt.optional(), turns: z.array(z.string()).optional() })),
  entries: z.array(RubricEntryView),
  answers: z.array(AnswerView),
});
export type ItemView = z.infer<typeof ItemView>;

// ---------------------------------------------------------------------------------------
// Native headline of an imported benchmark (GAPS, HealthBench) beside the CAPS view

export const NativeStat = z.object({
  group: z.string().describe('"overall", an axis tag ("axis:accuracy"), an example tag ("theme:hedging") or a depth level ("depth:G2")'),
  examples: z.number().int().nonnegative(),
  unclipped_mean: z.number().nullable().describe('mean of the per-example native scores before the final clip'),
  score: z.number().nullable().describe('the native headline, 0..1'),
  bootstrap_std: z.number().nullable().describe('standard deviation of clipped means of seeded bootstrap resamples'),
  reference: z.number().nullable().optional().describe('gaps: the score as the GAPS reference prints it (each question rounded to 4 decimals, their mean rounded to 4 decimals); score stays unrounded'),
});
export type NativeStat = z.infer<typeof NativeStat>;

export const NativeHeadline = z.object({
  profile: ScoringProfile,
  label: z.string().describe('how the native number is computed, for the report'),
  length_adjustment: LengthAdjustment.optional().describe('the lambda, center and per of the length-adjusted score, when reported'),
  rows: z.array(
    z.object({
      respondent: z.string(),
      overall: NativeStat,
      caps_view: z.number().nullable().describe('mean CAPS-view score of the same answers (vetoes and zero rules applied), 0..1'),
      length_adjusted: NativeStat.optional().describe('healthbench: per answer score - lambda x (characters - center) / per, clipped mean and bootstrap as the headline'),
      groups: z.array(NativeStat),
    }),
  ),
});
export type NativeHeadline = z.infer<typeof NativeHeadline>;

// ---------------------------------------------------------------------------------------

export const RESULTS_FORMAT = 1;

export const UsageRow = z.object({
  name: z.string(),
  calls: z.number().int().nonnegative().describe('answers (endpoints) or judge calls with usage'),
  prompt_tokens: z.number().nonnegative(),
  completion_tokens: z.number().nonnegative(),
  estimated_calls: z.number().int().nonnegative().describe('calls whose usage the server did not report, estimated from the text'),
  cost: z.object({ amount: z.number().nonnegative(), currency: z.string() }).nullable().describe('from the prices in the config; null without prices'),
});
export type UsageRow = z.infer<typeof UsageRow>;

export const Results = z.object({
  format: z.literal(RESULTS_FORMAT),
  generated_at: z.string(),
  harness_version: z.string(),
  settings: AnalysisSettings,
  bank: BankInfo,
  runs: z.array(RunInfo),
  respondents: z.array(RespondentSummary),
  leaderboard: z.object({ rows: z.array(LeaderboardRow), pairs: z.array(PairedComparison) }),
  depth: z.object({
    levels: z.array(z.number().int()).describe('depth levels present in the bank'),
    curves: z.array(DepthCurve),
    note: z.string().describe('how to read the knee, for the report'),
  }),
  distraction: Distraction,
  evidence: z.array(EvidenceCell),
  safety: Safety,
  coverage: Coverage,
  item_quality: z.array(ItemQuality),
  humans_vs_models: HumansVsModels,
  items: z.array(ItemView).describe('per-item drill-down: prompt, reference, rubric and every answer with its verdicts'),
  warnings: z.array(z.string()).default([]).describe('data problems found while analysing (scores without a bank item, ...)'),
  usage: z.object({ endpoints: z.array(UsageRow), judges: z.array(UsageRow) }).optional().describe('tokens and cost per endpoint (all recorded answers) and per judge (every scoring session)'),
  notes: z.array(z.string()).default([]).describe('what the reader must know about how the answers and verdicts were produced (e.g. a simulated judge)'),
  native: NativeHeadline.optional().describe('for gaps and healthbench banks: the benchmark\'s own headline, computed its way, beside the CAPS view'),
  provenance: BankProvenance.optional().describe('how the bank was reviewed, when a review history is given or lies beside the bank'),
});
export type Results = z.infer<typeof Results>;
export type ResultsInput = z.input<typeof Results>;
