/**
 * Tokens and cost per endpoint or judge: summed from the usage recorded with each answer
 * (server-reported, or estimated when the server reported none) and priced with the
 * config's `prices` (currency units per million tokens).
 */
import type { Prices } from '../schema/config.js';
import { join } from 'node:path';
import { JudgeUsageRecord, type AnalyzedResponse, type Usage } from '../schema/run.js';
import type { UsageRow } from '../schema/results.js';
import { JsonlAppender, readJsonlAll } from '../io/jsonl.js';
import type { EndpointClient } from '../endpoints/client.js';

export interface UsageTotals {
  name: string;
  /** Answers (or judge calls) counted. */
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /** How many of the calls had estimated usage (the server reported none). */
  estimatedCalls: number;
  cost?: { amount: number; currency: string };
}

export function emptyTotals(name: string): UsageTotals {
  return { name, calls: 0, promptTokens: 0, completionTokens: 0, estimatedCalls: 0 };
}

export function addUsage(totals: UsageTotals, usage: Usage | null | undefined): void {
  if (!usage) return;
  totals.calls++;
  totals.promptTokens += usage.prompt_tokens ?? 0;
  totals.completionTokens += usage.completion_tokens ?? 0;
  if (usage.estimated) totals.estimatedCalls++;
}

/** Cost at the endpoint's prices; a batch request at the share `prices.batch` says (the full price when it says none). */
export function priced(totals: UsageTotals, prices: Prices | undefined, via: 'direct' | 'batch' = 'direct'): UsageTotals {
  if (!prices) return totals;
  const share = via === 'batch' ? (prices.batch ?? 1) : 1;
  const amount = (share * (totals.promptTokens * prices.input + totals.completionTokens * prices.output)) / 1_000_000;
  return { ...totals, cost: { amount, currency: prices.currency } };
}

/** Money with enough digits to tell small test runs apart. */
export function formatCost(cost: UsageTotals['cost']): string {
  if (!cost) return 'no prices in the config';
  return `${cost.amount < 1 ? cost.amount.toFixed(4) : cost.amount.toFixed(2)} ${cost.currency}`;
}

/** One line per endpoint or judge: "name: N calls, input X, output Y tokens (Z estimated), cost". */
export function formatUsageLines(rows: UsageTotals[], label: string): string[] {
  const lines = rows
    .filter((r) => r.calls > 0)
    .map((r) => {
      const estimated = r.estimatedCalls === 0 ? '' : r.estimatedCalls === r.calls ? ', estimated: the server reported no usage' : `, ${r.estimatedCalls} of ${r.calls} estimated`;
      return `  ${label} ${r.name}: ${r.calls} calls, ${r.promptTokens} input + ${r.completionTokens} output tokens${estimated}; cost ${formatCost(r.cost)}`;
    });
  const byCurrency = new Map<string, number>();
  for (const r of rows) if (r.cost) byCurrency.set(r.cost.currency, (byCurrency.get(r.cost.currency) ?? 0) + r.cost.amount);
  if (lines.length > 1 && byCurrency.size > 0) lines.push(`  total cost: ${[...byCurrency].map(([currency, amount]) => formatCost({ amount, currency })).join(' + ')}`);
  return lines;
}

/** The client with every call's usage added to `totals` (judges are metered this way). */
export function meteredClient(client: EndpointClient, totals: UsageTotals): EndpointClient {
  return {
    ...client,
    chat: async (request) => {
      const result = await client.chat(request);
      addUsage(totals, result.usage);
      return result;
    },
  };
}

export const JUDGE_USAGE_FILE = 'judge-usage.jsonl';

/** Appends this scoring session's judge usage to the run folder. */
export function appendJudgeUsage(runDir: string, rows: UsageTotals[]): void {
  const appender = new JsonlAppender(join(runDir, JUDGE_USAGE_FILE));
  const at = new Date().toISOString();
  try {
    for (const r of rows.filter((row) => row.calls > 0)) {
      appender.append(
        JudgeUsageRecord.parse({ judge: r.name, calls: r.calls, prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, estimated_calls: r.estimatedCalls, cost: r.cost, at }),
      );
    }
  } finally {
    appender.close();
  }
}

/** Judge usage summed over every scoring session of the run folders, per judge. */
export async function readJudgeUsage(runDirs: string[]): Promise<UsageTotals[]> {
  const totals = new Map<string, UsageTotals>();
  for (const dir of runDirs) {
    for (const r of await readJsonlAll(join(dir, JUDGE_USAGE_FILE), JudgeUsageRecord)) {
      const t = totals.get(r.judge) ?? emptyTotals(r.judge);
      totals.set(r.judge, t);
      t.calls += r.calls;
      t.promptTokens += r.prompt_tokens;
      t.completionTokens += r.completion_tokens;
      t.estimatedCalls += r.estimated_calls;
      if (r.cost) t.cost = { amount: (t.cost?.currency === r.cost.currency ? t.cost.amount : 0) + r.cost.amount, currency: r.cost.currency };
    }
  }
  return [...totals.values()];
}

/** Tokens per model respondent over its recorded answers (cached replays included), priced by `prices`. */
export function endpointUsage(responses: Iterable<AnalyzedResponse>, prices: ReadonlyMap<string, Prices>): UsageTotals[] {
  const totals = new Map<string, UsageTotals>();
  for (const r of responses) {
    if (r.respondent_kind !== 'model' || r.error || r.text === null) continue;
    const t = totals.get(r.respondent) ?? emptyTotals(r.respondent);
    totals.set(r.respondent, t);
    addUsage(t, r.usage);
  }
  return [...totals.values()].map((t) => priced(t, prices.get(t.name)));
}

/** The results.json form of a total. */
export function usageRow(t: UsageTotals): UsageRow {
  return { name: t.name, calls: t.calls, prompt_tokens: t.promptTokens, completion_tokens: t.completionTokens, estimated_calls: t.estimatedCalls, cost: t.cost ?? null };
}
