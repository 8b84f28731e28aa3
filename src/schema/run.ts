/**
 * Run folder records: `runs/<id>/manifest.json` and `runs/<id>/responses.jsonl`.
 * One response line per answer; a multi-turn variant writes one line per turn.
 */
import { z } from 'zod';
import { ChatMessage } from './shared.js';
import { inPlace } from './in-place.js';

export const RespondentKind = z.enum(['model', 'human', 'reference']);
export type RespondentKind = z.infer<typeof RespondentKind>;

export const Usage = z.object({
  prompt_tokens: z.number().nonnegative().optional(),
  completion_tokens: z.number().nonnegative().optional(),
  total_tokens: z.number().nonnegative().optional(),
  estimated: z.boolean().optional().describe('true when the server reported no usage and the counts are estimated from the text'),
});
export type Usage = z.infer<typeof Usage>;

export const ResponseErrorKind = z.enum([
  'rate_limit',
  'server',
  'timeout',
  'connection',
  'malformed',
  'empty',
  'content_filter',
  'client',
  'aborted',
]);
export type ResponseErrorKind = z.infer<typeof ResponseErrorKind>;

export const ResponseError = z.object({
  kind: ResponseErrorKind,
  message: z.string(),
  status: z.number().int().optional(),
});
export type ResponseError = z.infer<typeof ResponseError>;

export const ResponseRecord = z.object({
  /** Unique within a run: respondent, item, variant, turn and sample. Resume and scores refer to it. */
  key: z.string(),
  /** Content hash of the request (endpoint identity, params, messages, sample index): the response cache key. */
  request_hash: z.string().optional(),
  respondent: z.string().describe('endpoint name for models, a person for humans'),
  respondent_kind: RespondentKind.default('model'),
  model: z.string().optional().describe('model requested'),
  served_model: z.string().optional().describe('model name the server returned'),
  item: z.string(),
  variant: z.string().default('clean'),
  turn: z.number().int().nonnegative().default(0).describe('0 for the first answer; n after the n-th scripted patient turn'),
  sample: z.number().int().nonnegative().default(0),
  messages: z.array(ChatMessage).default([]),
  text: z.string().nullable(),
  reasoning: z.string().optional(),
  finish_reason: z.string().nullable().optional(),
  usage: Usage.nullable().optional(),
  latency_ms: z.number().nonnegative().optional(),
  attempts: z.number().int().nonnegative().default(1),
  error: ResponseError.nullable().default(null),
  cached: z.boolean().optional().describe('served from the response cache'),
  started_at: z.string().optional(),
  finished_at: z.string().optional(),
});
export type ResponseRecord = z.infer<typeof ResponseRecord>;
export type ResponseRecordInput = z.input<typeof ResponseRecord>;

/** What the report keeps of a response line: who answered what, the text, usage and error. */
const ANALYZED_RESPONSE_FIELDS = ['key', 'respondent', 'respondent_kind', 'model', 'served_model', 'item', 'variant', 'turn', 'sample', 'text', 'usage', 'error'] as const;

/**
 * A response line as the report reads it: checked whole, as a ResponseRecord (so the report
 * accepts the lines `caps score` accepts; without a copy when the line is as caps writes it, see
 * inPlace), then only ANALYZED_RESPONSE_FIELDS kept. The request
 * (messages), reasoning, finish reason, timings (latency_ms, started_at, finished_at), attempts
 * and the cache flag, which no report shows, are dropped: a study's prompts are not kept in
 * memory once per answer.
 */
export const AnalyzedResponse = inPlace(ResponseRecord).transform((record) => {
  const kept: Partial<Record<(typeof ANALYZED_RESPONSE_FIELDS)[number], unknown>> = {};
  // Only fields the line has, as `pick` gave them: an absent optional field stays absent.
  for (const field of ANALYZED_RESPONSE_FIELDS) if (field in record) kept[field] = record[field];
  return kept as Pick<ResponseRecord, (typeof ANALYZED_RESPONSE_FIELDS)[number]>;
});
export type AnalyzedResponse = z.infer<typeof AnalyzedResponse>;

export const EndpointSnapshot = z.object({
  name: z.string(),
  baseURL: z.string(),
  model: z.string(),
  params: z.record(z.string(), z.unknown()).default({}),
  prices: z.object({ input: z.number(), output: z.number(), currency: z.string() }).optional().describe('from the config, to price the recorded usage'),
  headers: z.object({ names: z.array(z.string()), fingerprint: z.string() }).optional().describe('deployment-selecting headers: names and a fingerprint of the values, never the values'),
  shares_answers_with: z.array(z.string()).optional().describe('endpoints that send identical requests to the same server, so share these answers'),
});

export const RunStatus = z.enum(['running', 'complete', 'incomplete', 'imported']);

export const Manifest = z.object({
  id: z.string(),
  harness_version: z.string(),
  bank: z.object({ id: z.string(), version: z.string(), hash: z.string(), paths: z.array(z.string()), profile: z.string().optional() }),
  endpoints: z.array(EndpointSnapshot).default([]),
  respondents: z.array(z.object({ name: z.string(), kind: RespondentKind })).default([]),
  plan: z.record(z.string(), z.unknown()).default({}).describe('the selection and counts the run was planned with'),
  counts: z.object({ planned: z.number().int(), done: z.number().int(), errors: z.number().int() }).partial().default({}),
  started_at: z.string(),
  finished_at: z.string().optional(),
  status: RunStatus,
});
export type Manifest = z.infer<typeof Manifest>;

/** `judge-usage.jsonl`: one line per judge per `caps score` session that called it. */
export const JudgeUsageRecord = z.object({
  judge: z.string(),
  calls: z.number().int().nonnegative(),
  prompt_tokens: z.number().nonnegative(),
  completion_tokens: z.number().nonnegative(),
  estimated_calls: z.number().int().nonnegative().describe('calls whose usage the server did not report'),
  cost: z.object({ amount: z.number().nonnegative(), currency: z.string() }).optional(),
  at: z.string(),
});
export type JudgeUsageRecord = z.infer<typeof JudgeUsageRecord>;
