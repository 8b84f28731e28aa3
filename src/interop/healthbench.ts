/**
 * HealthBench JSONL (OpenAI simple-evals) rows to bank items with the `healthbench` profile.
 * Criteria keep their signed points and tags (`axis:`, `level:`, `cluster:`); positive ones
 * become scoring points `p<n>`, negative ones deductions `d<n>`, n being the criterion's
 * 1-based position so the source order can be restored. Example tags (`theme:`,
 * `physician_agreed_category:`) become item tags; the topic is the theme. HealthBench has no
 * depth levels: every item is level 1. The ideal completion is the item's reference answer;
 * the canary string is the item's source.
 */
import { z } from 'zod';
import { UserError } from '../errors.js';
import type { ItemInput, LengthAdjustment } from '../schema/bank.js';

export const HealthBenchCriterion = z.object({
  criterion: z.string().trim().min(1),
  points: z.number().refine((p) => p !== 0, 'points is never 0 (positive: earned when met; negative: lost when met)'),
  tags: z.array(z.string().min(1)).default([]),
});
export type HealthBenchCriterion = z.infer<typeof HealthBenchCriterion>;

export const HealthBenchRow = z.object({
  prompt_id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'prompt_id must be a plain id (letters, digits, ".", "_", "-")'),
  prompt: z
    .array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().min(1, 'a message has empty content') }))
    .min(1, 'the conversation has no message'),
  rubrics: z.array(HealthBenchCriterion).min(1, 'the example has no criterion'),
  example_tags: z.array(z.string().min(1)).default([]),
  ideal_completions_data: z
    .object({
      ideal_completion: z.string(),
      ideal_completions_group: z.string().optional(),
      ideal_completions_ref_completions: z.array(z.string()).optional(),
    })
    .nullable()
    .optional(),
  canary: z.string().optional(),
});
export type HealthBenchRow = z.infer<typeof HealthBenchRow>;

export const THEME_PREFIX = 'theme:';
export const IDEAL_GROUP_PREFIX = 'ideal_completions_group:';
/** HealthBench's canary string ("healthbench:<guid>") is kept as the item source, so exports carry it on. */
export const CANARY_SOURCE = 'healthbench:';
/** Respondent name of the ideal completions in the imported run folder. */
export const IDEAL_RESPONDENT = 'healthbench-ideal';

export function healthBenchItem(row: HealthBenchRow): ItemInput {
  const theme = row.example_tags.find((t) => t.startsWith(THEME_PREFIX))?.slice(THEME_PREFIX.length);
  const points: NonNullable<ItemInput['rubric']['points']> = [];
  const deductions: NonNullable<ItemInput['rubric']['deductions']> = [];
  row.rubrics.forEach((c, i) => {
    const entry = { text: c.criterion, score: c.points, tags: c.tags };
    if (c.points > 0) points.push({ id: `p${i + 1}`, ...entry });
    else deductions.push({ id: `d${i + 1}`, ...entry });
  });
  const ideal = row.ideal_completions_data;
  const group = ideal?.ideal_completions_group;
  return {
    id: row.prompt_id,
    topic: theme || 'general',
    depth: 1,
    prompt: row.prompt,
    ...(ideal && ideal.ideal_completion.trim() !== '' && { reference: ideal.ideal_completion }),
    rubric: { points, deductions },
    tags: [...row.example_tags, ...(group ? [`${IDEAL_GROUP_PREFIX}${group}`] : [])],
    source: row.canary?.startsWith(CANARY_SOURCE) ? row.canary : 'healthbench',
  };
}

/**
 * Published length-adjustment lambdas by HealthBench variant. HealthBench Professional
 * (arXiv 2604.27470, Section 4.1; simple-evals' length-adjusted scoring) uses 0.0147 per 500
 * characters beyond 2,000. No value is published for the main, hard or consensus sets: there
 * the adjusted score is reported only when a user sets lambda.
 */
export const LENGTH_LAMBDAS: Readonly<Record<string, number>> = { professional: 0.0147 };

/** --length-lambda: a number of at least 0, or a variant name with a published value. */
export function parseLengthLambda(value: string): LengthAdjustment {
  const name = value.trim().toLowerCase();
  const preset = LENGTH_LAMBDAS[name];
  if (preset !== undefined) return { lambda: preset, center: 2000, per: 500, source: `published for HealthBench ${name} (arXiv 2604.27470)` };
  const n = Number(value);
  if (name === '' || !Number.isFinite(n) || n < 0) {
    throw new UserError(`--length-lambda is "${value}"; give a number of at least 0, or ${Object.keys(LENGTH_LAMBDAS).join(', ')} for its published value (${Object.values(LENGTH_LAMBDAS).join(', ')}).`);
  }
  return { lambda: n, center: 2000, per: 500, source: 'set by the user' };
}
