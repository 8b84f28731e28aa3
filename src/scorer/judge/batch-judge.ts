/**
 * A judge endpoint asked through the OpenAI Batch API. It stands in for the direct client in
 * the scorer, so the judge sends the same request bodies (structured output, retries after an
 * invalid reply, the plain-JSON fallback) and parses every reply the same way. A request whose
 * reply is in (collected from a batch, kept in the response cache) is answered at once; any
 * other is queued for the next batch and the answer deferred (JudgeDeferred). Failed lines
 * that a direct client would retry are queued again up to the endpoint's `retries`; after
 * that, or for a failure no retry fixes, the error is the reply, so the answer is reported
 * with a judge fault and retried by the next `caps score`, never counted as not met.
 */
import type { EndpointConfig } from '../../schema/config.js';
import type { ResponseError } from '../../schema/run.js';
import type { BatchOutcome } from '../../endpoints/batch-api.js';
import type { BatchInputs, OutcomeTaken } from '../../endpoints/batch-jobs.js';
import { chatBody, estimatedUsage, type ChatRequest, type ChatResult, type EndpointClient } from '../../endpoints/client.js';
import type { EndpointIdentity } from '../../endpoints/identity.js';
import type { ResponseCache } from '../../runner/cache.js';
import { contentHash } from '../../io/hash.js';
import type { JsonlAppender } from '../../io/jsonl.js';
import { redact } from '../../io/redact.js';
import { addUsage, emptyTotals, type UsageTotals } from '../../runner/usage.js';
import { JudgeDeferred } from './deferred.js';

/** Failures a direct client retries (classify.ts), so a batch line failing this way is submitted again. */
const RETRYABLE = new Set<ResponseError['kind']>(['rate_limit', 'server', 'timeout', 'connection', 'malformed', 'empty']);

export interface BatchJudgeOptions {
  endpoint: EndpointConfig;
  identity: EndpointIdentity;
  cache: ResponseCache;
  /** Cached replies written before this instant (ISO) are not used (--no-cache). */
  freshSince?: string;
  inputs: BatchInputs;
  /** Where each queued request's custom_id is mapped to the answer it judges (judge-requests.jsonl). */
  requestMap: JsonlAppender;
}

export class BatchJudge implements EndpointClient {
  readonly name: string;
  readonly model: string;
  /** Failed lines by custom_id: the last error and how many times the request failed. */
  private readonly failures = new Map<string, { error: ResponseError; tries: number }>();
  /** custom_ids queued for the next batch: a request several answers make is one line. */
  private readonly queued = new Set<string>();
  /** Once no batch will follow, a missing reply defers its answer without queuing a line. */
  private queueing = true;
  /** Outcomes taken from collected batches (replies and failed lines). */
  taken = 0;
  /** Result lines that name no request (not JSON, no custom_id): counted, their requests asked again. */
  unattributed = 0;
  /** Tokens of the replies collected, each counted once, when its line is read (failed lines are not billed). */
  readonly usage: UsageTotals;

  constructor(private readonly options: BatchJudgeOptions) {
    this.name = options.endpoint.name;
    this.model = options.endpoint.model;
    this.usage = emptyTotals(this.name);
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    const { endpoint, identity, cache } = this.options;
    const body = chatBody(endpoint, request);
    const customId = contentHash({ endpoint: identity, body });
    const hit = cache.get(customId, identity);
    if (hit && (!this.options.freshSince || hit.created_at >= this.options.freshSince)) {
      return {
        text: hit.text,
        ...(hit.reasoning !== undefined && { reasoning: hit.reasoning }),
        finishReason: hit.finish_reason,
        usage: hit.usage ?? estimatedUsage(request.messages, hit.text),
        ...(hit.served_model !== undefined && { servedModel: hit.served_model }),
        latencyMs: 0,
        attempts: 1,
        error: null,
      };
    }
    const failure = this.failures.get(customId);
    if (failure && !(RETRYABLE.has(failure.error.kind) && failure.tries <= endpoint.retries)) {
      return { text: null, finishReason: null, usage: null, latencyMs: 0, attempts: failure.tries, error: failure.error };
    }
    if (!this.queueing) throw new JudgeDeferred(this.name);
    if (!this.queued.has(customId)) {
      this.queued.add(customId);
      this.options.inputs.add(this.name, customId, body);
    }
    if (request.label) this.options.requestMap.append({ custom_id: customId, judge: this.name, key: request.label });
    throw new JudgeDeferred(this.name);
  }

  /** The requests queued so far were submitted (or dropped): the next pass queues afresh. */
  submitted(): void {
    this.queued.clear();
  }

  stopQueueing(): void {
    this.queueing = false;
  }

  /** Takes one line of a collected batch: a reply into the response cache, a failure into memory. */
  take(outcome: BatchOutcome): OutcomeTaken {
    this.taken++;
    if (!outcome.customId) {
      this.unattributed++;
      return 'error';
    }
    if (outcome.ok) {
      const { endpoint, identity, cache } = this.options;
      const { answer } = outcome;
      // In the cache before the batch is marked collected: a process killed in between finds it there.
      cache.put({
        request_hash: outcome.customId,
        endpoint: identity,
        model: endpoint.model,
        ...(answer.servedModel !== undefined && { served_model: answer.servedModel }),
        text: answer.text!,
        ...(answer.reasoning !== undefined && { reasoning: answer.reasoning }),
        finish_reason: answer.finishReason,
        usage: answer.usage,
        latency_ms: 0,
        created_at: new Date().toISOString(),
      });
      this.failures.delete(outcome.customId);
      // A reply without usage is still a call paid for: counted, its tokens unknown.
      addUsage(this.usage, answer.usage ?? { estimated: true });
      return 'answer';
    }
    const tries = (this.failures.get(outcome.customId)?.tries ?? 0) + 1;
    this.failures.set(outcome.customId, { error: { ...outcome.error, message: redact(outcome.error.message) }, tries });
    return 'error';
  }
}
