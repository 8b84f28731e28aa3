/** `caps score RUN_DIR [--bank PATH...] [--judge NAME...] [--config FILE]`: score a run folder (resumable). */
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import { JuryRule } from '../schema/config.js';
import { RunFolder } from '../io/run-folder.js';
import { loadBankOrThrow } from '../bank/load.js';
import { MIN_ANSWERS_PER_WORKER, scoreRun, type ScoreRunSummary } from '../scorer/score-run.js';
import { judgeClients, judgesFromConfig, type JudgeSelection } from '../scorer/judge/from-config.js';
import { DEFAULT_CONFIG_FILE } from '../endpoints/discover-config.js';
import { describeSilent } from '../runner/endpoint-health.js';
import { appendJudgeUsage, emptyTotals, formatUsageLines, meteredClient, priced } from '../runner/usage.js';
import { formatBatchEvent } from '../endpoints/batch-event.js';
import { untilStopped } from './stop-signal.js';
import type { BatchScoreOptions, BatchScoreSummary } from '../scorer/score-batch.js';
import { announceSetup } from './setup.js';
import { examples, thousands, wholeNumber } from './help.js';
import { RunIncompleteError, UserError } from '../errors.js';
import type { Bank } from '../bank/bank.js';
import { keepHeapNearLiveSize } from './heap.js';

export function scoreCommand(): Command {
  return new Command('score')
    .description('score every answer of a run folder into scores.jsonl; re-scoring with the same judge reuses its verdicts')
    .argument('<run-dir>', 'run folder written by caps run or caps import-answers')
    .option('-b, --bank <paths...>', 'question bank files or folders (default: the bank recorded in the run)')
    .option('--judge <names...>', 'judge endpoint name(s) from the config; several form a jury (default: the config\'s judge:)')
    .option('--no-judge', 'matchers only, even when the config names a judge')
    .option('-c, --config <file>', `config with the judge endpoints (default: ./${DEFAULT_CONFIG_FILE} when present)`)
    .addOption(new Option('--rule <rule>', 'jury rule').choices(JuryRule.options))
    .option('--template <name-or-path>', 'judge prompt template (default caps-judge)')
    .option('--concurrency <n>', 'answers judged at once', wholeNumber('--concurrency', 1), 16)
    .option('--workers <n>', `at most this many worker threads scoring with the matchers, one for every ${thousands(MIN_ANSWERS_PER_WORKER)} answers to score, none unless two are kept busy (0 or 1 = in the main thread; default: with 4 or more cores, one fewer than the cores, at most 8; none on fewer)`, wholeNumber('--workers', 0), defaultWorkers())
    .option('--batch', "send the judge's calls through the OpenAI Batch API (/v1/files, /v1/batches; about half the price, slower); a batch in progress is collected by the next caps score --batch")
    .option('--batch-poll <seconds>', 'seconds between batch status checks', wholeNumber('--batch-poll', 1), 30)
    .addOption(new Option('--no-cache', 'with --batch: use only judge replies collected by this command, not replies cached earlier in .cache next to the run folder'))
    .option('-q, --quiet', 'no progress line')
    .addOption(new Option('--format <format>', 'summary format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      examples([
        ['caps score runs/my-run', "matchers, plus the judge named in ./caps.config.yaml's judge: if any"],
        ['caps score runs/my-run --no-judge', 'matchers only: no judge call'],
        ['caps score runs/my-run --judge gpt-4o-judge qwen-judge --rule conservative', 'a jury of two judges'],
        ['caps score runs/my-run --batch', 'judge calls through the Batch API; run it again after a stop to collect the batch in progress'],
      ]),
    )
    .exitOverride()
    .action(async (runDir: string, options: ScoreCliOptions) => {
      keepHeapNearLiveSize();
      let selection: JudgeSelection | undefined;
      announceSetup('score', options.config, (found) => {
        selection = judgesFromConfig({ found, names: Array.isArray(options.judge) ? options.judge : undefined, none: options.judge === false });
        return [selection.origin];
      });
      if (!options.cache && !options.batch) throw new UserError('--no-cache applies to caps score --batch only (direct judge calls are not cached); drop it or add --batch.');
      const judges = await judgeClients(selection!);
      const bank = await bankForRun(runDir, options.bank);
      const usage = selection!.endpoints.map((e) => emptyTotals(e.name));
      const common = {
        bank,
        rule: options.rule ?? selection!.rule,
        template: options.template ?? selection!.template,
        concurrency: options.concurrency,
        workers: options.workers,
        onProgress: process.stderr.isTTY && !options.quiet ? ({ done, total }: { done: number; total: number }) => process.stderr.write(`\rscoring ${done}/${total}${done === total ? '\n' : ''}`) : undefined,
      };
      const summary: ScoreRunSummary & Partial<BatchScoreSummary> = options.batch
        ? await scoreBatchedFromCli(runDir, options, selection!, common)
        : await scoreRun(runDir, { ...common, judges: judges.map((judge, i) => meteredClient(judge, usage[i])) });
      // Batch replies are counted as their lines are read (each once, whoever collects it), direct calls as they are made.
      const judgeUsage = (summary.batch?.usage ?? usage).map((totals, i) => priced(totals, selection!.endpoints[i].prices, summary.batch ? 'batch' : 'direct'));
      if (judgeUsage.some((u) => u.calls > 0)) appendJudgeUsage(runDir, judgeUsage);
      const silent = summary.failedRespondents;
      process.stdout.write(
        options.format === 'json'
          ? `${JSON.stringify({ ...summary, judgeUsage }, null, 2)}\n`
          : formatScoreSummary(summary, judges.map((j) => j.name)) +
              (summary.batch ? formatBatchSummary(summary.batch) : '') +
              formatUsageLines(judgeUsage, 'judge').map((l) => `${l}\n`).join(''),
      );
      if (silent.length > 0) {
        throw new RunIncompleteError(
          `${silent.map(describeSilent).join('; ')}. ${silent.length === 1 ? 'It has' : 'They have'} nothing to score and will not be ranked; fix the endpoint and resume the run with caps run.`,
        );
      }
      if (summary.batch && (summary.batch.pending > 0 || summary.deferred > 0)) {
        throw new RunIncompleteError(
          `${summary.deferred} answer${summary.deferred === 1 ? ' awaits' : 's await'} a judge reply from a batch${summary.batch.pending > 0 ? ` (${summary.batch.pending} batch${summary.batch.pending === 1 ? '' : 'es'} still in progress)` : ''}; run caps score ${runDir} --batch again to collect and score ${summary.deferred === 1 ? 'it' : 'them'}.`,
        );
      }
      if (summary.judgeFailures > 0) {
        throw new RunIncompleteError(`${summary.judgeFailures} answer${summary.judgeFailures === 1 ? '' : 's'} could not be judged (see above); run caps score ${runDir} again to retry them.`);
      }
    });
}

interface ScoreCliOptions {
  bank?: string[];
  judge?: string[] | boolean;
  config?: string;
  rule?: JuryRule;
  template?: string;
  concurrency: number;
  workers: number;
  batch?: boolean;
  batchPoll: number;
  cache: boolean;
  format: string;
  quiet?: boolean;
}

/** `--batch`: the judges' endpoints asked through the Batch API, stopped cleanly by Ctrl-C (the batch stays pending). */
async function scoreBatchedFromCli(runDir: string, options: ScoreCliOptions, selection: JudgeSelection, common: Omit<BatchScoreOptions, 'judges'>): Promise<BatchScoreSummary> {
  const { scoreRunBatched } = await import('../scorer/score-batch.js');
  return untilStopped('caps score: stopping; batches in progress are collected by the next caps score --batch', (signal) =>
    scoreRunBatched(runDir, {
      ...common,
      judges: selection.endpoints,
      cacheDir: options.cache ? undefined : false,
      pollMs: options.batchPoll * 1000,
      signal,
      onBatch: (b) => process.stderr.write(formatBatchEvent('score', b)),
      onRound: (r) => process.stderr.write(`caps score: round ${r.round}: submitting ${r.requests} judge request${r.requests === 1 ? '' : 's'} for ${r.answers} answer${r.answers === 1 ? '' : 's'} as batches\n`),
    }),
  );
}

/**
 * Scoring threads when not given. The main thread keeps a core busy reading and writing, so
 * workers pay only when there are cores to spare: on 2 cores they cost 1.2-1.3x the wall time
 * of one thread (docs/benchmarks.md). With 4 or more, one per core but the main thread's.
 */
function defaultWorkers(): number {
  const cores = availableParallelism();
  return cores >= 4 ? Math.min(cores - 1, 8) : 0;
}

/** The bank given with --bank, else the one recorded in the run's manifest (warning if it changed since). */
export async function bankForRun(runDir: string, paths: string[] | undefined): Promise<Bank> {
  const manifest = new RunFolder(runDir).readManifest();
  const chosen = paths && paths.length > 0 ? paths : manifest.bank.paths;
  if (chosen.length === 0) throw new UserError(`${runDir}: the run does not record its bank files; pass --bank PATH.`);
  const bank = await loadBankOrThrow(chosen);
  if (bank.id !== manifest.bank.id) {
    throw new UserError(`${runDir}: the run answered bank "${manifest.bank.id}" but ${chosen.join(' ')} is bank "${bank.id}"; pass the right --bank.`);
  }
  if (bank.hash !== manifest.bank.hash) {
    process.stderr.write(`caps: note: bank "${bank.id}" changed since the run (hash differs); answers are scored against the bank as it is now.\n`);
  }
  return bank;
}

function formatBatchSummary(b: BatchScoreSummary['batch']): string {
  const pending = b.pending > 0 ? `, ${b.pending} still in progress (caps score --batch again collects them)` : '';
  return `  batch API: ${b.submitted} batches submitted (${b.requests} request lines), ${b.collected} collected, ${b.failedLines} failed lines${pending}\n`;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`;
}

export function formatScoreSummary(s: ScoreRunSummary, judges: string[]): string {
  const lines = [
    `scored ${s.runDir}: ${s.answers} answers (${s.scored} scored now, ${s.reused} reused from earlier scoring)`,
    `  complete ${s.complete} · incomplete ${s.incomplete} · response errors ${s.errors}`,
  ];
  if (judges.length > 0) {
    lines.push(`  judge ${judges.join(' + ')}: ${s.judgeCalls} calls, ${s.judgeFaults} faults (quotes that do not hold in their sentence, invalid replies), ${s.juryTies} jury ties, ${s.judgeFailures} failures`);
  } else {
    lines.push('  matcher only (no judge): entries without match: stay undecided');
  }
  const external = Object.entries(s.external);
  if (external.length > 0) {
    const total = external.reduce((n, [, count]) => n + count, 0);
    lines.push(`  verdicts.jsonl: ${total} entries decided by ${external.map(([source, n]) => `${source} ${n}`).join(', ')} (precedence adjudication > physician > imported > judge > matcher)`);
  }
  for (const problem of s.verdictProblems) lines.push(`  skipped unreadable verdict ${problem}`);
  lines.push(`  matcher-judge agreement: ${s.agreement.agreed}/${s.agreement.compared} entries (${percent(s.agreement.agreed, s.agreement.compared)})`);
  if (s.errors > 0) lines.push(`  ${s.errors} answers have no text (their request failed): resume the run with caps run, then score again`);
  if (s.unknownItems.length > 0) lines.push(`  ${s.unknownItems.length} ${s.unknownItems.length === 1 ? 'answer is' : 'answers are'} to items or variants not in the bank and ${s.unknownItems.length === 1 ? 'was' : 'were'} left unscored (e.g. ${s.unknownItems[0]})`);
  return `${lines.join('\n')}\n`;
}
