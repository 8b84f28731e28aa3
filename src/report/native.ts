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
  return `${num(s.score * 100)}${s.bootstrap_std === null ? '' : ` ± ${num(s.bootstrap_std * 100)}`} (n ${s.examples})`;
}

export function nativeTable(native: NativeHeadline): { header: string[]; rows: string[][] } {
  const groups = [...new Set(native.rows.flatMap((r) => r.groups.map((g) => g.group)))];
  const name = NATIVE_TITLE[native.profile];
  return {
    header: ['Respondent', `${name} headline`, 'CAPS view', ...groups],
    rows: native.rows.map((r) => [r.respondent, stat(r.overall), r.caps_view === null ? '–' : num(r.caps_view * 100), ...groups.map((g) => stat(r.groups.find((x) => x.group === g)))]),
  };
}
