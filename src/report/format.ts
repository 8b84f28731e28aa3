/** Number formatting shared by the HTML, Markdown and CSV writers, so every format says the same. */
import type { Interval, Knee, MeanEstimate, Proportion } from '../schema/results.js';

export function num(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

export function signed(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return `${value > 0 ? '+' : ''}${value.toFixed(digits)}`;
}

export function interval(ci: Interval, digits = 1, scale = 1): string {
  return ci ? `[${(ci.low * scale).toFixed(digits)}, ${(ci.high * scale).toFixed(digits)}]` : '';
}

/** "72.4 [68.1, 76.0]" */
export function estimate(e: MeanEstimate, digits = 1): string {
  if (e.mean === null) return '–';
  const ci = interval(e.ci, digits);
  return ci ? `${e.mean.toFixed(digits)} ${ci}` : e.mean.toFixed(digits);
}

export function signedEstimate(e: MeanEstimate, digits = 1): string {
  if (e.mean === null) return '–';
  return e.ci ? `${signed(e.mean, digits)} [${signed(e.ci.low, digits)}, ${signed(e.ci.high, digits)}]` : signed(e.mean, digits);
}

export function percent(rate: number | null | undefined, digits = 0): string {
  return rate === null || rate === undefined ? '–' : `${(rate * 100).toFixed(digits)}%`;
}

/** "3/120 = 2.5% [0.9, 7.1]" */
export function proportion(p: Proportion, digits = 1): string {
  if (p.total === 0) return '0/0';
  return `${p.count}/${p.total} = ${percent(p.rate, digits)}${p.ci ? ` ${interval(p.ci, digits, 100)}` : ''}`;
}

export function pValue(p: number | null): string {
  if (p === null) return '–';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

export function respondentLabel(name: string, kind: string): string {
  return kind === 'human' ? `${name} (doctor)` : name;
}

/** The depth verdict in a few words: only a downward change is a knee; an upward one is said plainly. */
export function kneeLabel(knee: Knee): string {
  if (knee.status === 'knee') return `knee at depth ${knee.knot}`;
  if (knee.status === 'rise') return `rises after depth ${knee.knot}`;
  return knee.status === 'no-knee' ? 'no knee established' : 'insufficient data';
}

/** The leaderboard's depth axis in words (a rise is never called a knee). */
export function depthAxisLabel(axes: { depth_knee: number | null; depth_rise: number | null }): string {
  if (axes.depth_knee !== null) return `knee at depth ${axes.depth_knee}`;
  if (axes.depth_rise !== null) return `no knee; rises after depth ${axes.depth_rise}`;
  return 'no knee established';
}

/** "-35.0 points [-44.2, -26.1]" for a step, "-17.5 points/level [...]" for a bend. */
export function kneeChange(knee: Knee): string {
  if (knee.change === null) return '–';
  const unit = knee.shape === 'bend' ? ' points/level' : ' points';
  const ci = knee.change_ci ? ` [${signed(knee.change_ci.low)}, ${signed(knee.change_ci.high)}]` : '';
  return `${signed(knee.change)}${unit}${ci}`;
}
