/**
 * The depth knee (拐点): the level after which scores collapse.
 *
 * On item-level clean scores y and depth levels x four model kinds are fitted by least
 * squares and compared by BIC (N ln(RSS/N) + p ln N, N items):
 * - flat: y = b0 (p = 1);
 * - line: y = b0 + b1 x (p = 2), a steady decline;
 * - bend at an interior level k: y = b0 + b1 x + b2 max(0, x - k) (p = 3), the slope changes;
 * - step after a level k: y = b0 + b1 [x > k] (p = 2), the score drops and levels off.
 * A stratified bootstrap (items resampled within level) refits every model per replicate.
 * The support of a change (knot k, direction) is the share of replicates whose best model is
 * a bend or a step at k changing in that direction. A knee is claimed only for a downward
 * change with support >= minSupport whose bootstrap CI excludes zero; the same evidence for
 * an upward change is a rise, reported in words and never called a knee.
 * Answers failed by a veto are left out of the fit (counted per level; see docs/statistics.md).
 */
import type { Knee, KneeCandidate, MeanEstimate } from '../schema/results.js';
import { createPlan, deriveSeed, intervalExcludesZero, type ResamplingPlan } from './bootstrap.js';
import { percentileInterval } from './stats.js';

export interface LevelScores {
  level: number;
  /** One score per item (samples averaged, vetoed answers at 0), 0..100: the level's mean and CI. */
  values: Float64Array;
  /**
   * The same items' scores over their answers that no veto failed (NaN where every answer was
   * vetoed): what the knee is fitted on. Defaults to `values`.
   */
  unvetoed?: Float64Array;
  /**
   * How the level's items are resampled (B x values.length counts). Respondents answering the
   * same items can share one plan; by default one is drawn from the seed and the level.
   */
  plan?: ResamplingPlan;
}

export interface KneeOptions {
  b: number;
  seed: number;
  confidence: number;
  minSupport: number;
}

type ModelKind = KneeCandidate['model'];

/** One candidate model: its features per level (level-major, p per level) and which coefficient is its change. */
interface Model {
  model: ModelKind;
  knot: number | null;
  p: number;
  features: Float64Array;
  changeIndex: number | null;
}

function modelsFor(x: readonly number[]): Model[] {
  const make = (model: ModelKind, knot: number | null, f: (xl: number) => number[], changeIndex: number | null): Model => {
    const rows = x.map(f);
    return { model, knot, p: rows[0].length, features: Float64Array.from(rows.flat()), changeIndex };
  };
  return [
    make('flat', null, () => [1], null),
    make('line', null, (xl) => [1, xl], 1),
    ...x.slice(1, -1).map((k) => make('bend', k, (xl) => [1, xl, Math.max(0, xl - k)], 2)),
    ...x.slice(0, -1).map((k) => make('step', k, (xl) => [1, xl > k ? 1 : 0], 1)),
  ];
}

/**
 * Weighted least squares on per-level sufficient statistics (weight n_l, sum s_l; q = sum of
 * squares of all scores): solves (F'NF) beta = F's in place and returns RSS = q - beta'F's,
 * or NaN when the design is singular (a level without items in this replicate).
 */
function fit(model: Model, n: Float64Array, s: Float64Array, q: number, a: Float64Array, beta: Float64Array): number {
  const { p, features } = model;
  const levels = n.length;
  a.fill(0, 0, p * (p + 1));
  for (let l = 0; l < levels; l++) {
    const o = l * p;
    for (let i = 0; i < p; i++) {
      const fi = features[o + i];
      for (let j = 0; j < p; j++) a[i * (p + 1) + j] += n[l] * fi * features[o + j];
      a[i * (p + 1) + p] += s[l] * fi;
    }
  }
  // Gaussian elimination with partial pivoting on the p x (p+1) augmented matrix (p <= 3).
  const w = p + 1;
  for (let c = 0; c < p; c++) {
    let pivot = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(a[r * w + c]) > Math.abs(a[pivot * w + c])) pivot = r;
    if (Math.abs(a[pivot * w + c]) < 1e-9) return NaN;
    if (pivot !== c) for (let k = 0; k < w; k++) [a[c * w + k], a[pivot * w + k]] = [a[pivot * w + k], a[c * w + k]];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const factor = a[r * w + c] / a[c * w + c];
      for (let k = c; k < w; k++) a[r * w + k] -= factor * a[c * w + k];
    }
  }
  let explained = 0;
  for (let i = 0; i < p; i++) {
    beta[i] = a[i * w + p] / a[i * w + i];
    let fs = 0;
    for (let l = 0; l < levels; l++) fs += features[l * p + i] * s[l];
    explained += beta[i] * fs;
  }
  return q - explained;
}

function bicOf(rss: number, q: number, total: number, p: number): number {
  // A perfect fit would give ln(0); floor the RSS relative to the data so equal fits tie and the simpler model wins.
  const floored = Math.max(rss, 1e-9 * (q + 1));
  return total * Math.log(floored / total) + p * Math.log(total);
}

function round(value: number, digits = 1): string {
  return value.toFixed(digits);
}

function signed(value: number, digits = 1): string {
  return `${value > 0 ? '+' : ''}${value.toFixed(digits)}`;
}

export interface DepthAnalysis {
  knee: Knee;
  /** Mean per level (ascending, every level given) with its CI from the same stratified replicates. */
  levels: { level: number; score: MeanEstimate }[];
}

export function detectKnee(levels: readonly LevelScores[], options: KneeOptions): Knee {
  return analyzeDepth(levels, options).knee;
}

/** The change that a replicate's winning model shows: its knot and direction, or none. */
function changeKey(model: Model, beta: Float64Array): string | null {
  if (model.knot === null || model.changeIndex === null) return null;
  const change = beta[model.changeIndex];
  if (change === 0) return null;
  return `${model.knot}|${change < 0 ? 'down' : 'up'}`;
}

/** The knee and the per-level means with CIs, from one stratified bootstrap. */
export function analyzeDepth(levels: readonly LevelScores[], options: KneeOptions): DepthAnalysis {
  const sorted = [...levels].sort((a, b) => a.level - b.level);
  const fitValues = sorted.map((l) => l.unvetoed ?? l.values);
  const usable = fitValues.map((v) => v.reduce((c, x) => c + (Number.isNaN(x) ? 0 : 1), 0));
  const itemsPerLevel = sorted.map((l, i) => ({ level: l.level, n: l.values.length, vetoed: l.values.length - usable[i] }));
  // Levels that take part in the fit: those with at least one unvetoed item.
  const fitted = sorted.map((_, i) => i).filter((i) => usable[i] > 0);
  const total = fitted.reduce((sum, i) => sum + usable[i], 0);
  const testable = fitted.length >= 3 && total >= 6;

  const plans = sorted.map((l) => {
    if (l.values.length === 0) return null;
    const plan = l.plan ?? createPlan(l.values.length, options.b, deriveSeed(options.seed, `level|${l.level}`));
    if (plan.n !== l.values.length || plan.b !== options.b) {
      throw new RangeError(`depth level ${l.level}: a resampling plan of ${plan.b} x ${plan.n} for ${options.b} x ${l.values.length}`);
    }
    return plan;
  });

  const models = testable ? modelsFor(fitted.map((i) => sorted[i].level)) : [];
  const a = new Float64Array(12);
  const beta = new Float64Array(3);
  const levelCount = fitted.length;
  const n = new Float64Array(levelCount);
  const s = new Float64Array(levelCount);

  // Position in the fit (index into n and s) of each sorted level, or -1 when it takes no part.
  const fitIndex = sorted.map((_, i) => fitted.indexOf(i));

  /**
   * Adds one fitted level's scores, each weighted by how often the replicate drew its item (by 1
   * without counts), into n[j] and s[j], and their squares into the running sum q, returned.
   * With `values`, the same pass sums count x value into `drawnSum` (the replicate's level mean).
   */
  let drawnSum = 0;
  const weigh = (j: number, scores: Float64Array, counts: Uint16Array | null, row: number, q: number, values?: Float64Array): number => {
    let count = 0;
    let sum = 0;
    let drawn = 0;
    for (let k = 0; k < scores.length; k++) {
      const c = counts ? counts[row + k] : 1;
      if (values) drawn += c * values[k];
      const v = scores[k];
      if (Number.isNaN(v)) continue;
      count += c;
      sum += c * v;
      q += c * v * v;
    }
    n[j] = count;
    s[j] = sum;
    drawnSum = drawn;
    return q;
  };

  // Observed fits.
  const qObserved = fitted.reduce((q, l, j) => weigh(j, fitValues[l], null, 0, q), 0);
  const observed = models.map((model) => {
    const rss = fit(model, n, s, qObserved, a, beta);
    return { bic: Number.isNaN(rss) ? null : bicOf(rss, qObserved, total, model.p), beta: Float64Array.from(beta.subarray(0, model.p)) };
  });

  // Stratified bootstrap.
  const wins = new Float64Array(models.length);
  const changeWins = new Map<string, number>();
  const changes = models.map(() => new Float64Array(options.b).fill(NaN));
  const levelMeans = sorted.map(() => new Float64Array(options.b));
  for (let r = 0; r < options.b; r++) {
    // One pass per level over the replicate's counts: the level's mean, and (for a fitted level)
    // the weights, sums and squares the models are fitted on, added in the same order as the
    // observed fit so that every replicate's arithmetic is reproducible.
    let q = 0;
    for (let i = 0; i < sorted.length; i++) {
      const plan = plans[i];
      if (!plan) continue;
      const values = sorted[i].values;
      const size = values.length;
      const counts = plan.counts;
      const row = r * size;
      const j = fitIndex[i];
      if (testable && j >= 0) {
        q = weigh(j, fitValues[i], counts, row, q, values);
        levelMeans[i][r] = drawnSum / size;
        continue;
      }
      let sum = 0;
      for (let k = 0; k < size; k++) sum += counts[row + k] * values[k];
      levelMeans[i][r] = sum / size;
    }
    if (!testable) continue;
    let replicateTotal = 0;
    for (let j = 0; j < levelCount; j++) replicateTotal += n[j];
    let best = -1;
    let bestBic = Infinity;
    let bestKey: string | null = null;
    for (let m = 0; m < models.length; m++) {
      const model = models[m];
      const rss = fit(model, n, s, q, a, beta);
      if (Number.isNaN(rss)) continue;
      if (model.changeIndex !== null) changes[m][r] = beta[model.changeIndex];
      const value = bicOf(rss, q, replicateTotal, model.p);
      if (value < bestBic) {
        best = m;
        bestBic = value;
        bestKey = changeKey(model, beta);
      }
    }
    if (best < 0) continue;
    wins[best]++;
    if (bestKey) changeWins.set(bestKey, (changeWins.get(bestKey) ?? 0) + 1);
  }

  const levelStats = sorted.map((l, i) => {
    const size = l.values.length;
    const score: MeanEstimate =
      size === 0
        ? { mean: null, ci: null, n_items: 0 }
        : { mean: l.values.reduce((x, v) => x + v, 0) / size, ci: size >= 2 ? percentileInterval(levelMeans[i], options.confidence) : null, n_items: size };
    return { level: l.level, score };
  });
  const none: Knee = {
    status: 'insufficient-data',
    message: '',
    shape: null,
    knot: null,
    support: null,
    slope_before: null,
    slope_after: null,
    change: null,
    change_ci: null,
    fitted: [],
    candidates: [],
    items_per_level: itemsPerLevel,
    bootstrap_b: 0,
  };
  if (!testable) {
    const message =
      `no knee can be tested: it needs unvetoed scores at 3 or more depth levels and 6 or more items ` +
      `(have ${fitted.length} levels, ${total} items)`;
    return { knee: { ...none, message }, levels: levelStats };
  }

  const candidates: KneeCandidate[] = models.map((model, m) => ({
    model: model.model,
    knot: model.knot,
    bic: observed[m].bic,
    support: wins[m] / options.b,
    change: model.changeIndex === null ? null : observed[m].beta[model.changeIndex],
  }));

  // The best-supported change (knot and direction); ties go to the lower knot, then downward.
  let key: string | null = null;
  let support = 0;
  for (const [k, count] of [...changeWins.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    if (count / options.b > support) {
      key = k;
      support = count / options.b;
    }
  }
  const vetoNote = vetoSummary(itemsPerLevel);
  const nullSupport = wins.reduce((sum, w, m) => sum + (models[m].knot === null ? w : 0), 0) / options.b;
  if (key === null) {
    const message = `no knee established: a flat or straight line is the best model in ${round(nullSupport * 100, 0)}% of replicates${vetoNote}`;
    return { knee: { ...none, status: 'no-knee', message, candidates, bootstrap_b: options.b }, levels: levelStats };
  }

  const [knotText, direction] = key.split('|');
  const knot = Number(knotText);
  const down = direction === 'down';
  // The shape at that knot: the one that wins that change more often; ties to the better observed fit.
  const atKnot = models.map((model, m) => ({ model, m })).filter(({ model }) => model.knot === knot);
  atKnot.sort((x, y) => wins[y.m] - wins[x.m] || (observed[x.m].bic ?? Infinity) - (observed[y.m].bic ?? Infinity));
  const { model, m } = atKnot[0];
  const beta0 = observed[m].beta;
  const change = model.changeIndex === null ? null : beta0[model.changeIndex];
  const ci = percentileInterval(changes[m], options.confidence);
  const sameDirection = change !== null && (down ? change < 0 : change > 0);
  const ciClear = ci !== null && intervalExcludesZero(ci) && (down ? ci.high < 0 : ci.low > 0);
  const established = support >= options.minSupport && sameDirection && ciClear;
  const shape = model.model === 'bend' ? 'bend' : 'step';
  const slopeBefore = shape === 'bend' ? beta0[1] : null;
  const slopeAfter = shape === 'bend' ? beta0[1] + beta0[2] : null;
  const fittedScores = fitted.map((l) => {
    const o = fitted.indexOf(l) * model.p;
    let y = 0;
    for (let i = 0; i < model.p; i++) y += model.features[o + i] * beta0[i];
    return { level: sorted[l].level, score: y };
  });
  const pct = Math.round(options.confidence * 100);
  const ciText = ci ? `${pct}% CI ${round(ci.low)} to ${round(ci.high)}` : 'no CI';
  const unit = shape === 'bend' ? ' points per level' : ' points';
  const evidence = `support ${round(support, 2)}; ${shape === 'bend' ? 'slope change' : 'change'} ${change === null ? 'n/a' : signed(change)}${unit}, ${ciText}`;
  const describe = (): string => {
    if (shape === 'step') {
      const before = fittedScores.find((f) => f.level === knot)!.score;
      const after = fittedScores[fittedScores.length - 1].score;
      return `${down ? 'scores drop' : 'scores rise'} from ${round(before)} to ${round(after)} after depth ${knot} and level off`;
    }
    return `slope ${signed(slopeBefore!)} then ${signed(slopeAfter!)} points per level`;
  };

  let message: string;
  let status: Knee['status'];
  if (established && down) {
    status = 'knee';
    message = `knee at depth ${knot}: ${describe()} (${evidence})${vetoNote}`;
  } else if (established) {
    status = 'rise';
    message = `rises after depth ${knot}: ${describe()} (${evidence}); an upward change is not a knee${vetoNote}`;
  } else {
    status = 'no-knee';
    const reasons: string[] = [];
    const what = `the best-supported change (${down ? 'down' : 'up'} after depth ${knot})`;
    if (support < options.minSupport) reasons.push(`${what} wins in only ${round(support * 100, 0)}% of replicates (needs ${round(options.minSupport * 100, 0)}%)`);
    if (!ci) reasons.push(`${what} has no bootstrap CI`);
    else if (!ciClear) reasons.push(`the CI of its change (${ciText}) ${intervalExcludesZero(ci) ? 'points the other way' : 'includes zero'}`);
    if (!sameDirection && ci) reasons.push('its fitted change points the other way');
    message = `no knee established: ${reasons.join('; ')}${vetoNote}`;
  }
  const knee: Knee = {
    status,
    message,
    shape,
    knot,
    support,
    slope_before: slopeBefore,
    slope_after: slopeAfter,
    change,
    change_ci: ci,
    fitted: fittedScores,
    candidates,
    items_per_level: itemsPerLevel,
    bootstrap_b: options.b,
  };
  return { knee, levels: levelStats };
}

function vetoSummary(perLevel: Knee['items_per_level']): string {
  const vetoed = perLevel.filter((l) => l.vetoed > 0);
  if (vetoed.length === 0) return '';
  return `; vetoed items left out of the fit: ${vetoed.map((l) => `${l.vetoed} at depth ${l.level}`).join(', ')}`;
}
