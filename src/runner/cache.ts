/**
 * Content-addressed response cache shared across runs (default `runs/.cache/`): one small
 * JSON file per successful answer, named by its request hash. Errors are never cached, so
 * a failed request is asked again.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ChatMessage } from '../schema/bank.js';
import type { EndpointParams } from '../schema/config.js';
import { Usage } from '../schema/run.js';
import { contentHash } from '../io/hash.js';
import { writeJsonAtomic } from '../io/json.js';

export const CachedAnswer = z.object({
  request_hash: z.string(),
  model: z.string(),
  served_model: z.string().optional(),
  text: z.string(),
  reasoning: z.string().optional(),
  finish_reason: z.string().nullable(),
  usage: Usage.nullable(),
  latency_ms: z.number().nonnegative(),
  created_at: z.string(),
});
export type CachedAnswer = z.infer<typeof CachedAnswer>;

/** The request parameters that change an answer (the system override is already in the messages). */
export type SentParams = Omit<EndpointParams, 'system'>;

/** The cache key: what was asked, of which model, with which parameters, as which sample. */
export function requestHash(request: { model: string; params: SentParams; messages: ChatMessage[]; sample: number }): string {
  return contentHash({ model: request.model, params: request.params, messages: request.messages, sample: request.sample });
}

export class ResponseCache {
  constructor(readonly dir: string) {}

  private path(hash: string): string {
    return join(this.dir, hash.slice(0, 2), `${hash}.json`);
  }

  get(hash: string): CachedAnswer | undefined {
    const path = this.path(hash);
    if (!existsSync(path)) return undefined;
    try {
      const parsed = CachedAnswer.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      return parsed.success && parsed.data.request_hash === hash ? parsed.data : undefined;
    } catch {
      return undefined; // a damaged entry is a miss; the answer is asked again and rewritten
    }
  }

  put(answer: CachedAnswer): void {
    const path = this.path(answer.request_hash);
    mkdirSync(join(this.dir, answer.request_hash.slice(0, 2)), { recursive: true });
    writeJsonAtomic(path, answer);
  }
}
