/**
 * `caps demo` as a library function: the whole evaluation offline. It starts the simulated
 * OpenAI-compatible endpoint on 127.0.0.1, asks the demo bank of every simulated vendor
 * (clean, distracted and multi-turn forms) over real HTTP, imports simulated doctors' answer
 * sheets, scores everything with the matchers and the simulated judge, and writes the report.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Bank } from '../bank/bank.js';
import { loadBankOrThrow } from '../bank/load.js';
import { CapsConfig, EndpointConfig } from '../schema/config.js';
import { startSimServer } from '../endpoints/sim/server.js';
import { demoPersonas, DEMO_PERSONA_SPECS } from '../endpoints/sim/personas.js';
import { createJudgePersona } from '../endpoints/sim/judge-persona.js';
import { createEndpointClient } from '../endpoints/client.js';
import { runEval, type RunSummary } from '../runner/run.js';
import type { ProgressSink } from '../runner/progress.js';
import { importAnswers } from '../scorer/import-answers.js';
import { scoreRun, type ScoreRunSummary } from '../scorer/score-run.js';
import { reportRuns } from '../report/from-runs.js';
import { REPORT_FORMATS } from '../report/build.js';
import type { Results } from '../schema/results.js';
import { PACKAGE_ROOT } from '../version.js';
import { DEMO_DOCTOR_SPECS, writeDoctorAnswerSheet } from './doctors.js';

export const DEMO_BANK_PATH = join(PACKAGE_ROOT, 'questions', 'lung-cancer');
const JUDGE = 'sim-judge';

/** What the demo's judge is, for the report and the demo's output: it must never pass for a real one. */
export const SIMULATED_JUDGE_NOTE =
  'Demonstration data: the vendors, the doctors and the LLM judge are all simulated. The "judge" (sim-judge) is not a language model: ' +
  "it is a deterministic program that marks a rubric entry met when the answer contains a clause of that entry's own text " +
  '(negation-aware, with the same matching rules as the matchers). Its verdicts and the matcher-judge agreement say nothing about how a real judge or a clinician would grade these answers.';

/** One line on what the printed agreement means. */
export const AGREEMENT_NOTE =
  'both graders are rule-based readers of the same rubric, so this shows their consistency, not accuracy against a real judge or clinicians';

export interface DemoOptions {
  /** Folder for the demo's run and report (default `caps-demo`). */
  out?: string;
  seed?: number;
  /** Progress lines (one call per line). */
  log?: (line: string) => void;
  progress?: ProgressSink;
}

export interface DemoResult {
  bank: Bank;
  runDir: string;
  reportDir: string;
  files: string[];
  run: RunSummary;
  scoring: ScoreRunSummary;
  doctors: string[];
  results: Results;
  /** Milliseconds spent asking, importing the doctors, scoring and reporting. */
  timings: { ask: number; doctors: number; score: number; report: number; studio: number };
  /** The studio database seeded with the demo's answers (caps studio <out>/runs opens it). */
  studioDb: string;
}

/** Registers the demo's answers in a studio database beside the run, so caps studio opens a ready queue. */
async function seedStudio(runDir: string): Promise<{ dbFile: string; answers: number }> {
  const { openStudioContext } = await import('../studio/server.js');
  const ctx = await openStudioContext({ runDirs: [runDir] });
  try {
    return { dbFile: ctx.dbFile, answers: ctx.store.counts().answers };
  } finally {
    ctx.store.db.close();
  }
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const log = options.log ?? (() => {});
  const out = resolve(options.out ?? 'caps-demo');
  const bank = await loadBankOrThrow([DEMO_BANK_PATH]);
  // One run folder per bank version, so running the demo again resumes instead of re-asking.
  const runDir = join(out, 'runs', `${bank.id}-${bank.hash.slice(0, 12)}`);
  const reportDir = join(out, 'report');
  mkdirSync(join(out, 'doctors'), { recursive: true });
  log(`bank ${bank.id} v${bank.version}: ${bank.items.length} items`);
  log(SIMULATED_JUDGE_NOTE);

  // The simulated judge grades from the rubric text in its prompt alone, not from the matchers' phrases.
  const server = await startSimServer({
    personas: [...demoPersonas(bank), createJudgePersona()],
    seed: options.seed ?? 7,
  });
  try {
    const endpoint = (name: string) => EndpointConfig.parse({ name, baseURL: server.baseURL, model: name, params: { temperature: 0 }, concurrency: 16 });
    const config = CapsConfig.parse({
      endpoints: [...DEMO_PERSONA_SPECS.map((p) => endpoint(p.name)), endpoint(JUDGE)],
      judge: { endpoints: [JUDGE] },
    });
    log(`simulated endpoint at ${server.baseURL}; asking ${DEMO_PERSONA_SPECS.map((p) => p.name).join(', ')}`);
    let mark = Date.now();
    const lap = () => {
      const now = Date.now();
      const ms = now - mark;
      mark = now;
      return ms;
    };
    // The simulated vendors listen on a new port each time: resuming the demo is resuming the same deployments.
    const run = await runEval({ bank, config, out: runDir, cacheDir: false, progress: options.progress, acceptMovedEndpoints: true });
    const ask = lap();

    const doctors: string[] = [];
    for (const spec of DEMO_DOCTOR_SPECS) {
      const sheet = join(out, 'doctors', `${spec.name}.csv`);
      const answers = await writeDoctorAnswerSheet(bank, spec, sheet);
      await importAnswers({ file: sheet, respondent: spec.name, bank, out: runDir });
      doctors.push(spec.name);
      log(`imported ${answers} answers of ${spec.name} from ${sheet}`);
    }

    const importing = lap();
    const judge = createEndpointClient(config.endpoints.find((e) => e.name === JUDGE)!);
    const scoring = await scoreRun(runDir, { bank, judges: [judge] });
    log(
      `scored ${scoring.answers} answers (${scoring.complete} complete, ${scoring.incomplete} incomplete); ` +
        `matcher and simulated judge agreed on ${scoring.agreement.agreed} of ${scoring.agreement.compared} entries both decided (${AGREEMENT_NOTE})`,
    );

    const scoringTime = lap();
    const report = await reportRuns({
      runDirs: [runDir],
      bankPaths: [DEMO_BANK_PATH],
      outDir: reportDir,
      formats: [...REPORT_FORMATS],
      notes: [SIMULATED_JUDGE_NOTE],
    });
    const reportTime = lap();
    const studio = await seedStudio(runDir);
    log(`studio database ${studio.dbFile}: ${studio.answers} answers ready to grade`);
    const timings = { ask, doctors: importing, score: scoringTime, report: reportTime, studio: lap() };
    return { bank, runDir, reportDir, files: report.files, run, scoring, doctors, results: report.results, timings, studioDb: studio.dbFile };
  } finally {
    await server.close();
  }
}
