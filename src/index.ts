/** caps-eval as a library: `import { loadBank, runEval, scoreRun, buildReport } from 'caps-eval'`. */
export * from './schema/index.js';
export { UserError, RunIncompleteError } from './errors.js';
export { HARNESS_VERSION } from './version.js';
export { loadBank, loadBankOrThrow, bankHash, type LoadOptions, type LoadResult } from './bank/load.js';
export { lintBank, formatLintText, type LintReport } from './bank/lint.js';
export { summarizeBank, BankSummary } from './bank/summary.js';
export { formatDiagnostic, Diagnostic, Severity } from './bank/diagnostic.js';
export type { Bank, SourcePosition } from './bank/bank.js';
export { renderJsonSchemas, writeJsonSchemas } from './schema/json-schema.js';
export * from './schema/config.js';
export { loadConfig, parseConfig } from './endpoints/config.js';
export { createEndpointClient, PLACEHOLDER_API_KEY, type EndpointClient, type ChatRequest, type ChatResult } from './endpoints/client.js';
export { startSimServer, type SimServer, type SimPersona, type SimReply, type SimRequest } from './endpoints/sim/server.js';
export { parseFaultSpec, FaultSpec } from './endpoints/sim/faults.js';
export {
  evaluateMatch,
  prepareAnswer,
  matchSpecProblems,
  normalizeForMatch,
  sentencesOf,
  sentenceSpans,
  MATCHER_VERSION,
  type MatchOutcome,
  type PreparedAnswer,
  type SentenceSpan,
} from './matching/matcher.js';
export { resolveRubric, pointScore, deductionScore, type ResolvedEntry } from './scorer/rubric.js';
export { applyProfile, applyProfileByTag, type EntryVerdict, type ProfileScore } from './scorer/arithmetic.js';
export { scoreAnswer, type ScoreAnswerInput, type JudgeOpinion } from './scorer/score-answer.js';
export { analyze, analysisSettings, DEFAULT_SEED, DEFAULT_BOOTSTRAP, type AnalysisOptions } from './analysis/analyze.js';
export { detectKnee, analyzeDepth, type LevelScores, type KneeOptions, type DepthAnalysis } from './analysis/knee.js';
export { syntheticEvaluation, type SyntheticOptions } from './analysis/synthetic.js';
export { scoreRun, type ScoreRunOptions, type ScoreRunSummary } from './scorer/score-run.js';
export { scoreRunBatched, type BatchScoreOptions, type BatchScoreSummary } from './scorer/score-batch.js';
export { tryAnswer, type TryAnswerOptions } from './scorer/try-answer.js';
export { explainScore } from './scorer/explain.js';
export { importAnswers, type ImportAnswersOptions, type ImportAnswersSummary } from './scorer/import-answers.js';
export { calibrate, type CalibrateOptions, type CalibrationReport, type CalibratedRater, type AgreementStats, type Disagreement } from './scorer/calibrate.js';
export { judgeAnswer, DEFAULT_JUDGE_RETRIES, type JudgeAnswerInput, type JudgeResult } from './scorer/judge/judge.js';
export { combineJury, type JuryDecision, type JuryEntry } from './scorer/judge/jury.js';
export { loadJudgeTemplate, renderJudgePrompt, parseJudgeCase, DEFAULT_JUDGE_TEMPLATE, type JudgeTemplate, type JudgeEntry, type JudgeCase } from './scorer/judge/template.js';
export { JudgeOutput, parseJudgeOutput, extractFirstJsonObject } from './scorer/judge/output.js';
export { checkEvidence, citationOf, contentWords } from './matching/evidence.js';
export { judgesFromConfig, type JudgeSelection } from './scorer/judge/from-config.js';
export { createJudgePersona, type JudgePersonaOptions } from './endpoints/sim/judge-persona.js';
export { cohenKappa, gwetAC1, macroF1, krippendorffAlphaNominal, percentAgreement, bootstrapInterval, type RatedPair, type Interval } from './analysis/agreement.js';
export { runEval, prepareRun, type RunEvalOptions, type RunSummary, type RunSelection } from './runner/run.js';
export { planRun, answerKey, parseShard, parseDepths, parseStatuses, type Plan, type PlanFilters, type Shard } from './runner/plan.js';
export { estimatePlan, type EndpointEstimate } from './runner/estimate.js';
export { mergeRuns, type MergeSummary } from './runner/merge.js';
export { formatProgress, createProgressReporter, type ProgressState } from './runner/progress.js';
export { demoPersonas, loadPersonas, createAnswerPersona, PersonaSpec, PersonasFile } from './endpoints/sim/personas.js';
export { simPersonas } from './endpoints/sim/catalog.js';
export { buildReport, parseFormats, REPORT_FORMATS, REPORT_FILES, type ReportFormat, type BuildReportInput } from './report/build.js';
export { reportRuns, type ReportRunsInput, type ReportRunsResult } from './report/from-runs.js';
export { escapeHtml, jsonForScript } from './report/escape.js';
export { scoreWithJudges, jurorOpinions, type JudgedScoreInput, type JudgedScore } from './scorer/score-judged.js';
export { runDemo, DEMO_BANK_PATH, type DemoOptions, type DemoResult } from './demo/demo.js';
export { importGaps, type ImportGapsOptions, type ImportGapsSummary } from './interop/import-gaps.js';
export { readGaps, parseClaims, GapsClaim, DIFFICULTY_DEPTH, type GapsReadResult, type ReadGapsOptions } from './interop/gaps.js';
export { importHealthBench, type ImportHealthBenchOptions, type ImportHealthBenchSummary } from './interop/import-healthbench.js';
export { HealthBenchRow, HealthBenchCriterion, healthBenchItem, IDEAL_RESPONDENT } from './interop/healthbench.js';
export { healthBenchHeadline, clippedStats, exampleScores, type HealthBenchHeadline, type HealthBenchStat } from './interop/healthbench-score.js';
export { nativeHeadline } from './interop/native.js';
export { exportGaps, exportHealthBench, type ExportSummary, type ExportGapsOptions } from './interop/export.js';
export { importVerdicts, type ImportVerdictsOptions, type ImportVerdictsSummary } from './interop/import-verdicts.js';
export { usesStatuses, countStatuses, itemsWithStatus, isDrafted, DRAFTED_BY, type StatusCounts } from './bank/status.js';
export { readSnapshot, replaceItemText, previewEdit, saveItem, setItemStatuses, textHash, type FileSnapshot, type ItemData, type SaveItemOptions, type SaveOutcome, type EditPreview } from './bank/write-back.js';
export { tryEdit, type TryEditOptions } from './scorer/try-edit.js';
export { ReviewEvent, ReviewComment, ReviewDecision, REVIEW_HISTORY_VERSION } from './review/history.js';
export { replay, openRound, decide, reviseItem, closeRound, openRoundOf, revisedItems, bankStatuses, roundRates, reviewerRates, emptyReview, ReviewError, DEFAULT_REVISION_THRESHOLD, type ReviewState, type RoundState, type RoundOutcome, type ItemReview, type ItemReviewStatus, type RoundRate, type ReviewerRate } from './review/rounds.js';
export { readReviewHistory, appendReviewEvents, historyBeside, REVIEW_HISTORY_FILE } from './review/history-file.js';
export { bankProvenance } from './review/provenance.js';
export { draftItems, checkDraft, formatDraftOutcome, DEFAULT_DRAFT_ATTEMPTS, type DraftOptions, type DraftOutcome } from './draft/draft.js';
export { draftCells, nextItemId, type DraftCell } from './draft/cells.js';
export { draftMessages, parseDraftCell, DRAFT_RESPONSE_FORMAT } from './draft/prompt.js';
export { createDraftPersona, type DraftPersonaOptions } from './endpoints/sim/draft-persona.js';
