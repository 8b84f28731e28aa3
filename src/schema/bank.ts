/**
 * The question-bank format: the single source of truth for what clinicians write in YAML.
 * Types are inferred from these schemas; `schema/bank.schema.json` is generated from them.
 * Objects are strict so that a typo in a key is an error, never silently ignored.
 */
import { z } from 'zod';
import { ADEQUACY_SCORES, SEVERITY_SCORES } from './levels.js';
import { CLEAN, ChatMessage, EVIDENCE_LEVELS, EntryKind, EvidenceScheme, EvidenceTag, Id, ItemStatus, Language, LengthAdjustment, Prompt, ScoringProfile, VariantKind } from './shared.js';

export { CLEAN, ChatMessage, EVIDENCE_LEVELS, EntryKind, EvidenceScheme, EvidenceTag, Id, ItemStatus, Language, LengthAdjustment, Prompt, ScoringProfile, VariantKind };
export { adequacyScore, severityScore } from './levels.js';

// ---------------------------------------------------------------------------------------
// Deterministic matcher specs

/** A phrase, or a group of synonyms of which any one will do. */
export const PhraseGroup = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
export type PhraseGroup = z.infer<typeof PhraseGroup>;

/** A term of the bank's vocabulary, defined once with every name it goes by; matchers refer to it as `@id`. */
export const VocabularyTerm = z.strictObject({
  id: Id.describe('referred to from a matcher phrase list as "@id"'),
  names: z.array(z.string().min(1)).min(1).describe('generic names and synonyms, in every language the answers use'),
  brands: z.array(z.string().min(1)).optional().describe('brand (trade) names'),
  codes: z.array(z.string().min(1)).optional().describe('development code names, e.g. MEDI4736'),
  abbreviations: z.array(z.string().min(1)).optional().describe('abbreviations; matched exactly, never with a typo'),
});
export type VocabularyTerm = z.infer<typeof VocabularyTerm>;

export const MatchSpec = z
  .strictObject({
    any: z.array(z.string().min(1)).min(1).optional().describe('met when at least one phrase (or "@term" of the vocabulary) is present'),
    all: z.array(PhraseGroup).min(1).optional().describe('met when every phrase (or one of each synonym group) is present'),
    none: z.array(z.string().min(1)).min(1).optional().describe('not met when any of these phrases is present'),
    regex: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe('JavaScript regular expression(s), matched case-insensitively; any one matching counts'),
    unless_negated: z
      .boolean()
      .default(true)
      .describe('a phrase preceded by a negation (不/未/无/非/勿/避免/not/no/without/avoid...) does not count'),
    window: z.number().int().min(1).max(40).optional().describe('characters before a phrase searched for a negation cue'),
  })
  .refine((m) => m.any || m.all || m.regex, { message: 'a match needs at least one of any, all or regex', params: { code: 'match-without-phrases' } });
export type MatchSpec = z.infer<typeof MatchSpec>;
export type MatchSpecInput = z.input<typeof MatchSpec>;

/** Rubric self-tests: lint checks the matcher (and calibration may check the judge) against them. */
export const Examples = z.strictObject({
  hit: z.array(z.string().min(1)).default([]),
  miss: z.array(z.string().min(1)).default([]),
});

// ---------------------------------------------------------------------------------------
// Rubric entries

const entryBase = {
  id: Id,
  text: z.string().min(1).describe('what the entry means, in the item language'),
  text_en: z.string().min(1).optional().describe('English rendering of text'),
  note: z.string().min(1).optional().describe('guidance for graders, e.g. the GAPS "desc" of a claim'),
  match: MatchSpec.optional().describe('deterministic matcher; without one the LLM judge decides'),
  examples: Examples.optional(),
  tags: z.array(z.string().min(1)).default([]).describe('free tags, e.g. axis:accuracy'),
};

export { ADEQUACY_SCORES, SEVERITY_SCORES };
export const AdequacyLevel = z.enum(['A1', 'A2', 'A3']);
export const SeverityLevel = z.enum(['S1', 'S2', 'S3', 'S4']);
/**
 * A level the GAPS points table does not define (the public GAPS preview has A4): kept as
 * written and worth 0 points, as in the GAPS reference calculator; lint warns about it.
 */
export const UnscoredLevel = z.string().regex(/^[A-Z][0-9]{1,3}$/, 'a level is a capital letter and a number, e.g. A1 or S3');

/** 得分点: a key point a correct answer must contain. */
export const ScoringPoint = z
  .strictObject({
    ...entryBase,
    score: z.number().positive().optional(),
    level: z.union([AdequacyLevel, UnscoredLevel]).optional().describe('A1=5, A2=3, A3=1 when no explicit score is given (another level, e.g. A4, counts 0)'),
    critical: z.boolean().default(false).describe('missing it also costs miss_penalty'),
    miss_penalty: z.number().nonnegative().optional().describe('deducted when a critical point is missed; defaults to its score'),
    evidence: EvidenceTag.optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.score === undefined) === (p.level === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['score'], message: 'give exactly one of score or level (A1/A2/A3)', params: { code: 'score-or-level' } });
    }
    if (p.miss_penalty !== undefined && !p.critical) {
      ctx.addIssue({ code: 'custom', path: ['miss_penalty'], message: 'miss_penalty only applies to a critical point; add critical: true', params: { code: 'miss-penalty-without-critical' } });
    }
  });
export type ScoringPoint = z.infer<typeof ScoringPoint>;

/** 扣分点: an error, omission or bad advice that subtracts points when present. */
export const Deduction = z
  .strictObject({
    ...entryBase,
    score: z.number().negative().optional(),
    severity: z.union([SeverityLevel, UnscoredLevel]).optional().describe('S1..S4 = -1..-4 when no explicit score is given (another level counts 0)'),
    safety: z.boolean().default(false).describe('a safety-relevant error, reported on the safety axis'),
    veto: z.boolean().default(false).describe('also acts as a veto (一票否决) under the caps profile'),
    evidence: EvidenceTag.optional(),
  })
  .superRefine((d, ctx) => {
    if ((d.score === undefined) === (d.severity === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['score'], message: 'give exactly one of score (negative) or severity (S1..S4)', params: { code: 'score-or-severity' } });
    }
  });
export type Deduction = z.infer<typeof Deduction>;

/** 完全错误就零分: an answer wrong at its core scores zero. */
export const ZeroRule = z.strictObject({ ...entryBase });
export type ZeroRule = z.infer<typeof ZeroRule>;

/** 一票否决: a statement so unsafe that it fails the answer and is reported as a safety failure. */
export const Veto = z.strictObject({ ...entryBase });
export type Veto = z.infer<typeof Veto>;

export const Rubric = z.strictObject({
  points: z.array(ScoringPoint).min(1, 'a rubric needs at least one scoring point'),
  deductions: z.array(Deduction).default([]),
  zero_if: z.array(ZeroRule).default([]),
  veto: z.array(Veto).default([]),
});
export type Rubric = z.infer<typeof Rubric>;

/** Entries a distraction variant adds to the shared rubric. */
export const RubricAddition = z.strictObject({
  points: z.array(ScoringPoint).default([]),
  deductions: z.array(Deduction).default([]),
  zero_if: z.array(ZeroRule).default([]),
  veto: z.array(Veto).default([]),
});
export type RubricAddition = z.infer<typeof RubricAddition>;

// ---------------------------------------------------------------------------------------
// Distraction variants (真实干扰)

export const Variant = z
  .strictObject({
    id: Id.refine((id) => id !== CLEAN, { message: `"${CLEAN}" is reserved for the undistracted item`, params: { code: 'reserved-variant-id' } }),
    kind: VariantKind,
    prompt: Prompt.optional().describe('replaces the clean prompt'),
    prompt_en: Prompt.optional(),
    turns: z.array(z.string().min(1)).min(1).optional().describe('scripted patient turns sent after each model answer'),
    turns_en: z.array(z.string().min(1)).min(1).optional(),
    rubric: RubricAddition.optional().describe('entries added to the shared rubric for this variant'),
    note: z.string().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'multi-turn' && !v.turns) {
      ctx.addIssue({ code: 'custom', path: ['turns'], message: 'a multi-turn variant needs turns: the scripted patient turns', params: { code: 'multi-turn-without-turns' } });
    }
    if (!v.prompt && !v.turns) {
      ctx.addIssue({ code: 'custom', path: ['prompt'], message: 'a variant needs a replacement prompt or scripted turns', params: { code: 'variant-without-prompt' } });
    }
  });
export type Variant = z.infer<typeof Variant>;

// ---------------------------------------------------------------------------------------
// Items and banks

export const ItemCategory = z.enum(['knowledge', 'diagnosis', 'staging', 'treatment', 'complication', 'follow-up', 'communication']);
export type ItemCategory = z.infer<typeof ItemCategory>;

export const Item = z.strictObject({
  id: Id,
  topic: z.string().min(1),
  depth: z.number().int(),
  category: ItemCategory.optional().describe('treatment items are expected to carry a veto'),
  language: Language.optional().describe('overrides the bank language'),
  system: z.string().min(1).optional().describe('system message sent before the prompt'),
  prompt: Prompt,
  prompt_en: Prompt.optional(),
  reference: z.string().min(1).optional().describe('a model answer written by the authors'),
  reference_en: z.string().min(1).optional(),
  variants: z.array(Variant).default([]),
  rubric: Rubric,
  tags: z.array(z.string().min(1)).default([]),
  source: z.string().optional(),
  authors: z.array(z.string()).optional(),
  status: ItemStatus.optional().describe('draft | in-review | admitted | retired; once any item has one, caps run asks admitted items by default'),
});
export type Item = z.infer<typeof Item>;
export type ItemInput = z.input<typeof Item>;

export const DepthScale = z
  .strictObject({
    min: z.number().int().default(1),
    max: z.number().int().default(5),
    labels: z.record(z.string(), z.string()).optional().describe('level -> name, e.g. "1": recall'),
  })
  .refine((s) => s.min < s.max, { message: 'depth_scale.min must be below depth_scale.max', params: { code: 'bad-depth-scale' } });
export type DepthScale = z.infer<typeof DepthScale>;

/** How the bank admits items after peer review (the CAPS method: revision rate below 5%). */
export const ReviewPolicy = z.strictObject({
  revision_threshold: z
    .number()
    .gt(0)
    .max(1)
    .default(0.05)
    .describe('a round admits its items only when the share of items with a revision request is below this'),
  reviewers_per_item: z.number().int().min(1).default(2).describe('reviewers assigned to each item in a round (never its author)'),
});
export type ReviewPolicy = z.infer<typeof ReviewPolicy>;

/** One bank file. Several files with the same `bank` id form one bank. */

export const BankFile = z.strictObject({
  $schema: z.string().optional(),
  bank: Id,
  version: z.union([z.number(), z.string()]).transform(String),
  title: z.string().optional(),
  description: z.string().optional(),
  language: Language.default('zh'),
  profile: ScoringProfile.default('caps'),
  depth_scale: DepthScale.default({ min: 1, max: 5 }),
  topics: z.string().optional().describe('path of the topic taxonomy file, relative to this file'),
  system: z.string().optional().describe('default system message for every item'),
  length_adjustment: LengthAdjustment.optional().describe('healthbench: report a length-adjusted score beside the raw one'),
  vocabulary: z.array(VocabularyTerm).default([]).describe('terms defined once for the whole bank; matchers refer to them as "@id"'),
  review: ReviewPolicy.optional().describe('peer review policy (default: revision rate below 5%, 2 reviewers per item)'),
  items: z.array(Item).default([]),
});
export type BankFile = z.infer<typeof BankFile>;
export type BankFileInput = z.input<typeof BankFile>;

// ---------------------------------------------------------------------------------------
// Topic taxonomy (for the topic x depth coverage report)

export const Topic = z.strictObject({
  id: z.string().min(1),
  title: z.string().min(1),
  title_en: z.string().optional(),
  description: z.string().optional(),
});
export type Topic = z.infer<typeof Topic>;

export const TaxonomyFile = z.strictObject({
  $schema: z.string().optional(),
  taxonomy: Id,
  title: z.string().optional(),
  topics: z.array(Topic).min(1),
});
export type TaxonomyFile = z.infer<typeof TaxonomyFile>;
