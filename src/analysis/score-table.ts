/**
 * The scores arranged for analysis: one clean score per respondent and item (turn 0,
 * samples averaged, so items are the resampling unit), distracted scores per item and
 * variant and turn, and multi-turn dialogues turn by turn. Incomplete and failed answers
 * are counted and left out, never read as zero.
 */
import type { Bank } from '../bank/bank.js';
import type { Item, VariantKind } from '../schema/bank.js';
import type { AnalysisSettings } from '../schema/results.js';
import type { RespondentKind } from '../schema/run.js';
import type { AnalyzedScore } from '../schema/score.js';
import { PlanCache } from './bootstrap.js';

export interface Respondent {
  name: string;
  kind: RespondentKind;
}

/** A distracted answer of one respondent, samples averaged. */
export interface VariantCell {
  item: number;
  variant: string;
  kind: VariantKind;
  turn: number;
  lastTurn: number;
  mean: number;
}

/** One multi-turn dialogue (item, variant, sample): score by turn, null where missing or incomplete. */
export interface Dialogue {
  item: number;
  variant: string;
  sample: number;
  scores: (number | null)[];
}

export interface ScoreTable {
  bank: Bank;
  items: Item[];
  itemIndex: Map<string, number>;
  respondents: Respondent[];
  /** The scores analysed: latest per key, items of the bank only. */
  scores: AnalyzedScore[];
  settings: AnalysisSettings;
  plans: PlanCache;
  /** Per respondent, per item: mean clean score, NaN when there is none. */
  clean: Float64Array[];
  /** The same over clean answers no veto failed: NaN where there is none (what the depth knee is fitted on). */
  cleanUnvetoed: Float64Array[];
  cleanUsed: number[];
  cleanExcluded: number[];
  variants: VariantCell[][];
  dialogues: Dialogue[][];
  warnings: string[];
}

/** The score an analysis reads (per settings), or null when the answer is not usable. */
export function usableScore(score: AnalyzedScore, settings: AnalysisSettings): number | null {
  if (score.status !== 'complete') return null;
  const value = score[settings.score_field];
  return value === null || !Number.isFinite(value) ? null : value;
}

function variantKindOf(score: AnalyzedScore, item: Item): VariantKind | null {
  if (score.variant_kind !== 'clean') return score.variant_kind;
  return item.variants.find((v) => v.id === score.variant)?.kind ?? null;
}

class Accumulator {
  sum = 0;
  n = 0;
  add(value: number): void {
    this.sum += value;
    this.n++;
  }
}

function means(row: Accumulator[]): Float64Array {
  return Float64Array.from(row, (acc) => (acc.n > 0 ? acc.sum / acc.n : NaN));
}

export function buildScoreTable(bank: Bank, scores: readonly AnalyzedScore[], settings: AnalysisSettings): ScoreTable {
  const warnings: string[] = [];
  const items = bank.items;
  const itemIndex = new Map(items.map((item, i) => [item.id, i]));

  // A later line with the same key is a re-score and replaces the earlier one.
  const latest = new Map<string, AnalyzedScore>();
  const unknownItems = new Set<string>();
  for (const score of scores) {
    if (!itemIndex.has(score.item)) {
      unknownItems.add(score.item);
      continue;
    }
    latest.delete(score.key);
    latest.set(score.key, score);
  }
  if (unknownItems.size > 0) {
    const sample = [...unknownItems].slice(0, 5).join(', ');
    warnings.push(
      `${unknownItems.size} scored item(s) are not in bank ${bank.id} ${bank.version} (${sample}${unknownItems.size > 5 ? ', ...' : ''}): ignored. Analyse with the bank the run was scored with.`,
    );
  }
  const kept = [...latest.values()];

  const kinds = new Map<string, RespondentKind>();
  for (const score of kept) if (!kinds.has(score.respondent)) kinds.set(score.respondent, score.respondent_kind);
  const respondents = [...kinds.entries()].map(([name, kind]) => ({ name, kind })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const respondentIndex = new Map(respondents.map((r, i) => [r.name, i]));

  const cleanSums = respondents.map(() => items.map(() => new Accumulator()));
  const unvetoedSums = respondents.map(() => items.map(() => new Accumulator()));
  const cleanUsed = respondents.map(() => 0);
  const cleanExcluded = respondents.map(() => 0);
  const variantSums = respondents.map(() => new Map<string, { cell: Omit<VariantCell, 'mean'>; acc: Accumulator }>());
  const dialogueMaps = respondents.map(() => new Map<string, Dialogue>());
  const unknownVariants = new Set<string>();

  for (const score of kept) {
    const r = respondentIndex.get(score.respondent)!;
    const i = itemIndex.get(score.item)!;
    const value = usableScore(score, settings);
    if (score.variant === 'clean') {
      if (score.turn !== 0) continue;
      if (value === null) cleanExcluded[r]++;
      else {
        cleanUsed[r]++;
        cleanSums[r][i].add(value);
        if (score.vetoed_by.length === 0) unvetoedSums[r][i].add(value);
      }
      continue;
    }
    const kind = variantKindOf(score, items[i]);
    if (!kind) {
      unknownVariants.add(`${score.item}/${score.variant}`);
      continue;
    }
    if (kind === 'multi-turn') {
      const key = `${i}\u0000${score.variant}\u0000${score.sample}`;
      let dialogue = dialogueMaps[r].get(key);
      if (!dialogue) {
        dialogue = { item: i, variant: score.variant, sample: score.sample, scores: [] };
        dialogueMaps[r].set(key, dialogue);
      }
      while (dialogue.scores.length <= score.turn) dialogue.scores.push(null);
      dialogue.scores[score.turn] = value;
    }
    if (value === null) continue;
    const key = `${i}\u0000${score.variant}\u0000${score.turn}`;
    let entry = variantSums[r].get(key);
    if (!entry) {
      entry = { cell: { item: i, variant: score.variant, kind, turn: score.turn, lastTurn: score.last_turn }, acc: new Accumulator() };
      variantSums[r].set(key, entry);
    }
    entry.cell.lastTurn = Math.max(entry.cell.lastTurn, score.last_turn);
    entry.acc.add(value);
  }
  if (unknownVariants.size > 0) {
    warnings.push(`${unknownVariants.size} scored variant(s) have no kind and are not in the bank (${[...unknownVariants].slice(0, 5).join(', ')}): ignored.`);
  }

  return {
    bank,
    items,
    itemIndex,
    respondents,
    scores: kept,
    settings,
    plans: new PlanCache(settings.seed, settings.bootstrap_b),
    clean: cleanSums.map(means),
    cleanUnvetoed: unvetoedSums.map(means),
    cleanUsed,
    cleanExcluded,
    variants: variantSums.map((map) => [...map.values()].map(({ cell, acc }) => ({ ...cell, mean: acc.sum / acc.n }))),
    dialogues: dialogueMaps.map((map) => [...map.values()]),
    warnings,
  };
}

/** Item indices (ascending) where a per-item array has a value, with those values. */
export function presentItems(values: Float64Array, among?: (i: number) => boolean): { items: Int32Array; values: Float64Array } {
  const indices: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]) && (!among || among(i))) indices.push(i);
  return { items: Int32Array.from(indices), values: Float64Array.from(indices, (i) => values[i]) };
}
