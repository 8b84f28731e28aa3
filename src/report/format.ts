/** Number formatting shared by the HTML, Markdown and CSV writers, so every format says the same. */
import type { Interval, MeanEstimate, Proportion } from '../schema/results.js';

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
