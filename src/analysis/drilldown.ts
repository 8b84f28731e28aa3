/**
 * The per-item drill-down: prompt, reference and rubric of every item, and every answer
 * with its score and verdicts (met, quotes), so a reader can see why each answer scored
 * what it did. Answer texts are copied as given; the report escapes them.
 */
import type { Bank } from '../bank/bank.js';
import type { Item } from '../schema/bank.js';
import { deductionScore, pointScore } from '../scorer/rubric.js';
import type { AnswerView, ItemView, RubricEntryView } from '../schema/results.js';
import type { AnalyzedResponse } from '../schema/run.js';
import type { AnalyzedScore } from '../schema/score.js';

type Entries = Pick<Item['rubric'], 'points' | 'deductions' | 'zero_if' | 'veto'>;

function entryViews(rubric: Entries, variant?: string): RubricEntryView[] {
  const common = (e: { id: string; text: string; text_en?: string }) => ({
    id: e.id,
    text: e.text,
    ...(e.text_en ? { text_en: e.text_en } : {}),
    ...(variant ? { variant } : {}),
  });
  return [
    ...rubric.points.map((p) => ({
      ...common(p),
      kind: 'point' as const,
      score: pointScore(p),
      critical: p.critical,
      safety: false,
      ...(p.evidence ? { evidence: p.evidence } : {}),
    })),
    ...rubric.deductions.map((d) => ({
      ...common(d),
      kind: 'deduction' as const,
      score: deductionScore(d),
      critical: false,
      safety: d.safety,
      ...(d.evidence ? { evidence: d.evidence } : {}),
    })),
    ...rubric.zero_if.map((z) => ({ ...common(z), kind: 'zero' as const, score: null, critical: false, safety: false })),
    ...rubric.veto.map((v) => ({ ...common(v), kind: 'veto' as const, score: null, critical: false, safety: true })),
  ];
}

function answerView(score: AnalyzedScore, value: number | null, response: AnalyzedResponse | undefined): AnswerView {
  return {
    key: score.key,
    respondent: score.respondent,
    respondent_kind: score.respondent_kind,
    variant: score.variant,
    variant_kind: score.variant_kind,
    turn: score.turn,
    sample: score.sample,
    score: value,
    status: score.status,
    text: response?.text ?? null,
    ...(score.error ? { error: score.error } : response?.error ? { error: response.error.message } : {}),
    zeroed_by: score.zeroed_by,
    vetoed_by: score.vetoed_by,
    verdicts: score.verdicts.map((v) => ({
      entry: v.entry,
      kind: v.kind,
      met: v.met,
      decided_by: v.decided_by,
      quotes: v.quotes,
      ...(v.citations ? { citations: v.citations } : {}),
      ...(v.rationale ? { rationale: v.rationale } : {}),
      points: v.points,
      ...(v.agreement !== undefined ? { agreement: v.agreement } : {}),
      ...(v.provenance ? { provenance: v.provenance } : {}),
      ...(v.flags ? { flags: v.flags } : {}),
    })),
  };
}

/** Each bank item's scores, in the bank's order: the answers of its drill-down. */
export function scoresByItem(bank: Bank, scores: readonly AnalyzedScore[]): AnalyzedScore[][] {
  const byItem = new Map<string, AnalyzedScore[]>();
  for (const score of scores) {
    const list = byItem.get(score.item) ?? [];
    list.push(score);
    byItem.set(score.item, list);
  }
  return bank.items.map((item) => byItem.get(item.id) ?? []);
}

/** Each bank item's view; `byItem` is scoresByItem of the answers (its lists are sorted in place). */
export function drilldown(
  bank: Bank,
  byItem: AnalyzedScore[][],
  responses: ReadonlyMap<string, AnalyzedResponse>,
  valueOf: (score: AnalyzedScore) => number | null,
): ItemView[] {
  const order = (a: AnalyzedScore, b: AnalyzedScore) =>
    (a.respondent < b.respondent ? -1 : a.respondent > b.respondent ? 1 : 0) ||
    (a.variant === b.variant ? 0 : a.variant === 'clean' ? -1 : b.variant === 'clean' ? 1 : a.variant < b.variant ? -1 : 1) ||
    a.sample - b.sample ||
    a.turn - b.turn;
  return bank.items.map((item, i) => ({
    id: item.id,
    topic: item.topic,
    depth: item.depth,
    ...(item.category ? { category: item.category } : {}),
    language: item.language ?? bank.language,
    prompt: item.prompt,
    ...(item.prompt_en ? { prompt_en: item.prompt_en } : {}),
    ...(item.reference ? { reference: item.reference } : {}),
    ...(item.reference_en ? { reference_en: item.reference_en } : {}),
    variants: item.variants.map((v) => ({ id: v.id, kind: v.kind, ...(v.prompt ? { prompt: v.prompt } : {}), ...(v.turns ? { turns: v.turns } : {}) })),
    entries: [...entryViews(item.rubric), ...item.variants.flatMap((v) => (v.rubric ? entryViews(v.rubric, v.id) : []))],
    answers: byItem[i].sort(order).map((score) => answerView(score, valueOf(score), responses.get(score.key))),
  }));
}
