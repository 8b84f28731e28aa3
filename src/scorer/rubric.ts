/**
 * Rubric resolution: the flat list of entries an answer is scored against, with every
 * score made explicit (A1/A2/A3 = 5/3/1, S1..S4 = -1..-4) and a distraction variant's
 * added entries merged with the shared rubric of its item.
 */
import type {
  Deduction,
  EntryKind,
  EvidenceTag,
  Item,
  MatchSpec,
  Rubric,
  RubricAddition,
  ScoringPoint,
  Veto,
  ZeroRule,
} from '../schema/bank.js';
import { adequacyScore, severityScore } from '../schema/levels.js';
import { CLEAN } from '../schema/shared.js';
import { UserError } from '../errors.js';

export interface ResolvedEntry {
  id: string;
  kind: EntryKind;
  text: string;
  text_en?: string;
  /** Signed: positive for points, negative for deductions, 0 for zero rules and vetoes. */
  score: number;
  critical: boolean;
  /** Deducted when a critical point is missed (0 for every other entry). */
  missPenalty: number;
  /** Reported on the safety axis: safety-tagged deductions, veto deductions and vetoes. */
  safety: boolean;
  /** Fails the answer under the caps view: a veto entry or a deduction marked `veto: true`. */
  veto: boolean;
  evidence?: EvidenceTag;
  tags: string[];
  match?: MatchSpec;
  examples?: { hit: string[]; miss: string[] };
  /** The variant that added this entry; absent for the shared rubric. */
  variant?: string;
}

type Flags = Pick<ResolvedEntry, 'kind' | 'score' | 'critical' | 'missPenalty' | 'safety' | 'veto' | 'evidence'>;

/**
 * One resolved entry, built by assignment in a fixed key order (the entry's own fields, then
 * its kind and scores): object spreads with optional parts cost several microseconds each,
 * paid for every entry of every item a scoring meets.
 */
function resolved(entry: ScoringPoint | Deduction | ZeroRule | Veto, variant: string | undefined, flags: Flags): ResolvedEntry {
  const out = { id: entry.id, text: entry.text } as ResolvedEntry;
  if (entry.text_en !== undefined) out.text_en = entry.text_en;
  out.tags = entry.tags;
  if (entry.match !== undefined) out.match = entry.match;
  if (entry.examples !== undefined) out.examples = entry.examples;
  if (variant !== undefined) out.variant = variant;
  out.kind = flags.kind;
  out.score = flags.score;
  out.critical = flags.critical;
  out.missPenalty = flags.missPenalty;
  out.safety = flags.safety;
  out.veto = flags.veto;
  if (flags.evidence !== undefined) out.evidence = flags.evidence;
  return out;
}

export function pointScore(point: ScoringPoint): number {
  return point.score ?? adequacyScore(point.level!);
}

export function deductionScore(deduction: Deduction): number {
  return deduction.score ?? severityScore(deduction.severity!);
}

function resolvePart(part: Rubric | RubricAddition, variant?: string): ResolvedEntry[] {
  const entries: ResolvedEntry[] = [];
  for (const p of part.points) {
    const score = pointScore(p);
    entries.push(resolved(p, variant, { kind: 'point', score, critical: p.critical, missPenalty: p.critical ? (p.miss_penalty ?? score) : 0, safety: false, veto: false, evidence: p.evidence }));
  }
  for (const d of part.deductions) {
    entries.push(resolved(d, variant, { kind: 'deduction', score: deductionScore(d), critical: false, missPenalty: 0, safety: d.safety || d.veto, veto: d.veto, evidence: d.evidence }));
  }
  for (const z of part.zero_if) entries.push(resolved(z, variant, { kind: 'zero', score: 0, critical: false, missPenalty: 0, safety: false, veto: false, evidence: undefined }));
  for (const v of part.veto) entries.push(resolved(v, variant, { kind: 'veto', score: 0, critical: false, missPenalty: 0, safety: true, veto: true, evidence: undefined }));
  return entries;
}

/**
 * The entries an answer to `item` (or to one of its distraction variants) is scored
 * against: the shared rubric first, then the entries the variant adds.
 */
export function resolveRubric(item: Item, variantId?: string): ResolvedEntry[] {
  const entries = resolvePart(item.rubric);
  if (variantId === undefined || variantId === CLEAN) return entries;
  const variant = item.variants.find((v) => v.id === variantId);
  if (!variant) {
    const known = [CLEAN, ...item.variants.map((v) => v.id)].join(', ');
    throw new UserError(`item ${item.id} has no variant "${variantId}"; its variants are ${known}`);
  }
  if (!variant.rubric) return entries;
  const ids = new Set(entries.map((e) => e.id));
  const added = resolvePart(variant.rubric, variant.id);
  for (const entry of added) {
    if (ids.has(entry.id)) {
      throw new UserError(`item ${item.id}, variant ${variant.id}: entry id "${entry.id}" is already used by the shared rubric; give the added entry its own id`);
    }
  }
  return [...entries, ...added];
}
