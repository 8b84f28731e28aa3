/**
 * Why an endpoint's answers fail, and when to stop asking it. A key the server refuses, a
 * model it does not know, an exhausted balance, or a server that refuses every connection
 * cannot be fixed by asking again, so the endpoint is given up at the first such failure;
 * any endpoint whose first answers all fail is given up too, so a broken server costs a few
 * requests rather than one per planned answer. Pure state; the runner feeds it outcomes.
 */
import type { AnalyzedResponse, ResponseError } from '../schema/run.js';
import type { EndpointConfig } from '../schema/config.js';

/** An endpoint that has never answered is given up after this many failed answers in a row. */
export const GIVE_UP_AFTER_FAILED_ANSWERS = 5;

export type CauseKind = 'auth' | 'payment' | 'not_found' | 'refused' | 'rate_limit' | 'server' | 'timeout' | 'connection' | 'empty' | 'content_filter' | 'malformed' | 'rejected';

export interface FailureCause {
  kind: CauseKind;
  /** Retrying the same request cannot succeed (the runner does not retry these). */
  permanent: boolean;
  /** One line: what went wrong. */
  summary: string;
  /** One line: what the user can do about it. */
  advice: string;
}

/** Classifies a recorded response error of `endpoint` into a cause with advice. */
export function causeOf(error: ResponseError, endpoint: Pick<EndpointConfig, 'name' | 'baseURL' | 'model' | 'apiKeyEnv' | 'timeout_ms'>): FailureCause {
  const status = error.status;
  const key = endpoint.apiKeyEnv ? `the key in ${endpoint.apiKeyEnv} (from the environment or ./.env)` : 'a key (the endpoint sets no apiKeyEnv, so none is sent)';
  const quota = /quota|balance|billing|credit/i.test(error.message);
  if (status === 401 || status === 403) {
    return { kind: 'auth', permanent: true, summary: `the server refused the credentials (HTTP ${status})`, advice: `check ${key} is valid for ${endpoint.baseURL}; then run the same command again` };
  }
  if (status === 402 || (status === 429 && quota)) {
    return { kind: 'payment', permanent: true, summary: `the account has no quota or balance left (HTTP ${status})`, advice: `top up or raise the quota of the account behind ${key}; then run the same command again` };
  }
  if (status === 404) {
    return {
      kind: 'not_found',
      permanent: true,
      summary: `the server does not know model "${endpoint.model}" or the path (HTTP 404)`,
      advice: `check model: "${endpoint.model}" (GET ${endpoint.baseURL.replace(/\/$/, '')}/models lists the names) and that baseURL ends where the vendor's /chat/completions starts (usually /v1)`,
    };
  }
  if (error.kind === 'connection' && /ECONNREFUSED/.test(error.message)) {
    return { kind: 'refused', permanent: false, summary: `nothing accepts connections at ${endpoint.baseURL} (connection refused)`, advice: `start the server (caps sim for the simulated one) or correct baseURL; then run the same command again` };
  }
  switch (error.kind) {
    case 'rate_limit':
      return { kind: 'rate_limit', permanent: false, summary: 'the server kept rate-limiting requests (HTTP 429)', advice: `set rpm: for ${endpoint.name} to the vendor's limit or lower --concurrency; then run the same command again` };
    case 'server':
      return { kind: 'server', permanent: false, summary: `the server failed (HTTP ${status ?? '5xx'})`, advice: 'the vendor is failing; run the same command again later (answers already recorded are kept)' };
    case 'timeout':
      return { kind: 'timeout', permanent: false, summary: `no complete answer within timeout_ms (${endpoint.timeout_ms} ms)`, advice: `raise timeout_ms for ${endpoint.name}, lower --concurrency, or set max_tokens; then run the same command again` };
    case 'connection':
      return { kind: 'connection', permanent: false, summary: 'the connection failed or was cut off', advice: `check that ${endpoint.baseURL} is reachable from here (proxy, VPN, TLS); then run the same command again` };
    case 'empty':
      return { kind: 'empty', permanent: false, summary: 'the model answered with no text', advice: `a reasoning model may spend max_tokens on reasoning: raise max_tokens or set stream: true for ${endpoint.name}; then run the same command again` };
    case 'content_filter':
      return { kind: 'content_filter', permanent: true, summary: "the vendor's content filter withheld the answer", advice: 'this answer is recorded as withheld; the vendor filter decides, not the run' };
    case 'malformed':
      return { kind: 'malformed', permanent: false, summary: 'the server did not send a chat completion', advice: `check that ${endpoint.baseURL} is an OpenAI-compatible API (its /chat/completions), not a web page or proxy login` };
    default:
      return { kind: 'rejected', permanent: true, summary: `the server rejected the request (HTTP ${status ?? '4xx'})`, advice: `read the server's message; check params and model of ${endpoint.name} in the config` };
  }
}

/** The failures of one cause at one endpoint. */
export interface FailureGroup {
  cause: FailureCause;
  /** Answers that failed with this cause. */
  answers: number;
  /** The server's own message (redacted) of the first failure. */
  message: string;
  status?: number;
  minRetries: number;
  maxRetries: number;
}

export interface EndpointHealthReport {
  name: string;
  answered: number;
  failed: number;
  /** HTTP requests sent to the endpoint in this session, retries included. */
  requests: number;
  failures: FailureGroup[];
  givenUp: { cause: FailureCause; requests: number } | null;
}

/** Tracks one endpoint's outcomes during a run and decides when to give it up. */
export class EndpointHealth {
  private answered = 0;
  private failed = 0;
  private failedInARow = 0;
  private requests = 0;
  private readonly groups = new Map<CauseKind, FailureGroup>();
  private givenUp: EndpointHealthReport['givenUp'] = null;

  constructor(private readonly endpoint: EndpointConfig) {}

  get stopped(): boolean {
    return this.givenUp !== null;
  }

  sent(requests: number): void {
    this.requests += requests;
  }

  succeeded(): void {
    this.answered++;
    this.failedInARow = 0;
  }

  /** Records a failed answer; returns true when the endpoint is given up by it. */
  failedWith(error: ResponseError, attempts: number): boolean {
    const cause = causeOf(error, this.endpoint);
    this.failed++;
    this.failedInARow++;
    const retries = Math.max(0, attempts - 1);
    const group = this.groups.get(cause.kind);
    if (group) {
      group.answers++;
      group.minRetries = Math.min(group.minRetries, retries);
      group.maxRetries = Math.max(group.maxRetries, retries);
    } else {
      this.groups.set(cause.kind, { cause, answers: 1, message: error.message, status: error.status, minRetries: retries, maxRetries: retries });
    }
    if (this.givenUp || cause.kind === 'content_filter') return false;
    const neverAnswered = this.answered === 0;
    const hopeless = cause.permanent || (neverAnswered && (cause.kind === 'refused' || this.failedInARow >= GIVE_UP_AFTER_FAILED_ANSWERS));
    if (!hopeless) return false;
    this.givenUp = { cause, requests: 0 };
    return true;
  }

  report(): EndpointHealthReport {
    const givenUp = this.givenUp && { ...this.givenUp, requests: this.requests };
    const failures = [...this.groups.values()].sort((a, b) => b.answers - a.answers);
    return { name: this.endpoint.name, answered: this.answered, failed: this.failed, requests: this.requests, failures, givenUp };
  }
}

/** "after 3 retries", "after 1-5 retries", or why no retry was made. */
export function retryWording(group: FailureGroup): string {
  if (group.maxRetries === 0) return group.cause.permanent ? 'not retried: asking again cannot fix it' : 'no retry was made (retries: 0, or the time budget was spent)';
  const n = group.minRetries === group.maxRetries ? `${group.maxRetries}` : `${group.minRetries}-${group.maxRetries}`;
  return `after ${n} ${group.maxRetries === 1 ? 'retry' : 'retries'}${group.answers > 1 ? ' each' : ''}`;
}

/** The lines `caps run` prints for an endpoint that had failures (none when it had none). */
export function describeEndpointFailures(report: EndpointHealthReport, notAsked: number): string[] {
  if (report.failures.length === 0 && !report.givenUp) return [];
  const lines: string[] = [];
  const head = report.givenUp
    ? `${report.name}: gave up after ${report.requests} request${report.requests === 1 ? '' : 's'}: ${report.givenUp.cause.summary}; ${report.answered} answered, ${report.failed} failed, ${notAsked} not asked`
    : `${report.name}: ${report.failed} answer${report.failed === 1 ? '' : 's'} failed (${report.answered} answered, ${report.requests} requests)`;
  lines.push(head);
  for (const group of report.failures) {
    lines.push(`  ${group.answers} × ${group.cause.summary}, ${retryWording(group)}`);
    lines.push(`    server said: ${oneLine(group.message)}`);
    lines.push(`    what to do: ${group.cause.advice}`);
  }
  return lines;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}

/** A respondent of a run folder none of whose answers has text, with the error most of them ended with. */
export interface SilentRespondent {
  name: string;
  answers: number;
  error: ResponseError | null;
}

/**
 * Model respondents whose every latest answer failed: they have nothing to score, so they are
 * never ranked and `caps score` / `caps report` exit non-zero while they exist.
 */
export async function silentRespondents(records: AsyncIterable<AnalyzedResponse> | Iterable<AnalyzedResponse>): Promise<SilentRespondent[]> {
  const latest = new Map<string, AnalyzedResponse>();
  for await (const r of records) if (r.respondent_kind === 'model') latest.set(r.key, r);
  const tally = new SilentTally();
  for (const r of latest.values()) tally.add(r);
  return tally.silent();
}

/**
 * The tally behind `silentRespondents`, fed each answer's latest record once: a reader already
 * passing over a run's latest answers (as `caps score` does) keeps counts per respondent only.
 */
export class SilentTally {
  private readonly byRespondent = new Map<string, { ok: number; answers: number; errors: Map<string, { error: ResponseError; n: number }> }>();

  add(r: AnalyzedResponse): void {
    if (r.respondent_kind !== 'model') return;
    const entry = this.byRespondent.get(r.respondent) ?? { ok: 0, answers: 0, errors: new Map() };
    this.byRespondent.set(r.respondent, entry);
    entry.answers++;
    if (!r.error && r.text !== null) entry.ok++;
    else if (r.error) {
      const kind = `${r.error.kind}|${r.error.status ?? ''}`;
      const seen = entry.errors.get(kind) ?? { error: r.error, n: 0 };
      seen.n++;
      entry.errors.set(kind, seen);
    }
  }

  silent(): SilentRespondent[] {
    return [...this.byRespondent]
      .filter(([, e]) => e.ok === 0)
      .map(([name, e]) => ({ name, answers: e.answers, error: [...e.errors.values()].sort((a, b) => b.n - a.n)[0]?.error ?? null }));
  }
}

/** "sim-x: no answer (all 12 recorded answers failed, HTTP 401: ...)" */
export function describeSilent(s: SilentRespondent): string {
  const cause = s.error ? `, ${s.error.status ? `HTTP ${s.error.status}: ` : `${s.error.kind}: `}${s.error.message.replace(/\s+/g, ' ').slice(0, 200)}` : '';
  return `${s.name}: no answer (${s.answers === 1 ? 'its one recorded answer' : `all ${s.answers} recorded answers`} failed${cause})`;
}
