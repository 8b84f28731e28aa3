/**
 * What a bank covers, as plain data: items by depth, topic and distraction kind, rubric
 * entry counts and evidence-tag coverage. Lint prints it; reports reuse it.
 */
import { EVIDENCE_LEVELS, VariantKind, type EvidenceScheme, type Rubric, type RubricAddition } from '../schema/bank.js';
import type { Bank } from './bank.js';

export interface BankSummary {
  bank: string;
  version: string;
  title?: string;
  language: string;
  profile: string;
  files: number;
  items: number;
  /** Every level of the depth scale, including empty ones. */
  depth: { level: number; label?: string; items: number }[];
  /** Topics in use plus, when there is a taxonomy, its uncovered topics (items: 0). */
  topics: { topic: string; title?: string; items: number; byDepth: Record<string, number> }[];
  taxonomy?: { id: string; topics: number; covered: number };
  variants: { kind: VariantKind; variants: number; items: number }[];
  itemsWithVariants: number;
  /** Counts over the shared rubrics and every variant's added entries. */
  entries: { points: number; criticalPoints: number; deductions: number; safetyDeductions: number; vetoDeductions: number; zeroRules: number; vetoes: number };
  /** Items that can be vetoed (a veto entry or a deduction with veto: true). */
  itemsWithVeto: number;
  evidence: {
    points: number;
    taggedPoints: number;
    /** taggedPoints / points (0 when there is no point). */
    share: number;
    schemes: { scheme: EvidenceScheme; points: number; levels: { level: string; points: number }[] }[];
  };
}

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
