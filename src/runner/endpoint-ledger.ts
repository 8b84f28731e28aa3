/**
 * One endpoint's account of a run session, the same for direct and batch runs: failures by
 * cause (and whether to give it up), tokens and cost of the answers it gave, and how many
 * answers came from the cache instead.
 */
import type { EndpointConfig } from '../schema/config.js';
import type { ResponseRecord } from '../schema/run.js';
import { EndpointHealth, type EndpointHealthReport } from './endpoint-health.js';
import { addUsage, emptyTotals, priced, type UsageTotals } from './usage.js';

export interface EndpointOutcome {
  health: EndpointHealthReport;
  usage: UsageTotals;
  /** Planned answers neither recorded before nor asked now (the endpoint was given up, or the run stopped). */
  notAsked: number;
  cached: number;
}

export class EndpointLedger {
  private readonly health: EndpointHealth;
  private readonly usage: UsageTotals;
  private cached = 0;

  constructor(
    private readonly endpoint: EndpointConfig,
    private readonly via: 'direct' | 'batch' = 'direct',
  ) {
    this.health = new EndpointHealth(endpoint);
    this.usage = emptyTotals(endpoint.name);
  }

  /** HTTP requests sent for this endpoint (retries included). */
  sent(requests: number): void {
    this.health.sent(requests);
  }

  /** Counts a recorded answer; returns true when it makes the endpoint be given up. Cached answers cost nothing and say nothing of its health. */
  recorded(record: ResponseRecord): boolean {
    if (record.cached) {
      this.cached++;
      return false;
    }
    if (record.error) return this.health.failedWith(record.error, record.attempts ?? 1);
    if (record.text === null) return false;
    this.health.succeeded();
    addUsage(this.usage, record.usage);
    return false;
  }

  outcome(notAsked: number): EndpointOutcome {
    return { health: this.health.report(), usage: priced(this.usage, this.endpoint.prices, this.via), notAsked, cached: this.cached };
  }
}
