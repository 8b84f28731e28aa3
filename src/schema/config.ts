/**
 * `caps.config.yaml`: the endpoints to ask, the judge, and run defaults.
 * Keys never live here: an endpoint names the environment variable that holds its key.
 */
import { z } from 'zod';

export const EndpointParams = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  max_tokens: z.number().int().positive().optional(),
  seed: z.number().int().optional().describe('sent as seed + sample index, so K samples stay K distinct answers'),
  system: z.string().min(1).optional().describe('replaces the bank and item system message'),
});
export type EndpointParams = z.infer<typeof EndpointParams>;

/** Prices in currency units per million tokens, for the --plan cost estimate. */
export const Prices = z.strictObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  currency: z.string().default('USD'),
  batch: z.number().min(0).max(1).optional().describe('share of these prices a Batch API request costs (0.5 at OpenAI), for --batch'),
});
export type Prices = z.infer<typeof Prices>;

export const EndpointConfig = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._\-]*$/, 'endpoint names use letters, digits, ".", "_" and "-" (they name respondents in reports)'),
  baseURL: z.url({ protocol: /^https?$/, error: 'baseURL must be an http(s) URL such as https://api.openai.com/v1' }),
  model: z.string().min(1),
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'apiKeyEnv is the NAME of an environment variable (e.g. OPENAI_API_KEY), never the key itself')
    .optional()
    .describe('environment variable holding the API key; omit for local servers that need none'),
  headers: z.record(z.string(), z.string()).optional().describe('extra HTTP headers; values may use ${ENV_VAR}'),
  params: EndpointParams.default({}),
  stream: z.boolean().default(false).describe('ask for a streamed answer (some vendors only serve reasoning models that way)'),
  concurrency: z.number().int().min(1).max(1024, 'concurrency is at most 1024 requests in flight per endpoint').default(8).describe('requests in flight, 1-1024'),
  rpm: z.number().min(1, 'rpm is at least 1 request per minute (omit it for no limit)').max(1_000_000).optional().describe('requests per minute allowed by the vendor, 1-1,000,000'),
  timeout_ms: z.number().int().min(100, 'timeout_ms is at least 100 (milliseconds)').max(3_600_000, 'timeout_ms is at most 3,600,000 (one hour)').default(120_000).describe('per request, 100 ms to 1 hour'),
  retries: z.number().int().min(0).max(50, 'retries is at most 50 (each waits longer; retry_max_ms bounds the total)').default(5).describe('0-50'),
  retry_max_ms: z.number().int().min(100).max(86_400_000, 'retry_max_ms is at most 86,400,000 (one day)').default(300_000).describe('give up retrying one request after this long, 100 ms to one day'),
  prices: Prices.optional(),
});
export type EndpointConfig = z.infer<typeof EndpointConfig>;
export type EndpointConfigInput = z.input<typeof EndpointConfig>;

export const JuryRule = z.enum(['majority', 'conservative', 'unanimous-for-veto']);
export type JuryRule = z.infer<typeof JuryRule>;

export const JudgeConfig = z.strictObject({
  endpoints: z.array(z.string().min(1)).min(1).describe('endpoint names; several form a jury'),
  rule: JuryRule.optional(),
  template: z.string().optional(),
});
export type JudgeConfig = z.infer<typeof JudgeConfig>;

export const RunDefaults = z.strictObject({
  samples: z.number().int().min(1).max(1000, 'samples is at most 1000 answers per item and form').default(1),
  out: z.string().default('runs').describe('folder that holds run folders'),
  concurrency: z.number().int().min(1).max(65_536).default(256).describe('global cap on requests in flight, 1-65,536'),
});
export type RunDefaults = z.infer<typeof RunDefaults>;

export const CapsConfig = z
  .strictObject({
    $schema: z.string().optional(),
    endpoints: z.array(EndpointConfig).min(1, 'a config needs at least one endpoint'),
    judge: JudgeConfig.optional(),
    defaults: RunDefaults.optional(),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.endpoints.forEach((endpoint, index) => {
      if (seen.has(endpoint.name)) {
        ctx.addIssue({ code: 'custom', path: ['endpoints', index, 'name'], message: `endpoint name "${endpoint.name}" is used twice` });
      }
      seen.add(endpoint.name);
    });
    config.judge?.endpoints.forEach((name, index) => {
      if (!seen.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['judge', 'endpoints', index],
          message: `judge endpoint "${name}" is not defined under endpoints (have: ${[...seen].join(', ')})`,
        });
      }
    });
  });
export type CapsConfig = z.infer<typeof CapsConfig>;
export type CapsConfigInput = z.input<typeof CapsConfig>;
