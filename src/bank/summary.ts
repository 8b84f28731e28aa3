/**
 * What a bank covers, as plain data: items by depth, topic and distraction kind, rubric
 * entry counts and evidence-tag coverage. Lint prints it; reports reuse it.
 */
import { z } from 'zod';
import { EVIDENCE_LEVELS, EvidenceScheme, Language, ScoringProfile, VariantKind, type Rubric, type RubricAddition } from '../schema/bank.js';
import type { Bank } from './bank.js';
import { countStatuses, usesStatuses } from './status.js';

const Count = z.number().int().nonnegative();

/** The summary `caps lint` prints and `--format json` emits. */
export const BankSummary = z.strictObject({
  bank: z.string(),
  version: z.string(),
  title: z.string().optional(),
  language: Language,
  profile: ScoringProfile,
  files: Count,
  items: Count,
  /** Items in each review status, when the bank records statuses (`unset`: items without one). */
  statuses: z.strictObject({ draft: Count, 'in-review': Count, admitted: Count, retired: Count, unset: Count }).optional(),
  /** Every level of the depth scale, including empty ones. */
  depth: z.array(z.strictObject({ level: z.number().int(), label: z.string().optional(), items: Count })),
  /** Topics in use plus, when there is a taxonomy, its uncovered topics (items: 0). */
  topics: z.array(z.strictObject({ topic: z.string(), title: z.string().optional(), items: Count, byDepth: z.record(z.string(), Count) })),
  taxonomy: z.strictObject({ id: z.string(), topics: Count, covered: Count }).optional(),
  variants: z.array(z.strictObject({ kind: VariantKind, variants: Count, items: Count })),
  itemsWithVariants: Count,
  /** Counts over the shared rubrics and every variant's added entries. */
  entries: z.strictObject({
    points: Count,
    criticalPoints: Count,
    deductions: Count,
    safetyDeductions: Count,
    vetoDeductions: Count,
    zeroRules: Count,
    vetoes: Count,
  }),
  /** Items that can be vetoed (a veto entry or a deduction with veto: true). */
  itemsWithVeto: Count,
  evidence: z.strictObject({
    points: Count,
    taggedPoints: Count,
    /** taggedPoints / points (0 when there is no point). */
    share: z.number().min(0).max(1),
    schemes: z.array(z.strictObject({ scheme: EvidenceScheme, points: Count, levels: z.array(z.strictObject({ level: z.string(), points: Count })) })),
  }),
});
export type BankSummary = z.infer<typeof BankSummary>;

export function summarizeBank(bank: Bank): BankSummary {
  const { min, max, labels } = bank.depthScale;
  const depth = Array.from({ length: max - min + 1 }, (_, i) => min + i).map((level) => ({
    level,
    ...(labels?.[String(level)] ? { label: labels[String(level)] } : {}),
    items: bank.items.filter((it) => it.depth === level).length,
  }));

  const titles = new Map(bank.taxonomy?.topics.map((t) => [t.id, t.title_en ?? t.title]) ?? []);
  const topicIds = [...(bank.taxonomy?.topics.map((t) => t.id) ?? []), ...bank.items.map((it) => it.topic)];
  const topics = [...new Set(topicIds)].map((topic) => {
    const items = bank.items.filter((it) => it.topic === topic);
    const byDepth: Record<string, number> = {};
    for (const it of items) byDepth[it.depth] = (byDepth[it.depth] ?? 0) + 1;
    return { topic, ...(titles.has(topic) ? { title: titles.get(topic) } : {}), items: items.length, byDepth };
  });

  const variants = VariantKind.options.map((kind) => ({
    kind,
    variants: bank.items.reduce((n, it) => n + it.variants.filter((v) => v.kind === kind).length, 0),
    items: bank.items.filter((it) => it.variants.some((v) => v.kind === kind)).length,
  }));

  const rubrics: (Rubric | RubricAddition)[] = bank.items.flatMap((it) => [it.rubric, ...it.variants.flatMap((v) => (v.rubric ? [v.rubric] : []))]);
  const points = rubrics.flatMap((r) => r.points);
  const deductions = rubrics.flatMap((r) => r.deductions);
  const tagged = points.filter((p) => p.evidence);
  const schemes = (Object.keys(EVIDENCE_LEVELS) as EvidenceScheme[])
    .map((scheme) => {
      const inScheme = tagged.filter((p) => p.evidence!.scheme === scheme);
      const levels = (EVIDENCE_LEVELS[scheme] as readonly string[])
        .map((level) => ({ level, points: inScheme.filter((p) => p.evidence!.level === level).length }))
        .filter((l) => l.points > 0);
      return { scheme, points: inScheme.length, levels };
    })
    .filter((s) => s.points > 0);

  return {
    bank: bank.id,
    version: bank.version,
    ...(bank.title !== undefined ? { title: bank.title } : {}),
    language: bank.language,
    profile: bank.profile,
    files: bank.files.length,
    items: bank.items.length,
    ...(usesStatuses(bank.items) ? { statuses: countStatuses(bank.items) } : {}),
    depth,
    topics,
    ...(bank.taxonomy
      ? { taxonomy: { id: bank.taxonomy.taxonomy, topics: bank.taxonomy.topics.length, covered: bank.taxonomy.topics.filter((t) => bank.items.some((it) => it.topic === t.id)).length } }
      : {}),
    variants,
    itemsWithVariants: bank.items.filter((it) => it.variants.length > 0).length,
    entries: {
      points: points.length,
      criticalPoints: points.filter((p) => p.critical).length,
      deductions: deductions.length,
      safetyDeductions: deductions.filter((d) => d.safety).length,
      vetoDeductions: deductions.filter((d) => d.veto).length,
      zeroRules: rubrics.reduce((n, r) => n + r.zero_if.length, 0),
      vetoes: rubrics.reduce((n, r) => n + r.veto.length, 0),
    },
    itemsWithVeto: bank.items.filter((it) => [it.rubric, ...it.variants.map((v) => v.rubric)].some((r) => r && (r.veto.length > 0 || r.deductions.some((d) => d.veto)))).length,
    evidence: { points: points.length, taggedPoints: tagged.length, share: points.length ? tagged.length / points.length : 0, schemes },
  };
}
