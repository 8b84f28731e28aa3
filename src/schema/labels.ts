/**
 * The labels file `caps labels export` writes (JSONL or CSV, one label per line): every
 * physician's verdict on one rubric entry of one answer, with its evidence span and reason.
 * Its columns are those `caps calibrate --labels` and `caps import-verdicts` read, so the
 * file feeds both directly. `format` versions the file.
 */
import { z } from 'zod';

export const LABELS_FORMAT = 'caps-labels/1';

/** A label's verdict as written in a labels file: "cannot judge" is neither met nor not met. */
export const CANNOT_JUDGE = 'cannot judge';

export const LabelStage = z.enum(['grade', 'reference', 'adjudication']);
export type LabelStage = z.infer<typeof LabelStage>;

export const LabelRecord = z.object({
  format: z.literal(LABELS_FORMAT),
  bank: z.string(),
  bank_hash: z.string(),
  /** The run folder, relative to the labels file. */
  run: z.string(),
  key: z.string(),
  respondent: z.string(),
  item: z.string(),
  variant: z.string(),
  turn: z.number().int().nonnegative(),
  sample: z.number().int().nonnegative(),
  entry: z.string(),
  kind: z.string(),
  grader: z.string(),
  role: z.string(),
  stage: LabelStage,
  met: z.union([z.boolean(), z.literal(CANNOT_JUDGE)]),
  quote: z.string().optional(),
  span_start: z.number().int().nonnegative().optional(),
  span_end: z.number().int().nonnegative().optional(),
  rationale: z.string().optional(),
  at: z.string(),
});
export type LabelRecord = z.infer<typeof LabelRecord>;

/** Column order of the CSV form. */
export const LABEL_COLUMNS = Object.keys(LabelRecord.shape) as (keyof LabelRecord)[];
