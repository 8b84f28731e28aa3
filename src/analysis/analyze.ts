/**
 * analyze(): scores of one or more runs in, the `Results` object every report is written
 * from out. Pure and deterministic: the same inputs and seed give the same results
 * (generation time aside, which can be passed in).
 */
import type { Bank } from '../bank/bank.js';
import type { LengthAdjustment } from '../schema/bank.js';
import { UserError } from '../errors.js';
import { type AnalysisSettings, type DepthCurve, type ItemView, type LeaderboardRow, RESULTS_FORMAT, type Results, type RespondentSummary, RunInfo, type RunInfoInput } from '../schema/results.js';
import type { AnalyzedResponse } from '../schema/run.js';
import type { AnalyzedScore } from '../schema/score.js';
import { HARNESS_VERSION } from '../version.js';
import { bankCoverage } from './coverage.js';
import { bankLevels, depthCurve, depthJobs, KNEE_NOTE, type DepthJob } from './depth.js';
import { analyzeDistraction } from './distraction.js';
import { drilldown, scoresByItem } from './drilldown.js';
import { distractedItems } from './distracted-items.js';
import { redact } from '../io/redact.js';
import { evidenceCoverage } from './evidence.js';
import { humansVsModels } from './humans.js';
import { itemQuality } from './item-quality.js';
import { cleanBootstrap, cleanScores, leaderboardRows, pairedComparisons } from './leaderboard.js';
import { analyzeSafety } from './safety.js';
import { buildScoreTable, type ScoreTable } from './score-table.js';
import { nativeHeadline } from '../interop/native.js';
import { countStatuses, usesStatuses } from '../bank/status.js';
import type { ReviewEvent } from '../review/history.js';
import { bankProvenance } from '../review/provenance.js';

export interface AnalysisOptions {
  /** Seed of every bootstrap (default 20240501). */
  seed?: number;
  /** Bootstrap replicates for CIs and knee support (default 2000). */
  bootstrap?: number;
  /** Confidence level of every interval (default 0.95). */
  confidence?: number;
  /** Score at or above which an answer is acceptable, 0..100 (default 60). */
  acceptableThreshold?: number;
  /** Bootstrap support a change needs before a knee is claimed (default 0.6; see docs/statistics.md). */
  kneeMinSupport?: number;
  /**
   * Share of the bank's items a respondent must have answered (clean, complete) to be ranked
   * (default 0.5); respondents below it are shown apart, since a mean over a few items is not
   * comparable with a mean over the whole bank.
   */
  minRankedShare?: number;
  /** caps_score (default: vetoes and zero rules always applied) or the profile's native score. */
  scoreField?: AnalysisSettings['score_field'];
  /** HealthBench length-adjusted score setting, over the bank's length_adjustment. */
  lengthAdjustment?: LengthAdjustment;
  /** Runs the scores come from, recorded as provenance. */
  runs?: RunInfoInput[];
  /** ISO time recorded as generated_at (default: now). */
  generatedAt?: string;
  /** Copy answer texts into the drill-down (default true). */
  includeAnswerText?: boolean;
  /** The bank's review history (and where it was read), for the bank provenance section. */
  reviewHistory?: { file: string; events: ReviewEvent[] };
}

export const DEFAULT_SEED = 20240501;
export const DEFAULT_BOOTSTRAP = 2000;

export function analysisSettings(options: AnalysisOptions = {}, bankItems = 0): AnalysisSettings {
  const share = options.minRankedShare ?? 0.5;
  if (!(share >= 0 && share <= 1)) throw new UserError(`the share of items needed to be ranked must be from 0 to 1, got ${share}`);
  const settings: AnalysisSettings = {
    seed: options.seed ?? DEFAULT_SEED,
    bootstrap_b: options.bootstrap ?? DEFAULT_BOOTSTRAP,
    confidence: options.confidence ?? 0.95,
    acceptable_threshold: options.acceptableThreshold ?? 60,
    knee_min_support: options.kneeMinSupport ?? 0.6,
    min_ranked_items: Math.ceil(share * bankItems),
    score_field: options.scoreField ?? 'caps_score',
  };
  if (!Number.isInteger(settings.seed)) throw new UserError(`analysis seed must be an integer, got ${settings.seed}`);
  if (!Number.isInteger(settings.bootstrap_b) || settings.bootstrap_b < 100 || settings.bootstrap_b > 100_000) {
    throw new UserError(`bootstrap replicates must be an integer from 100 to 100000, got ${settings.bootstrap_b}`);
  }
  if (!(settings.confidence > 0.5 && settings.confidence < 1)) throw new UserError(`confidence must be between 0.5 and 1, got ${settings.confidence}`);
  if (!(settings.acceptable_threshold >= 0 && settings.acceptable_threshold <= 100)) {
    throw new UserError(`acceptable threshold must be a score from 0 to 100, got ${settings.acceptable_threshold}`);
  }
  if (!(settings.knee_min_support > 0 && settings.knee_min_support <= 1)) {
    throw new UserError(`knee support must be in (0, 1], got ${settings.knee_min_support}`);
  }
  return settings;
}

function respondentSummaries(table: ScoreTable, responses: ReadonlyMap<string, AnalyzedResponse>): RespondentSummary[] {
  return table.respondents.map((respondent) => {
    const own = table.scores.filter((s) => s.respondent === respondent.name);
    const models = new Set<string>();
    for (const s of own) {
      const response = responses.get(s.key);
      const model = response?.served_model ?? response?.model;
      if (model) models.add(model);
    }
    return {
      name: respondent.name,
      kind: respondent.kind,
      models: [...models].sort(),
      answers: own.length,
      complete: own.filter((s) => s.status === 'complete').length,
      incomplete: own.filter((s) => s.status === 'incomplete').length,
      errors: own.filter((s) => s.status === 'error').length,
    };
  });
}

export interface AnalysisInput {
  bank: Bank;
  scores: AnalyzedScore[];
  responses: AnalyzedResponse[];
  options?: AnalysisOptions;
}

/**
 * The analysis in steps, for a caller that computes the depth curves elsewhere (another
 * thread) while this one does the rest: `depthJobs` are ready at once; `rest()` computes
 * everything that does not need the curves and returns what makes the results from them.
 */
export interface AnalysisSteps {
  depthJobs: DepthJob[];
  rest(): AnalysisRest;
}

/**
 * The results from the depth curves, their items (the drill-down, most of their size) made
 * apart: a caller can draw the HTML frame, which needs of the items only `distractedItems`,
 * before making them.
 */
export interface AnalysisRest {
  /** The results, `items` left empty. */
  results(curves: DepthCurve[]): Results;
  items(): ItemView[];
  distractedItems: Map<string, number>;
}

export function analyze(input: AnalysisInput): Results {
  const steps = analysisSteps(input);
  const rest = steps.rest();
  const results = rest.results(steps.depthJobs.map(depthCurve));
  results.items = rest.items();
  return results;
}

export function analysisSteps(input: AnalysisInput): AnalysisSteps {
  const options = input.options ?? {};
  const { bank } = input;
  const settings = analysisSettings(options, bank.items.length);
  const table = buildScoreTable(bank, input.scores, settings);
  return { depthJobs: depthJobs(table), rest: () => analyzeRest(input, table) };
}

function analyzeRest(input: AnalysisInput, table: ScoreTable): AnalysisRest {
  const options = input.options ?? {};
  const { bank } = input;
  const { settings } = table;
  const responses = new Map<string, AnalyzedResponse>();
  for (const response of input.responses) responses.set(response.key, response);

  const clean = cleanBootstrap(table);
  const board = leaderboardRows(table, cleanScores(table, clean));
  const distraction = analyzeDistraction(table);
  const evidence = evidenceCoverage(table);
  const safety = analyzeSafety(table);
  const index = new Map(table.respondents.map((r, i) => [r.name, i]));
  const pairs = pairedComparisons(table, clean, board.map((r) => r.respondent));
  const levels = bankLevels(table);
  const field = settings.score_field;
  const native = nativeHeadline(bank, input.scores, {
    seed: settings.seed,
    resamples: settings.bootstrap_b,
    responses,
    ...(options.lengthAdjustment && { lengthAdjustment: options.lengthAdjustment }),
  });
  const valueOf = (s: AnalyzedScore) => s[field];
  const byItem = scoresByItem(bank, table.scores);
  // Let go once the items are made: the records read are garbage then, while the report is written.
  let drillFrom: { byItem: AnalyzedScore[][]; responses: Map<string, AnalyzedResponse> } | null = { byItem, responses };
  const items = () => {
    if (!drillFrom) throw new Error('the items of an analysis are made once');
    const drill = drilldown(bank, drillFrom.byItem, drillFrom.responses, valueOf);
    drillFrom = null;
    if (options.includeAnswerText === false) for (const item of drill) for (const answer of item.answers) answer.text = null;
    return drill;
  };
  // Kept under the names the report's rows carry: redacted, as every written name is.
  const distracted = distractedItems(byItem, valueOf, (s) => redact(s.respondent));
  const respondents = respondentSummaries(table, responses);
  const quality = itemQuality(table);
  const { warnings } = table;

  const results = (curves: DepthCurve[]): Results => {
    const rows: LeaderboardRow[] = board.map((row) => {
      const r = index.get(row.respondent)!;
      const vetoes = safety.by_respondent[r].vetoes;
      const knee = curves[r].knee;
      return {
        ...row,
        vetoes,
        safety_deductions: safety.by_respondent[r].safety_deductions,
        axes: {
          accuracy: row.score.mean,
          depth_knee: knee.status === 'knee' ? knee.knot : null,
          depth_rise: knee.status === 'rise' ? knee.knot : null,
          evidence_coverage: evidence.overall[r],
          robustness: distraction.robustness[r],
          safety: vetoes.rate === null ? null : 1 - vetoes.rate,
        },
      };
    });
    return {
      format: RESULTS_FORMAT,
      generated_at: options.generatedAt ?? new Date().toISOString(),
      harness_version: HARNESS_VERSION,
      settings,
      bank: {
        id: bank.id,
        ...(bank.title ? { title: bank.title } : {}),
        version: bank.version,
        hash: bank.hash,
        language: bank.language,
        profile: bank.profile,
        depth_min: bank.depthScale.min,
        depth_max: bank.depthScale.max,
        depth_labels: bank.depthScale.labels ?? {},
        items: bank.items.length,
        variants: bank.items.reduce((n, item) => n + item.variants.length, 0),
        ...(usesStatuses(bank.items) ? { statuses: countStatuses(bank.items) } : {}),
      },
      runs: (options.runs ?? []).map((run) => RunInfo.parse(run)),
      respondents,
      leaderboard: { rows, pairs },
      depth: { levels, curves, note: KNEE_NOTE },
      distraction: { kinds: distraction.kinds, multi_turn: distraction.multiTurn },
      evidence: evidence.cells,
      safety,
      coverage: bankCoverage(bank),
      item_quality: quality,
      humans_vs_models: humansVsModels(rows, curves, levels),
      items: [],
      warnings,
      notes: [],
      ...(native && { native }),
      ...(options.reviewHistory && { provenance: bankProvenance(bank, options.reviewHistory.events, options.reviewHistory.file) }),
    };
  };
  return { results, items, distractedItems: distracted };
}
