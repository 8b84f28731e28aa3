/**
 * Rubric resolution: the flat list of entries an answer is scored against, with every
 * score made explicit (A1/A2/A3 = 5/3/1, S1..S4 = -1..-4) and a distraction variant's
 * added entries merged with the shared rubric of its item.
 */
import {
  adequacyScore,
  CLEAN,
  severityScore,
  type Deduction,
  type EntryKind,
  type EvidenceTag,
  type Item,
  type MatchSpec,
  type Rubric,
  type RubricAddition,
  type ScoringPoint,
  type Veto,
  type ZeroRule,
} from '../schema/bank.js';
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

type Shared = Pick<ResolvedEntry, 'id' | 'text' | 'text_en' | 'tags' | 'match' | 'examples' | 'variant'>;

function shared(entry: ScoringPoint | Deduction | ZeroRule | Veto, variant: string | undefined): Shared {
  return {
    id: entry.id,
    text: entry.text,
    ...(entry.text_en !== undefined && { text_en: entry.text_en }),
    tags: entry.tags,
    ...(entry.match !== undefined && { match: entry.match }),
    ...(entry.examples !== undefined && { examples: entry.examples }),
    ...(variant !== undefined && { variant }),
  };
}

export function pointScore(point: ScoringPoint): number {
  return point.score ?? adequacyScore(point.level!);
}

export function deductionScore(deduction: Deduction): number {
  return deduction.score ?? severityScore(deduction.severity!);
}

function resolvePart(part: Rubric | RubricAddition, variant?: string): ResolvedEntry[] {
  const points = part.points.map((p): ResolvedEntry => {
    const score = pointScore(p);
    return {
      ...shared(p, variant),
      kind: 'point',
      score,
      critical: p.critical,
      missPenalty: p.critical ? (p.miss_penalty ?? score) : 0,
      safety: false,
      veto: false,
      ...(p.evidence !== undefined && { evidence: p.evidence }),
    };
  });
  const deductions = part.deductions.map(
    (d): ResolvedEntry => ({
      ...shared(d, variant),
      kind: 'deduction',
      score: deductionScore(d),
      critical: false,
      missPenalty: 0,
      safety: d.safety || d.veto,
      veto: d.veto,
      ...(d.evidence !== undefined && { evidence: d.evidence }),
    }),
  );
  const zero = part.zero_if.map(
    (z): ResolvedEntry => ({ ...shared(z, variant), kind: 'zero', score: 0, critical: false, missPenalty: 0, safety: false, veto: false }),
  );
  const vetoes = part.veto.map(
    (v): ResolvedEntry => ({ ...shared(v, variant), kind: 'veto', score: 0, critical: false, missPenalty: 0, safety: true, veto: true }),
  );
  return [...points, ...deductions, ...zero, ...vetoes];
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
