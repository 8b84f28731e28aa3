/**
 * The per-item drill-down: prompt, reference and rubric of every item, and every answer
 * with its score and verdicts (met, quotes), so a reader can see why each answer scored
 * what it did. Answer texts are copied as given; the report escapes them.
 */
import type { Bank } from '../bank/bank.js';
import type { Item } from '../schema/bank.js';
import { deductionScore, pointScore } from '../scorer/rubric.js';
import type { AnswerView, ItemView, RubricEntryView, VerdictView } from '../schema/results.js';
import type { AnalyzedResponse } from '../schema/run.js';
import type { AnalyzedScore } from '../schema/score.js';

type Entries = Pick<Item['rubric'], 'points' | 'deductions' | 'zero_if' | 'veto'>;

// The views below are built by assignment in their keys' order, not as literals with
// conditional spreads (`...(e.text_en ? { text_en } : {})`): on Node 20 a literal copies its
// map for each key added after a spread, which made the drill-down about 10 us per answer
// (docs/benchmarks.md). Absent optional keys stay absent.

/** What an entry's view says of it beyond its text. */
type EntryTraits = Pick<RubricEntryView, 'kind' | 'score' | 'critical' | 'safety' | 'evidence'>;

function entryView(e: { id: string; text: string; text_en?: string }, variant: string | undefined, traits: EntryTraits): RubricEntryView {
  const view = { id: e.id, text: e.text } as RubricEntryView;
  if (e.text_en) view.text_en = e.text_en;
  if (variant) view.variant = variant;
  view.kind = traits.kind;
  view.score = traits.score;
  view.critical = traits.critical;
  view.safety = traits.safety;
  if (traits.evidence) view.evidence = traits.evidence;
  return view;
}

function entryViews(rubric: Entries, variant?: string): RubricEntryView[] {
  return [
    ...rubric.points.map((p) => entryView(p, variant, { kind: 'point', score: pointScore(p), critical: p.critical, safety: false, evidence: p.evidence })),
    ...rubric.deductions.map((d) => entryView(d, variant, { kind: 'deduction', score: deductionScore(d), critical: false, safety: d.safety, evidence: d.evidence })),
    ...rubric.zero_if.map((z) => entryView(z, variant, { kind: 'zero', score: null, critical: false, safety: false })),
    ...rubric.veto.map((v) => entryView(v, variant, { kind: 'veto', score: null, critical: false, safety: true })),
  ];
}

function answerView(score: AnalyzedScore, value: number | null, response: AnalyzedResponse | undefined): AnswerView {
  const view: AnswerView = {
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
  } as AnswerView;
  if (score.error) view.error = score.error;
  else if (response?.error) view.error = response.error.message;
  view.zeroed_by = score.zeroed_by;
  view.vetoed_by = score.vetoed_by;
  view.verdicts = score.verdicts.map(verdictView);
  return view;
}

function verdictView(v: AnalyzedScore['verdicts'][number]): VerdictView {
  const view = { entry: v.entry, kind: v.kind, met: v.met, decided_by: v.decided_by, quotes: v.quotes } as VerdictView;
  if (v.citations) view.citations = v.citations;
  if (v.rationale) view.rationale = v.rationale;
  view.points = v.points;
  if (v.agreement !== undefined) view.agreement = v.agreement;
  if (v.provenance) view.provenance = v.provenance;
  if (v.flags) view.flags = v.flags;
  return view;
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
  return bank.items.map((item, i) => {
    const view = { id: item.id, topic: item.topic, depth: item.depth } as ItemView;
    if (item.category) view.category = item.category;
    view.language = item.language ?? bank.language;
    view.prompt = item.prompt;
    if (item.prompt_en) view.prompt_en = item.prompt_en;
    if (item.reference) view.reference = item.reference;
    if (item.reference_en) view.reference_en = item.reference_en;
    view.variants = item.variants.map((v) => {
      const variant: ItemView['variants'][number] = { id: v.id, kind: v.kind };
      if (v.prompt) variant.prompt = v.prompt;
      if (v.turns) variant.turns = v.turns;
      return variant;
    });
    view.entries = [...entryViews(item.rubric), ...item.variants.flatMap((v) => (v.rubric ? entryViews(v.rubric, v.id) : []))];
    view.answers = byItem[i].sort(order).map((score) => answerView(score, valueOf(score), responses.get(score.key)));
    return view;
  });
}
