/**
 * The depth knee (拐点): where the score-by-depth line changes slope.
 *
 * On item-level scores y and depth levels x we fit a straight line and, for every interior
 * level k, a continuous one-knot hinge y = b0 + b1 x + b2 max(0, x - k) (b2 is the slope
 * change at k), and compare them by BIC. Because x only takes the level values, every fit
 * needs only the per-level count, sum and sum of squares, so a stratified bootstrap
 * (items resampled within level) costs one pass over the draws per replicate.
 * A knee is claimed only when one knot wins in at least `minSupport` of the replicates and
 * the bootstrap CI of its slope change excludes zero.
 */
import type { Knee, MeanEstimate } from '../schema/results.js';
import { createPlan, deriveSeed, intervalExcludesZero, type ResamplingPlan } from './bootstrap.js';
import { percentileInterval } from './stats.js';

export interface LevelScores {
  level: number;
  /** One score per item (samples already averaged), 0..100. */
  values: Float64Array;
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

/**
 * One candidate model (linear, or a hinge at a knot) prepared for the fixed design: with
 * F the level-by-feature matrix and N the diagonal of items per level, the fitted
 * coefficients are G s and the explained sum of squares is s' H s, where s holds the
 * per-level sums, G = (F'NF)^-1 F' and H = F G. A bootstrap replicate only changes s.
 */
interface Model {
  knot: number | null;
  p: number;
  levels: number;
  g: Float64Array;
  h: Float64Array;
}

interface Fit {
  bic: number;
  beta: number[];
}

function features(x: number, knot: number | null): number[] {
  return knot === null ? [1, x] : [1, x, Math.max(0, x - knot)];
}

/** Inverse of a small symmetric positive matrix by Gauss-Jordan elimination; null if singular. */
function invert(a: number[][]): number[][] | null {
  const p = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: p }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < p; col++) {
    let pivot = col;
    for (let r = col + 1; r < p; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (Math.abs(m[pivot][col]) < 1e-9) return null;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    const scale = m[col][col];
    for (let k = 0; k < 2 * p; k++) m[col][k] /= scale;
    for (let r = 0; r < p; r++) {
      if (r === col) continue;
      const factor = m[r][col];
      for (let k = 0; k < 2 * p; k++) m[r][k] -= factor * m[col][k];
    }
  }
  return m.map((row) => row.slice(p));
}

function prepareModel(x: Float64Array, n: Float64Array, knot: number | null): Model | null {
  const levels = x.length;
  const f = Array.from(x, (xl) => features(xl, knot));
  const p = f[0].length;
  const xtx = Array.from({ length: p }, (_, i) =>
    Array.from({ length: p }, (_, j) => f.reduce((sum, fl, l) => sum + n[l] * fl[i] * fl[j], 0)),
  );
  const inverse = invert(xtx);
  if (!inverse) return null;
  const g = new Float64Array(p * levels);
  for (let i = 0; i < p; i++) for (let l = 0; l < levels; l++) for (let k = 0; k < p; k++) g[i * levels + l] += inverse[i][k] * f[l][k];
  const h = new Float64Array(levels * levels);
  for (let a = 0; a < levels; a++) for (let b = 0; b < levels; b++) for (let i = 0; i < p; i++) h[a * levels + b] += f[a][i] * g[i * levels + b];
  return { knot, p, levels, g, h };
}

/** BIC = N ln(RSS/N) + p ln N of a prepared model for per-level sums s and total sum of squares q. */
function bic(model: Model, s: Float64Array, q: number, total: number): number {
  const { levels, h } = model;
  let explained = 0;
  for (let a = 0; a < levels; a++) {
    let row = 0;
    for (let b = 0; b < levels; b++) row += h[a * levels + b] * s[b];
    explained += s[a] * row;
  }
  // A perfect fit would give ln(0); floor the RSS relative to the data so equal fits tie and the simpler model wins.
  const rss = Math.max(q - explained, 1e-9 * (q + 1));
  return total * Math.log(rss / total) + model.p * Math.log(total);
}

function coefficient(model: Model, s: Float64Array, i: number): number {
  let value = 0;
  for (let l = 0; l < model.levels; l++) value += model.g[i * model.levels + l] * s[l];
  return value;
}

function fitObserved(model: Model | null, s: Float64Array, q: number, total: number): Fit | null {
  if (!model) return null;
  return { bic: bic(model, s, q, total), beta: Array.from({ length: model.p }, (_, i) => coefficient(model, s, i)) };
}

function round(value: number, digits = 1): string {
  return value.toFixed(digits);
}

export interface DepthAnalysis {
  knee: Knee;
  /** Mean per level (ascending, every level given) with its CI from the same stratified replicates. */
  levels: { level: number; score: MeanEstimate }[];
}

export function detectKnee(levels: readonly LevelScores[], options: KneeOptions): Knee {
  return analyzeDepth(levels, options).knee;
}

/** The knee and the per-level means with CIs, from one stratified bootstrap. */
export function analyzeDepth(levels: readonly LevelScores[], options: KneeOptions): DepthAnalysis {
  const used = levels.filter((l) => l.values.length > 0).sort((a, b) => a.level - b.level);
  const itemsPerLevel = levels.map((l) => ({ level: l.level, n: l.values.length })).sort((a, b) => a.level - b.level);
  const total = used.reduce((sum, l) => sum + l.values.length, 0);
  const knots = used.slice(1, -1).map((l) => l.level);
  const empty: Knee = {
    status: 'insufficient-data',
    message: '',
    knot: null,
    support: null,
    slope_before: null,
    slope_after: null,
    slope_change: null,
    slope_change_ci: null,
    linear: { bic: null, slope: null, intercept: null, support: 0 },
    candidates: [],
    items_per_level: itemsPerLevel,
    bootstrap_b: 0,
  };
  const testable = used.length >= 3 && total >= 6;

  const x = Float64Array.from(used, (l) => l.level);
  const n = Float64Array.from(used, (l) => l.values.length);
  const sums = Float64Array.from(used, (l) => l.values.reduce((a, v) => a + v, 0));
  const squares = used.reduce((acc, l) => acc + l.values.reduce((a, v) => a + v * v, 0), 0);
  const linearModel = testable ? prepareModel(x, n, null) : null;
  const hingeModels = testable ? knots.map((k) => prepareModel(x, n, k)) : [];
  const linear = fitObserved(linearModel, sums, squares, total);
  const hinges = hingeModels.map((m) => fitObserved(m, sums, squares, total));

  // Stratified bootstrap: items are resampled within their level, so every replicate keeps the design.
  const plans = used.map((l) => {
    const plan = l.plan ?? createPlan(l.values.length, options.b, deriveSeed(options.seed, `level|${l.level}`));
    if (plan.n !== l.values.length || plan.b !== options.b) {
      throw new RangeError(`depth level ${l.level}: a resampling plan of ${plan.b} x ${plan.n} for ${options.b} x ${l.values.length}`);
    }
    return plan;
  });
  const squaresOf = used.map((l) => l.values.map((v) => v * v));
  const s = new Float64Array(used.length);
  const wins = new Float64Array(knots.length + 1);
  const slopeChanges = knots.map(() => new Float64Array(options.b).fill(NaN));
  const levelMeans = used.map(() => new Float64Array(options.b));
  for (let r = 0; r < options.b; r++) {
    let q = 0;
    for (let l = 0; l < used.length; l++) {
      const values = used[l].values;
      const valueSquares = squaresOf[l];
      const counts = plans[l].counts;
      const size = values.length;
      const row = r * size;
      let sum = 0;
      for (let i = 0; i < size; i++) {
        const c = counts[row + i];
        sum += c * values[i];
        q += c * valueSquares[i];
      }
      s[l] = sum;
      levelMeans[l][r] = sum / size;
    }
    let best = -1;
    let bestBic = Infinity;
    if (linearModel) {
      best = 0;
      bestBic = bic(linearModel, s, q, total);
    }
    for (let j = 0; j < knots.length; j++) {
      const model = hingeModels[j];
      if (!model) continue;
      slopeChanges[j][r] = coefficient(model, s, 2);
      const value = bic(model, s, q, total);
      if (value < bestBic) {
        best = j + 1;
        bestBic = value;
      }
    }
    if (best >= 0) wins[best]++;
  }

  const levelStats = itemsPerLevel.map(({ level, n: size }) => {
    const l = used.findIndex((u) => u.level === level);
    const score: MeanEstimate =
      l < 0
        ? { mean: null, ci: null, n_items: 0 }
        : { mean: sums[l] / size, ci: size >= 2 ? percentileInterval(levelMeans[l], options.confidence) : null, n_items: size };
    return { level, score };
  });
  if (!testable) {
    const message = `no knee can be tested: it needs scores at 3 or more depth levels and 6 or more items (have ${used.length} levels, ${total} items)`;
    return { knee: { ...empty, message }, levels: levelStats };
  }

  const candidates = knots.map((knot, j) => ({
    knot,
    bic: hinges[j]?.bic ?? null,
    support: wins[j + 1] / options.b,
    slope_change: hinges[j]?.beta[2] ?? null,
  }));
  // The knot with the most support; ties go to the better fit on the observed data.
  let chosen = 0;
  for (let j = 1; j < candidates.length; j++) {
    const a = candidates[j];
    const c = candidates[chosen];
    if (a.support > c.support || (a.support === c.support && (a.bic ?? Infinity) < (c.bic ?? Infinity))) chosen = j;
  }
  const pick = candidates[chosen];
  const hinge = hinges[chosen];
  const ci = percentileInterval(slopeChanges[chosen], options.confidence);
  const established = pick.support >= options.minSupport && intervalExcludesZero(ci);
  const slopeBefore = hinge ? hinge.beta[1] : null;
  const slopeAfter = hinge ? hinge.beta[1] + hinge.beta[2] : null;
  const pct = Math.round(options.confidence * 100);
  const ciText = ci ? `${pct}% CI ${round(ci.low)} to ${round(ci.high)}` : 'no CI';
  const change = pick.slope_change === null ? 'n/a' : round(pick.slope_change);

  let message: string;
  if (established) {
    // A collapse (the CAPS finding) bends down; an upward bend is reported too, but said plainly.
    const bend = pick.slope_change! < 0 ? 'scores fall faster past this level' : 'scores fall less or rise past this level';
    message =
      `knee at depth ${pick.knot}, ${bend}: slope ${round(slopeBefore!)} then ${round(slopeAfter!)} points per level ` +
      `(slope change ${change}, ${ciText}; support ${round(pick.support, 2)})`;
  } else {
    const reasons: string[] = [];
    if (pick.support < options.minSupport) reasons.push(`the best knot (depth ${pick.knot}) wins in only ${round(pick.support * 100, 0)}% of replicates (needs ${round(options.minSupport * 100, 0)}%)`);
    if (!ci) reasons.push('the slope change has no bootstrap CI');
    else if (!intervalExcludesZero(ci)) reasons.push(`its slope change ${change} has a ${ciText} that includes zero`);
    message = `no knee established: ${reasons.join('; ')}`;
  }

  const knee: Knee = {
    status: established ? 'knee' : 'no-knee',
    message,
    knot: pick.knot,
    support: pick.support,
    slope_before: slopeBefore,
    slope_after: slopeAfter,
    slope_change: pick.slope_change,
    slope_change_ci: ci,
    linear: { bic: linear?.bic ?? null, slope: linear?.beta[1] ?? null, intercept: linear?.beta[0] ?? null, support: wins[0] / options.b },
    candidates,
    items_per_level: itemsPerLevel,
    bootstrap_b: options.b,
  };
  return { knee, levels: levelStats };
}
