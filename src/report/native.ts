/**
 * The native headline of an imported benchmark (GAPS, HealthBench) beside the CAPS view, as
 * one table shared by the HTML and Markdown writers. Numbers on the 0–100 scale of the rest
 * of the report; ± is the bootstrap standard deviation the benchmark itself reports.
 */
import type { NativeHeadline, NativeStat } from '../schema/results.js';
import { num } from './format.js';

export const NATIVE_TITLE: Record<NativeHeadline['profile'], string> = { healthbench: 'HealthBench', gaps: 'GAPS', caps: 'CAPS' };

function stat(s: NativeStat | undefined): string {
  if (!s || s.score === null) return '–';
  // GAPS prints 0..1 scores to 4 decimals: show its own figure so the two agree to the digit.
  if (s.reference !== undefined && s.reference !== null) return `${s.reference.toFixed(4)}${s.bootstrap_std === null ? '' : ` ± ${s.bootstrap_std.toFixed(4)}`} (n ${s.examples})`;
  return `${num(s.score * 100)}${s.bootstrap_std === null ? '' : ` ± ${num(s.bootstrap_std * 100)}`} (n ${s.examples})`;
}

/** On the scale of the headline beside it: 0-1 to 4 decimals for GAPS, 0-100 otherwise. */
function capsView(native: NativeHeadline, value: number | null): string {
  if (value === null) return '–';
  return native.profile === 'gaps' ? value.toFixed(4) : num(value * 100);
}

export function nativeTable(native: NativeHeadline): { header: string[]; rows: string[][] } {
  const groups = [...new Set(native.rows.flatMap((r) => r.groups.map((g) => g.group)))];
  const name = NATIVE_TITLE[native.profile];
  const adjusted = native.length_adjustment;
  return {
    header: [
      'Respondent',
      `${name} headline${native.profile === 'gaps' ? ' (0-1, as GAPS prints it)' : ''}`,
      ...(adjusted ? [`length-adjusted (λ ${adjusted.lambda} per ${adjusted.per} characters beyond ${adjusted.center})`] : []),
      'CAPS view',
      ...groups,
    ],
    rows: native.rows.map((r) => [
      r.respondent,
      stat(r.overall),
      ...(adjusted ? [stat(r.length_adjusted)] : []),
      capsView(native, r.caps_view),
      ...groups.map((g) => stat(r.groups.find((x) => x.group === g))),
    ]),
  };
}
