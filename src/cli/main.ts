/**
 * The `caps` command: a thin layer over the library. One file per command registers itself here.
 * Commands report failure by throwing UserError (exit 1) or RunIncompleteError (exit 2).
 */
import { Command, CommanderError } from 'commander';
import { HARNESS_VERSION } from '../version.js';
import { UserError } from '../errors.js';
import { redactStandardStreams } from '../io/redact.js';
import { setBadLinePolicy } from '../io/jsonl.js';
import { asWriteError } from '../io/safe-write.js';
import { calibrateCommand } from './calibrate.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { importVerdictsCommand } from './import-verdicts.js';
import { initCommand } from './init.js';
import { demoCommand } from './demo.js';
import { draftCommand } from './draft.js';
import { importAnswersCommand } from './import-answers.js';
import { scoreCommand } from './score.js';
import { tryCommand } from './try.js';
import { lintCommand } from './lint.js';
import { mergeCommand } from './merge.js';
import { reportCommand } from './report.js';
import { reviewCommand } from './review.js';
import { runCommand } from './run.js';
import { simCommand } from './sim.js';
import { readDotEnv } from './setup.js';

export function buildProgram(): Command {
  const program = new Command('caps')
    .description('Evaluate medical language models on clinician-written CAPS rubrics.')
    .version(HARNESS_VERSION, '-V, --version')
    .showHelpAfterError('(run caps --help for usage)')
    .option('--skip-bad-lines', 'go on when run files hold lines that cannot be read (each is still listed)')
    .exitOverride();
  // Unreadable lines in run files fail every command that reads them, unless the user accepts skipping them.
  program.hook('preAction', () => setBadLinePolicy({ skip: program.opts().skipBadLines === true }));
  // Commands (keep one line each, alphabetical):
  program.addCommand(calibrateCommand());
  program.addCommand(demoCommand());
  program.addCommand(draftCommand());
  program.addCommand(exportCommand());
  program.addCommand(importCommand());
  program.addCommand(importAnswersCommand());
  program.addCommand(importVerdictsCommand());
  program.addCommand(initCommand());
  program.addCommand(lintCommand());
  program.addCommand(mergeCommand());
  program.addCommand(reportCommand());
  program.addCommand(reviewCommand());
  program.addCommand(runCommand());
  program.addCommand(scoreCommand());
  program.addCommand(simCommand());
  program.addCommand(tryCommand());
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  // Every line printed, ours or a library's debug log, passes the redaction step.
  const restoreStreams = redactStandardStreams();
  try {
    readDotEnv();
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed.
      return err.exitCode === 0 ? 0 : 1;
    }
    // A file-system failure not caught where it happened still gets one line and exit 2.
    const failure = err instanceof UserError ? err : typeof (err as NodeJS.ErrnoException)?.path === 'string' ? asWriteError((err as NodeJS.ErrnoException).path!, err) : err;
    if (failure instanceof UserError) {
      process.stderr.write(`caps: ${failure.message}\n`);
      return failure.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`caps: internal error: ${message}\n(set CAPS_DEBUG=1 for details)\n`);
    if (process.env.CAPS_DEBUG) console.error(err);
    return 3;
  } finally {
    restoreStreams();
  }
}

