/**
 * The native headline of a bank imported from a public benchmark, computed its own way,
 * for the report to show beside the CAPS view (vetoes and zero rules applied):
 * - healthbench: the HealthBench headline, per criterion tag and per example tag (see healthbench-score.ts);
 * - gaps: the mean over questions of max(0, met points) / positive points, per G level.
 * Only complete clean first-turn answers count; every sample is one example.
 */
import type { Bank } from '../bank/bank.js';
import { CLEAN } from '../schema/shared.js';
import type { LengthAdjustment } from '../schema/bank.js';
import type { NativeHeadline } from '../schema/results.js';
import type { AnalyzedResponse } from '../schema/run.js';
import type { AnalyzedScore } from '../schema/score.js';
import { clippedStats, healthBenchHeadline, type HealthBenchOptions } from './healthbench-score.js';

const LABELS = {
  healthbench:
    'HealthBench: per example, points of met criteria / positive points (unclipped); headline = mean over examples clipped to [0, 1]; ' +
    'a criterion tag (axis:, level:, cluster:...) restricts both sums to its criteria, an example tag (theme:...) groups whole examples; ± is the bootstrap standard deviation.',
  gaps: 'GAPS: per question, max(0, points of met claims) / positive points, rounded to 4 decimals as the GAPS reference prints it; headline = mean over questions; S4 claims count -4, not a veto; ± is the bootstrap standard deviation.',
} as const;

function counted(bank: Bank, scores: readonly AnalyzedScore[]): AnalyzedScore[] {
  const items = new Set(bank.items.map((i) => i.id));
  return scores.filter((s) => items.has(s.item) && s.variant === CLEAN && s.turn === 0 && s.status === 'complete' && s.score !== null && s.max > 0);
}

function capsView(scores: readonly AnalyzedScore[], respondent: string): number | null {
  const own = scores.filter((s) => s.respondent === respondent && s.caps_score !== null);
  return own.length === 0 ? null : own.reduce((sum, s) => sum + s.caps_score!, 0) / own.length / 100;
}

/**
 * Python's round(x, 4), which the GAPS reference applies to each question's score: correctly
 * rounded, and an exact tie (x x 32 an odd whole number, the only doubles halfway between two
 * 4-decimal values) goes to the even neighbour.
 */
export function roundLikePython4(x: number): number {
  const m = x * 32;
  if (Number.isInteger(m) && m % 2 !== 0) {
    const lower = Math.floor(m * 312.5);
    return (lower % 2 === 0 ? lower : lower + 1) / 1e4;
  }
  return Number(x.toFixed(4));
}

/** The GAPS headline as the reference prints it: questions rounded to 4 decimals, then their mean. */
function referenceMean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return roundLikePython4(values.reduce((sum, v) => sum + roundLikePython4(v), 0) / values.length);
}

export interface NativeOptions extends HealthBenchOptions {
  /** The answers, by key: their length for the length-adjusted score. */
  responses?: ReadonlyMap<string, AnalyzedResponse>;
  /** Overrides the bank's length_adjustment. */
  lengthAdjustment?: LengthAdjustment;
}

/** Characters as Python's len() counts them (code points), which the published formula uses. */
const characters = (text: string | null | undefined) => (text ? [...text].length : 0);

/** HealthBench Professional's length-adjusted example scores: score - lambda x (characters - center) / per. */
export function lengthAdjusted(scores: readonly AnalyzedScore[], responses: ReadonlyMap<string, AnalyzedResponse>, adjustment: LengthAdjustment): number[] {
  return scores.map((s) => s.score! / 100 - (adjustment.lambda * (characters(responses.get(s.key)?.text) - adjustment.center)) / adjustment.per);
}

export function nativeHeadline(bank: Bank, scores: readonly AnalyzedScore[], options: NativeOptions = {}): NativeHeadline | undefined {
  const used = counted(bank, scores);
  if (bank.profile === 'healthbench') {
    const adjustment = options.lengthAdjustment ?? bank.lengthAdjustment;
    const responses = options.responses;
    return {
      profile: 'healthbench',
      label: LABELS.healthbench,
      ...(adjustment && responses && { length_adjustment: adjustment }),
      rows: healthBenchHeadline(bank, used, options).map((h) => ({
        respondent: h.respondent,
        overall: h.overall,
        caps_view: capsView(used, h.respondent),
        ...(adjustment && responses && { length_adjusted: clippedStats('length-adjusted', lengthAdjusted(used.filter((s) => s.respondent === h.respondent), responses, adjustment), options) }),
        groups: [...h.criterionTags, ...h.exampleTags],
      })),
    };
  }
  if (bank.profile === 'gaps') {
    const respondents = [...new Set(used.map((s) => s.respondent))].sort();
    return {
      profile: 'gaps',
      label: LABELS.gaps,
      rows: respondents.map((respondent) => {
        const own = used.filter((s) => s.respondent === respondent);
        const depths = [...new Set(own.map((s) => s.depth))].sort((a, b) => a - b);
        const gapsStats = (group: string, values: number[]) => ({ ...clippedStats(group, values, options), reference: referenceMean(values) });
        return {
          respondent,
          overall: gapsStats('overall', own.map((s) => s.score! / 100)),
          caps_view: capsView(used, respondent),
          groups: depths.map((d) => gapsStats(`depth:G${d}`, own.filter((s) => s.depth === d).map((s) => s.score! / 100))),
        };
      }),
    };
  }
  return undefined;
}
