/**
 * A jury: several judges' opinions on each entry combined by a rule.
 * - majority: more judges say met than not; a tie is undecided (and reported).
 * - conservative: the verdict worse for the answer wins (a point needs every judge; a
 *   deduction, zero rule or veto fires when any judge finds it).
 * - unanimous-for-veto: majority, except a veto fires only when every judge finds it.
 * A juror that failed leaves the answer undecided: its judgement is retried, never guessed.
 */
import type { EntryKind } from '../../schema/bank.js';
import type { JuryRule } from '../../schema/config.js';
import type { JudgeFault, Opinion } from '../../schema/score.js';
import type { JudgeResult } from './judge.js';

export interface JuryEntry {
  id: string;
  kind: EntryKind;
  /** A deduction that also acts as a veto. */
  veto?: boolean;
}

export type EntryDecision = Opinion | { error: string };

export interface JuryDecision {
  /** The combined opinion per entry, as scoreAnswer takes it. */
  opinions: Map<string, EntryDecision>;
  /** Every juror's opinion per entry (only for a jury of several). */
  jurors: Map<string, Opinion[]>;
  faults: JudgeFault[];
}

export function combineJury(rule: JuryRule, entries: readonly JuryEntry[], results: readonly JudgeResult[]): JuryDecision {
  const faults = results.flatMap((r) => r.faults);
  const jurors = new Map<string, Opinion[]>();
  if (results.length > 1) {
    for (const entry of entries) {
      jurors.set(entry.id, results.flatMap((r) => (r.opinions?.get(entry.id) ? [r.opinions.get(entry.id)!] : [])));
    }
  }
  const failed = results.filter((r) => r.opinions === null);
  const opinions = new Map<string, EntryDecision>();
  if (failed.length > 0) {
    const error = failed.map((r) => r.error ?? `judge ${r.judge} failed`).join('; ');
    for (const entry of entries) opinions.set(entry.id, { error });
    return { opinions, jurors, faults };
  }
  for (const entry of entries) {
    const panel = results.map((r) => r.opinions!.get(entry.id)!);
    if (panel.length === 1) {
      opinions.set(entry.id, panel[0]);
      continue;
    }
    const decision = decide(rule, entry, panel);
    if ('error' in decision) faults.push({ judge: results.map((r) => r.judge).join('+'), entry: entry.id, kind: 'jury-tie', detail: decision.error });
    opinions.set(entry.id, decision);
  }
  return { opinions, jurors, faults };
}

function isNegative(entry: JuryEntry): boolean {
  return entry.kind !== 'point';
}

function isVeto(entry: JuryEntry): boolean {
  return entry.kind === 'veto' || entry.veto === true;
}

function decide(rule: JuryRule, entry: JuryEntry, panel: Opinion[]): EntryDecision {
  const metVotes = panel.filter((o) => o.met).length;
  const notMetVotes = panel.length - metVotes;
  const tally = `${metVotes} met, ${notMetVotes} not met`;
  let met: boolean;
  let how: string;
  if (rule === 'conservative') {
    met = isNegative(entry) ? metVotes > 0 : notMetVotes === 0;
    how = isNegative(entry) ? 'conservative: any judge finding it' : 'conservative: every judge must find it';
  } else if (rule === 'unanimous-for-veto' && isVeto(entry)) {
    met = notMetVotes === 0;
    how = 'veto needs every judge';
  } else {
    if (metVotes === notMetVotes) return { error: `jury tie on ${entry.id} (${tally}); undecided` };
    met = metVotes > notMetVotes;
    how = 'majority';
  }
  const agreeing = panel.filter((o) => o.met === met);
  const citations = met ? [...new Map(agreeing.flatMap((o) => o.citations ?? []).map((c) => [`${c.start}:${c.end}`, c])).values()] : [];
  return {
    met,
    quotes: [...new Set(agreeing.flatMap((o) => o.quotes))],
    ...(citations.length > 0 && { citations }),
    rationale: `jury ${how} (${tally})${agreeing[0]?.rationale ? `: ${agreeing[0].rationale}` : ''}`,
    judge: panel.map((o) => o.judge ?? '?').join('+'),
    model: [...new Set(panel.map((o) => o.model ?? '?'))].join('+'),
    template: [...new Set(panel.map((o) => o.template ?? '?'))].join('+'),
  };
}
