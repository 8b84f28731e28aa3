/**
 * Content-addressed response cache shared across runs (default `runs/.cache/`): one small
 * JSON file per successful answer, named by its request hash. Errors are never cached, so
 * a failed request is asked again. An entry names the endpoint identity that answered it and is
 * used only for that identity (entries written before identities were recorded are never used).
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { ChatMessage } from '../schema/bank.js';
import type { EndpointParams } from '../schema/config.js';
import { Usage } from '../schema/run.js';
import { canonicalJson, sha256 } from '../io/hash.js';
import { writeJsonAtomic } from '../io/safe-write.js';
import { EndpointIdentity, sameIdentity } from '../endpoints/identity.js';

export const CachedAnswer = z.object({
  request_hash: z.string(),
  endpoint: EndpointIdentity,
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

/**
 * The cache key: what was asked, of which endpoint (server, model, deployment), with which
 * parameters, as which sample. The same bytes as `contentHash` of the four fields (keys in
 * canonical order: endpoint, messages, params, sample), written with the endpoint's part made
 * once per identity object: every answer of a run hashes the same few identities.
 */
export function requestHash(request: { endpoint: EndpointIdentity; params: SentParams; messages: ChatMessage[]; sample: number }): string {
  return sha256(`${identityHead(request.endpoint)}${canonicalJson(request.messages)},"params":${canonicalJson(request.params)},"sample":${canonicalJson(request.sample)}}`);
}

/** An identity's opening of the canonical request JSON; identities are never changed once made (endpointIdentity freezes them). */
const IDENTITY_HEADS = new WeakMap<EndpointIdentity, string>();

function identityHead(identity: EndpointIdentity): string {
  let head = IDENTITY_HEADS.get(identity);
  if (head === undefined) {
    head = `{"endpoint":${canonicalJson(identity)},"messages":`;
    IDENTITY_HEADS.set(identity, head);
  }
  return head;
}

export class ResponseCache {
  constructor(readonly dir: string) {}

  private path(hash: string): string {
    return join(this.dir, hash.slice(0, 2), `${hash}.json`);
  }

  get(hash: string, endpoint: EndpointIdentity): CachedAnswer | undefined {
    const path = this.path(hash);
    if (!existsSync(path)) return undefined;
    try {
      const parsed = CachedAnswer.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      return parsed.success && parsed.data.request_hash === hash && sameIdentity(parsed.data.endpoint, endpoint) ? parsed.data : undefined;
    } catch {
      return undefined; // a damaged entry is a miss; the answer is asked again and rewritten
    }
  }

  put(answer: CachedAnswer): void {
    const path = this.path(answer.request_hash);
    const shard = dirname(path);
    const created = mkdirSync(shard, { recursive: true });
    try {
      writeJsonAtomic(path, answer);
    } catch (err) {
      // A failed write (disk full) leaves no empty folder behind: remove the ones this put made, up to the first.
      if (created) for (let dir = shard; dir.startsWith(created) && removeIfEmpty(dir); dir = dirname(dir));
      throw err;
    }
  }
}

function removeIfEmpty(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false; // not empty (another writer's entry) or already gone
  }
}
