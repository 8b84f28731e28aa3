/**
 * Score arithmetic of one answer under the three scoring profiles. Pure: entries and their
 * verdicts in, numbers and the reasons for them out.
 *
 * - caps (design.md): max = sum of positive point scores; raw = points met - miss penalties
 *   of critical points missed - |deductions fired|; score = clamp(raw / max, 0, 1) x 100;
 *   any zero rule fired -> 0; any veto fired -> 0 and a safety failure.
 * - gaps: max(0, sum of the signed scores of met points and deductions) / max x 100.
 * - healthbench: sum of the signed scores of met entries / max x 100, not clipped.
 * `caps_score` is the CAPS view whatever the profile: the native score, 0 when a zero rule
 * or veto fired, clamped to 0..100. An undecided entry (met: null) makes the answer
 * incomplete: no score, but everything known is still returned.
 */
import type { ScoringProfile } from '../schema/bank.js';
import type { Citation, SafetyFailure, ScoreStatus } from '../schema/score.js';
import type { ResolvedEntry } from './rubric.js';

export interface EntryVerdict {
  /** null: nothing could decide the entry. */
  met: boolean | null;
  quotes: string[];
  citations?: Citation[];
}

const cited = (verdict: EntryVerdict) => (verdict.citations && verdict.citations.length > 0 ? { citations: verdict.citations } : {});

export interface ProfileScore {
  /** Native score of the profile, 0..100 (healthbench per answer is unclipped); null when incomplete or max is 0. */
  score: number | null;
  /** The CAPS view, 0..100; null when incomplete or max is 0. */
  caps_score: number | null;
  raw: number;
  max: number;
  status: Extract<ScoreStatus, 'complete' | 'incomplete'>;
  zeroed_by: string[];
  vetoed_by: string[];
  safety: SafetyFailure[];
  /** Signed contribution of each entry to raw (0 for zero rules, vetoes and undecided entries). */
  contributions: Map<string, number>;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** What one entry adds to raw under a profile, given that it was met or not. */
function contribution(entry: ResolvedEntry, met: boolean, profile: ScoringProfile): number {
  if (entry.kind === 'point') {
    if (met) return entry.score;
    return profile === 'caps' && entry.critical ? -entry.missPenalty : 0;
  }
  if (entry.kind === 'deduction' && met) return -Math.abs(entry.score);
  return 0;
}

export function applyProfile(
  entries: readonly ResolvedEntry[],
  verdicts: ReadonlyMap<string, EntryVerdict>,
  profile: ScoringProfile,
): ProfileScore {
  const { points, ...score } = scoreEntries(
    entries,
    entries.map((e) => verdicts.get(e.id)),
    profile,
  );
  return { ...score, contributions: new Map(entries.map((e, i) => [e.id, points[i]])) };
}

/**
 * Where ids repeat (a draft item may carry them), the position of each entry's id's last entry;
 * undefined when every id is distinct. Kept per entries array: a rubric is scored many times.
 */
const lastOfRepeated = new WeakMap<readonly ResolvedEntry[], number[] | undefined>();

function lastPositions(entries: readonly ResolvedEntry[]): number[] | undefined {
  if (lastOfRepeated.has(entries)) return lastOfRepeated.get(entries);
  const last = new Map<string, number>();
  for (let i = 0; i < entries.length; i++) last.set(entries[i].id, i);
  const positions = last.size === entries.length ? undefined : entries.map((e) => last.get(e.id)!);
  lastOfRepeated.set(entries, positions);
  return positions;
}

/**
 * applyProfile with the verdicts given by position (`verdicts[i]` is entries[i]'s) and each
 * entry's contribution in `points`, by position too: the form scoring uses for every answer,
 * without two maps per answer. Where ids repeat, the result is applyProfile's, which keys by
 * id: every entry of an id reads the verdict of its last entry, and `points` holds the last
 * entry's contribution for each of them.
 */
export function scoreEntries(
  entries: readonly ResolvedEntry[],
  verdicts: readonly (EntryVerdict | undefined)[],
  profile: ScoringProfile,
): Omit<ProfileScore, 'contributions'> & { points: number[] } {
  const points: number[] = [];
  const zeroed_by: string[] = [];
  const vetoed_by: string[] = [];
  const safety: SafetyFailure[] = [];
  let raw = 0;
  let max = 0;
  let undecided = false;
  const last = lastPositions(entries);

  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (entry.kind === 'point' && entry.score > 0) max += entry.score;
    const verdict = verdicts[last ? last[i] : i];
    if (!verdict || verdict.met === null) {
      undecided = true;
      points.push(0);
      continue;
    }
    const added = contribution(entry, verdict.met, profile);
    points.push(added);
    raw += added;
    if (!verdict.met) continue;
    if (entry.kind === 'zero') zeroed_by.push(entry.id);
    if (entry.veto) {
      vetoed_by.push(entry.id);
      safety.push({ entry: entry.id, kind: 'veto', text: entry.text, quotes: verdict.quotes, ...cited(verdict) });
    } else if (entry.safety) {
      safety.push({ entry: entry.id, kind: 'safety-deduction', text: entry.text, quotes: verdict.quotes, ...cited(verdict) });
    }
  }

  if (last) for (let i = 0; i < points.length; i++) points[i] = points[last[i]];

  const failed = zeroed_by.length > 0 || vetoed_by.length > 0;
  let score: number | null = null;
  let caps_score: number | null = null;
  if (!undecided && max > 0) {
    const ratio = raw / max;
    score = profile === 'caps' ? (failed ? 0 : clamp(ratio, 0, 1) * 100) : profile === 'gaps' ? Math.max(0, ratio) * 100 : ratio * 100;
    caps_score = failed ? 0 : clamp(score, 0, 100);
  }
  return {
    score,
    caps_score,
    raw,
    max,
    status: undecided ? 'incomplete' : 'complete',
    zeroed_by,
    vetoed_by,
    safety,
    points,
  };
}

/**
 * Scores restricted to the entries carrying each tag with the given prefix (HealthBench
 * axes such as "axis:accuracy"): both sums are taken over that axis' entries only.
 */
export function applyProfileByTag(
  entries: readonly ResolvedEntry[],
  verdicts: ReadonlyMap<string, EntryVerdict>,
  profile: ScoringProfile,
  prefix = 'axis:',
): Map<string, ProfileScore> {
  const tags = [...new Set(entries.flatMap((e) => e.tags.filter((t) => t.startsWith(prefix))))].sort();
  return new Map(tags.map((tag) => [tag, applyProfile(entries.filter((e) => e.tags.includes(tag)), verdicts, profile)]));
}
