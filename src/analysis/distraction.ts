/**
 * Distraction axis (真实干扰): the paired change from the clean item to its distracted
 * variants, per respondent and kind, with items as clusters; flips from acceptable to
 * unacceptable with McNemar's exact test; multi-turn pressure turn by turn.
 */
import { type Item } from '../schema/bank.js';
import { VariantKind } from '../schema/shared.js';
import type { DistractionKindStat, MeanEstimate, MultiTurnStat } from '../schema/results.js';
import { meanEstimate, subsetMeanEstimate } from './bootstrap.js';
import type { ScoreTable, VariantCell } from './score-table.js';
import { mcnemarExact, mean, wilson } from './stats.js';

/** Per-item means of some value, items ascending. */
function byItem(entries: Iterable<{ item: number; value: number }>): { items: Int32Array; values: Float64Array } {
  const sums = new Map<number, { sum: number; n: number }>();
  for (const { item, value } of entries) {
    const acc = sums.get(item) ?? { sum: 0, n: 0 };
    acc.sum += value;
    acc.n++;
    sums.set(item, acc);
  }
  const items = Int32Array.from([...sums.keys()].sort((a, b) => a - b));
  return { items, values: Float64Array.from(items, (i) => sums.get(i)!.sum / sums.get(i)!.n) };
}

/** Bank items a series can have data for (with their position): all respondents' series over it share one plan. */
interface Universe {
  items: Int32Array;
  position: Map<number, number>;
}

function universeOf(table: ScoreTable, includes: (item: Item) => boolean): Universe {
  const items = Int32Array.from(table.items.flatMap((item, i) => (includes(item) ? [i] : [])));
  return { items, position: new Map(Array.from(items, (item, k) => [item, k])) };
}

function estimate(table: ScoreTable, perItem: { items: Int32Array; values: Float64Array }, universe: Universe): MeanEstimate {
  const { confidence } = table.settings;
  const shared = subsetMeanEstimate(universe.position, table.plans.plan(universe.items), perItem.items, perItem.values, confidence);
  // Scores whose variant kind disagrees with the bank fall outside the universe: resample their own items.
  return shared ?? meanEstimate(perItem.values, table.plans.plan(perItem.items), confidence);
}

/** The answer a kind is judged on: the first answer to a distracted prompt, the last answer of a multi-turn dialogue. */
function onBasis(cell: VariantCell): boolean {
  return cell.kind === 'multi-turn' ? cell.turn === cell.lastTurn : cell.turn === 0;
}

export interface DistractionResult {
  kinds: DistractionKindStat[];
  multiTurn: MultiTurnStat[];
  /** Per respondent: mean over items of the change under any distraction (null without paired data). */
  robustness: (number | null)[];
}

export function analyzeDistraction(table: ScoreTable): DistractionResult {
  const threshold = table.settings.acceptable_threshold;
  const { confidence } = table.settings;
  const kinds: DistractionKindStat[] = [];
  const multiTurn: MultiTurnStat[] = [];
  const robustness: (number | null)[] = [];
  const kindUniverse = new Map(VariantKind.options.map((kind) => [kind, universeOf(table, (item) => item.variants.some((v) => v.kind === kind))]));
  const turnUniverse = (turn: number) => universeOf(table, (item) => item.variants.some((v) => v.kind === 'multi-turn' && (v.turns?.length ?? 0) >= turn));
  const turnUniverses = new Map<number, Universe>();

  table.respondents.forEach((respondent, r) => {
    const clean = table.clean[r];
    const paired = table.variants[r].filter((cell) => onBasis(cell) && !Number.isNaN(clean[cell.item]));
    robustness.push(mean(byItem(paired.map((c) => ({ item: c.item, value: c.mean - clean[c.item] }))).values));

    for (const kind of VariantKind.options) {
      const cells = paired.filter((c) => c.kind === kind);
      if (cells.length === 0) continue;
      const deltas = byItem(cells.map((c) => ({ item: c.item, value: c.mean - clean[c.item] })));
      const variantMeans = byItem(cells.map((c) => ({ item: c.item, value: c.mean })));
      let worsened = 0;
      let improved = 0;
      let acceptableClean = 0;
      for (const c of cells) {
        const before = clean[c.item] >= threshold;
        const after = c.mean >= threshold;
        if (before) acceptableClean++;
        if (before && !after) worsened++;
        if (!before && after) improved++;
      }
      kinds.push({
        respondent: respondent.name,
        respondent_kind: respondent.kind,
        kind,
        turn_basis: kind === 'multi-turn' ? 'last' : 'first',
        delta: estimate(table, deltas, kindUniverse.get(kind)!),
        clean_mean: mean(Float64Array.from(deltas.items, (i) => clean[i])),
        variant_mean: mean(variantMeans.values),
        flips: wilson(worsened, acceptableClean, confidence),
        mcnemar: { acceptable_to_unacceptable: worsened, unacceptable_to_acceptable: improved, p_value: mcnemarExact(worsened, improved) },
      });
    }

    const dialogues = table.dialogues[r].filter((d) => d.scores[0] !== null && d.scores[0] !== undefined);
    if (dialogues.length === 0) return;
    const turnCells = table.variants[r].filter((c) => c.kind === 'multi-turn');
    const lastTurn = Math.max(...turnCells.map((c) => c.turn));
    const turns = Array.from({ length: lastTurn + 1 }, (_, turn) => {
      const atTurn = turnCells.filter((c) => c.turn === turn);
      if (!turnUniverses.has(turn)) turnUniverses.set(turn, turnUniverse(turn));
      const universe = turnUniverses.get(turn)!;
      return {
        turn,
        score: estimate(table, byItem(atTurn.map((c) => ({ item: c.item, value: c.mean }))), universe),
        delta: estimate(table, byItem(atTurn.filter((c) => !Number.isNaN(clean[c.item])).map((c) => ({ item: c.item, value: c.mean - clean[c.item] }))), universe),
      };
    });
    // A regressive flip: acceptable at the first answer, unacceptable at some later turn under pressure.
    let held = 0;
    const capitulations: number[] = [];
    for (const dialogue of dialogues) {
      if ((dialogue.scores[0] as number) < threshold) continue;
      held++;
      const turn = dialogue.scores.findIndex((s, t) => t > 0 && s !== null && s < threshold);
      if (turn > 0) capitulations.push(turn);
    }
    multiTurn.push({
      respondent: respondent.name,
      respondent_kind: respondent.kind,
      dialogues: dialogues.length,
      turns,
      regressive_flips: wilson(capitulations.length, held, confidence),
      mean_turns_to_capitulation: mean(capitulations),
    });
  });
  return { kinds, multiTurn, robustness };
}
