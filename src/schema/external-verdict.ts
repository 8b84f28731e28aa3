/**
 * Verdicts decided outside the scorer, kept in the run folder in the append-only
 * `<run>/verdicts.jsonl`: physicians' labels and adjudications from the studio, and
 * imported grades. Scoring applies them over the judge and matchers with the precedence
 * adjudication > physician > imported; `met: null` (cannot judge) never decides an entry.
 */
import { z } from 'zod';

export const VERDICTS_FILE = 'verdicts.jsonl';

export const VerdictSource = z.enum(['adjudication', 'physician', 'imported']);
export type VerdictSource = z.infer<typeof VerdictSource>;

export const ExternalVerdict = z.object({
  v: z.literal(1),
  /** The answer's key, as in responses.jsonl. */
  key: z.string().min(1),
  item: z.string().min(1),
  entry: z.string().min(1),
  met: z.boolean().nullable().describe('null: cannot judge (never decides the entry)'),
  source: VerdictSource,
  grader: z.string().min(1),
  quote: z.string().optional(),
  span: z.object({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() }).optional(),
  reason: z.string().optional(),
  at: z.string(),
  /** Where the verdict came from (a studio label id, an imported file and line). */
  origin: z.string().optional(),
});
export type ExternalVerdict = z.infer<typeof ExternalVerdict>;
