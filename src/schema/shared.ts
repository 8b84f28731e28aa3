/**
 * The parts of the question-bank format that the run, score and results formats reuse, in a
 * module of their own: reading a run folder or a cached bank builds these few schemas and not
 * the whole bank format (schema/bank.ts re-exports them), which took about 20 ms of the start
 * of every command that reads run files.
 */
import { z } from 'zod';

/** Ids are stable slugs: they appear in run files, reports and URLs. */
export const Id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/, 'ids use letters, digits, ".", "_", "-" and "/" only, starting with a letter or digit');

export const Language = z.enum(['zh', 'en']);
export type Language = z.infer<typeof Language>;

export const ChatMessage = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string().min(1),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** A prompt is a single user message or a full message list (optionally with a system message). */
export const Prompt = z.union([z.string().min(1), z.array(ChatMessage).min(1)]);
export type Prompt = z.infer<typeof Prompt>;

// Evidence levels (证据等级)
export const EVIDENCE_LEVELS = {
  grade_certainty: ['high', 'moderate', 'low', 'very_low'],
  ocebm_2011: ['1', '2', '3', '4', '5'],
  nccn_category: ['1', '2A', '2B', '3'],
  csco_evidence: ['1A', '1B', '2A', '2B', '3'],
  expert_consensus: ['consensus'],
} as const;
export const EvidenceScheme = z.enum(
  Object.keys(EVIDENCE_LEVELS) as [keyof typeof EVIDENCE_LEVELS, ...(keyof typeof EVIDENCE_LEVELS)[]],
);
export type EvidenceScheme = z.infer<typeof EvidenceScheme>;

export const EvidenceTag = z
  .strictObject({
    scheme: EvidenceScheme,
    // YAML reads `level: 1` as a number; accept it and compare as text.
    level: z.union([z.string(), z.number()]).transform(String),
    source: z.string().optional().describe('guideline or trial, e.g. "NCCN NSCLC v3.2025" or "CheckMate 816"'),
  })
  .superRefine((tag, ctx) => {
    const allowed: readonly string[] = EVIDENCE_LEVELS[tag.scheme];
    if (!allowed.includes(tag.level)) {
      ctx.addIssue({
        code: 'custom',
        path: ['level'],
        message: `level "${tag.level}" is not a level of ${tag.scheme}; use one of ${allowed.join(', ')}`,
        params: { code: 'evidence-level-not-in-scheme' },
      });
    }
  });
export type EvidenceTag = z.infer<typeof EvidenceTag>;

export const EntryKind = z.enum(['point', 'deduction', 'zero', 'veto']);
export type EntryKind = z.infer<typeof EntryKind>;

export const VariantKind = z.enum(['concealment', 'exaggeration', 'insistence', 'irrelevant', 'multi-turn']);
export type VariantKind = z.infer<typeof VariantKind>;

/** "clean" names the undistracted form of an item in run and score files. */
export const CLEAN = 'clean';

/**
 * Where an item is in its review life: drafted or written, under review by peers, admitted
 * to the bank (what `caps run` asks by default), or retired. Recorded in the bank so that a
 * bank in git carries it; a bank without statuses treats every item as admitted.
 */
export const ItemStatus = z.enum(['draft', 'in-review', 'admitted', 'retired']);
export type ItemStatus = z.infer<typeof ItemStatus>;

export const ScoringProfile = z.enum(['caps', 'gaps', 'healthbench']);
export type ScoringProfile = z.infer<typeof ScoringProfile>;

/**
 * HealthBench Professional's length-adjusted score: per answer, score - lambda x (answer
 * characters - center) / per. A scoring setting, not content: it is not part of the bank hash.
 */
export const LengthAdjustment = z.strictObject({
  lambda: z.number().nonnegative().describe('penalty per `per` characters beyond `center` (HealthBench Professional publishes 0.0147)'),
  center: z.number().nonnegative().default(2000),
  per: z.number().positive().default(500),
  source: z.string().optional().describe('where the lambda comes from'),
});
export type LengthAdjustment = z.infer<typeof LengthAdjustment>;
