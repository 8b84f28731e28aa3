/**
 * `runs/<id>/batches.jsonl`: the OpenAI Batch API jobs a run submitted. A batch is recorded as
 * soon as it is created and marked collected once its answers are in responses.jsonl, so a run
 * stopped while a batch was in progress collects it on the next `caps run --batch`.
 */
import { z } from 'zod';

export const BatchSubmitted = z.object({
  batch_id: z.string(),
  endpoint: z.string().describe('endpoint name from the config'),
  input_file_id: z.string(),
  requests: z.number().int().positive(),
  created_at: z.string(),
});

export const BatchCollected = z.object({
  batch_id: z.string(),
  status: z.string().describe('the batch status when collected: completed, failed, expired or cancelled'),
  answers: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  collected_at: z.string(),
});

export const BatchRecord = z.union([BatchSubmitted, BatchCollected]);
export type BatchRecord = z.infer<typeof BatchRecord>;
export type BatchSubmitted = z.infer<typeof BatchSubmitted>;
