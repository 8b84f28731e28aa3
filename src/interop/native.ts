/**
 * The native headline of a bank imported from a public benchmark, computed its own way,
 * for the report to show beside the CAPS view (vetoes and zero rules applied):
 * - healthbench: the HealthBench headline, per axis and per theme (see healthbench-score.ts);
 * - gaps: the mean over questions of max(0, met points) / positive points, per G level.
 * Only complete clean first-turn answers count; every sample is one example.
 */
import type { Bank } from '../bank/bank.js';
import { CLEAN } from '../schema/bank.js';
import type { NativeHeadline } from '../schema/results.js';
import type { AnswerScore } from '../schema/score.js';
import { clippedStats, healthBenchHeadline, type HealthBenchOptions } from './healthbench-score.js';

const LABELS = {
  healthbench:
    'HealthBench: per example, points of met criteria / positive points (unclipped); headline = mean over examples clipped to [0, 1]; ' +
    'axes restrict both sums to the axis criteria; ± is the bootstrap standard deviation.',
  gaps: 'GAPS: per question, max(0, points of met claims) / positive points; headline = mean over questions; S4 claims count -4, not a veto; ± is the bootstrap standard deviation.',
} as const;

function counted(bank: Bank, scores: readonly AnswerScore[]): AnswerScore[] {
  const items = new Set(bank.items.map((i) => i.id));
  return scores.filter((s) => items.has(s.item) && s.variant === CLEAN && s.turn === 0 && s.status === 'complete' && s.score !== null && s.max > 0);
}

function capsView(scores: readonly AnswerScore[], respondent: string): number | null {
  const own = scores.filter((s) => s.respondent === respondent && s.caps_score !== null);
  return own.length === 0 ? null : own.reduce((sum, s) => sum + s.caps_score!, 0) / own.length / 100;
}

export function nativeHeadline(bank: Bank, scores: readonly AnswerScore[], options: HealthBenchOptions = {}): NativeHeadline | undefined {
  const used = counted(bank, scores);
  if (bank.profile === 'healthbench') {
    return {
      profile: 'healthbench',
      label: LABELS.healthbench,
      rows: healthBenchHeadline(bank, used, options).map((h) => ({ respondent: h.respondent, overall: h.overall, caps_view: capsView(used, h.respondent), groups: [...h.axes, ...h.themes] })),
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
        return {
          respondent,
          overall: clippedStats('overall', own.map((s) => s.score! / 100), options),
          caps_view: capsView(used, respondent),
          groups: depths.map((d) => clippedStats(`depth:G${d}`, own.filter((s) => s.depth === d).map((s) => s.score! / 100), options)),
        };
      }),
    };
  }
  return undefined;
}
