/** `caps score RUN_DIR [--bank PATH...] [--judge NAME...] [--config FILE]`: score a run folder (resumable). */
import { Command, InvalidArgumentError, Option } from 'commander';
import { JuryRule } from '../schema/config.js';
import { RunFolder } from '../io/run-folder.js';
import { loadBankOrThrow } from '../bank/load.js';
import { scoreRun, type ScoreRunSummary } from '../scorer/score-run.js';
import { judgesFromConfig } from '../scorer/judge/from-config.js';
import { RunIncompleteError, UserError } from '../errors.js';
import type { Bank } from '../bank/bank.js';

export function scoreCommand(): Command {
  return new Command('score')
    .description('score every answer of a run folder into scores.jsonl; re-scoring with the same judge reuses its verdicts')
    .argument('<run-dir>', 'run folder written by caps run or caps import-answers')
    .option('--bank <paths...>', 'question bank files or folders (default: the bank recorded in the run)')
    .option('--judge <names...>', 'judge endpoint name(s) from the config; several form a jury')
    .option('--config <file>', 'caps.config.yaml with the judge endpoints')
    .addOption(new Option('--rule <rule>', 'jury rule').choices(JuryRule.options))
    .option('--template <name-or-path>', 'judge prompt template (default caps-judge)')
    .option('--concurrency <n>', 'answers judged at once', wholeNumber('--concurrency', 1), 16)
    .addOption(new Option('--format <format>', 'summary format').choices(['text', 'json']).default('text'))
    .exitOverride()
    .action(async (runDir: string, options: { bank?: string[]; judge?: string[]; config?: string; rule?: JuryRule; template?: string; concurrency: number; format: string }) => {
      const bank = await bankForRun(runDir, options.bank);
      const selection = judgesFromConfig({ names: options.judge, configPath: options.config });
      const summary = await scoreRun(runDir, {
        bank,
        judges: selection.judges,
        rule: options.rule ?? selection.rule,
        template: options.template ?? selection.template,
        concurrency: options.concurrency,
        onProgress: process.stderr.isTTY ? ({ done, total }) => process.stderr.write(`\rscoring ${done}/${total}${done === total ? '\n' : ''}`) : undefined,
      });
      process.stdout.write(options.format === 'json' ? `${JSON.stringify(summary, null, 2)}\n` : formatScoreSummary(summary, selection.judges.map((j) => j.name)));
      if (summary.judgeFailures > 0) {
        throw new RunIncompleteError(`${summary.judgeFailures} answer${summary.judgeFailures === 1 ? '' : 's'} could not be judged (see above); run caps score ${runDir} again to retry them.`);
      }
    });
}

/** An option parser for whole numbers of at least `min`; commander reports the message as a usage error. */
export function wholeNumber(option: string, min: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw new InvalidArgumentError(`${option} must be a whole number of at least ${min}.`);
    return Number(value);
  };
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
  if (s.unknownItems.length > 0) lines.push(`  ${s.unknownItems.length} answers are to items or variants not in the bank and were left unscored (e.g. ${s.unknownItems[0]})`);
  return `${lines.join('\n')}\n`;
}
