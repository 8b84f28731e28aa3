/**
 * Verdicts decided outside the scorer (a run folder's verdicts.jsonl: adjudications,
 * physicians' labels, imported grades) resolved to at most one decision per rubric entry.
 *
 * - The latest line for the same (key, entry, source, grader) wins; earlier lines stay in the
 *   file as the audit trail.
 * - `met: null` (cannot judge) is no vote: it never decides, and a grader's later `null`
 *   withdraws their earlier vote.
 * - Precedence: adjudication > physician > imported (then the judge, then the matcher, in
 *   scoreAnswer). The latest adjudication decides, and the latest imported grade (a corrected
 *   sheet supersedes the earlier import, whoever graded it). Physicians decide by majority; a
 *   tie decides nothing at that level, falls through to the next source and is flagged.
 */
import type { ExternalVerdict, VerdictSource } from '../schema/external-verdict.js';
import type { Provenance } from '../schema/score.js';
import { contentHash } from '../io/hash.js';
import { appendTo } from '../group.js';

export const SOURCE_PRECEDENCE: readonly VerdictSource[] = ['adjudication', 'physician', 'imported'];

export interface ExternalDecision {
  met: boolean;
  source: VerdictSource;
  quotes: string[];
  rationale?: string;
  provenance: Provenance;
}

/** What verdicts.jsonl says about one entry: the deciding verdict if any, and why higher sources did not decide. */
export interface EntryExternal {
  decision?: ExternalDecision;
  flags: string[];
}

/** The current verdicts of each answer: the latest line per (entry, source, grader), by answer key. */
export function latestExternalVerdicts(lines: Iterable<ExternalVerdict>): Map<string, ExternalVerdict[]> {
  const latest = new Map<string, Map<string, ExternalVerdict>>();
  for (const line of lines) {
    const byId = latest.get(line.key) ?? new Map<string, ExternalVerdict>();
    const id = `${line.entry}\u0000${line.source}\u0000${line.grader}`;
    byId.delete(id); // re-insert so the map keeps file order of the latest lines
    byId.set(id, line);
    latest.set(line.key, byId);
  }
  return new Map([...latest].map(([key, byId]) => [key, [...byId.values()]]));
}

/** A hash of one answer's current external verdicts: a changed label re-scores the answer. */
export function externalHash(verdicts: readonly ExternalVerdict[] | undefined): string | undefined {
  return verdicts && verdicts.length > 0 ? contentHash(verdicts) : undefined;
}

/** One decision per entry from one answer's current verdicts. */
export function resolveExternal(verdicts: readonly ExternalVerdict[]): Map<string, EntryExternal> {
  const byEntry = new Map<string, ExternalVerdict[]>();
  for (const v of verdicts) appendTo(byEntry, v.entry, v);
  const out = new Map<string, EntryExternal>();
  for (const [entry, lines] of byEntry) {
    const flags: string[] = [];
    let decision: ExternalDecision | undefined;
    for (const source of SOURCE_PRECEDENCE) {
      const votes = lines.filter((v): v is ExternalVerdict & { met: boolean } => v.source === source && v.met !== null);
      if (votes.length === 0) continue;
      decision = source === 'physician' ? majority(source, votes, flags) : latest(source, votes);
      if (decision) break;
    }
    out.set(entry, { ...(decision && { decision }), flags });
  }
  return out;
}

type Vote = ExternalVerdict & { met: boolean };

function decisionOf(source: VerdictSource, met: boolean, votes: Vote[], rationale?: string): ExternalDecision {
  const quotes = [...new Set(votes.flatMap((v) => (v.quote ? [v.quote] : [])))];
  const reasons = votes.flatMap((v) => (v.reason ? [v.reason] : []));
  const why = [rationale, ...reasons].filter(Boolean).join('; ');
  const at = votes.map((v) => v.at).sort().at(-1);
  return {
    met,
    source,
    quotes,
    ...(why && { rationale: why }),
    provenance: { graders: votes.map((v) => v.grader), ...(at && { at }), origin: votes.flatMap((v) => (v.origin ? [v.origin] : [])) },
  };
}

/** The verdict given last (by time, then by file order) decides. */
function latest(source: VerdictSource, votes: Vote[]): ExternalDecision {
  const last = votes.reduce((a, b) => (b.at >= a.at ? b : a));
  return decisionOf(source, last.met, [last]);
}

function majority(source: VerdictSource, votes: Vote[], flags: string[]): ExternalDecision | undefined {
  const met = votes.filter((v) => v.met);
  const notMet = votes.filter((v) => !v.met);
  if (met.length === notMet.length) {
    const who = votes.map((v) => `${v.grader}: ${v.met ? 'met' : 'not met'}`).join(', ');
    flags.push(`${source} graders split ${met.length}-${notMet.length} (${who}) and nobody adjudicated: left to the next source`);
    return undefined;
  }
  const winners = met.length > notMet.length ? met : notMet;
  const count = votes.length > 1 ? `${winners.length} of ${votes.length} ${source} graders` : undefined;
  return decisionOf(source, winners[0].met, winners, count);
}
