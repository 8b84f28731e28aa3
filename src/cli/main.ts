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

/**
 * Commands by name (keep one line each, alphabetical). Each is imported only when it runs, so
 * a command loads its own modules and `caps --version` loads none.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  calibrate: async () => (await import('./calibrate.js')).calibrateCommand(),
  demo: async () => (await import('./demo.js')).demoCommand(),
  draft: async () => (await import('./draft.js')).draftCommand(),
  export: async () => (await import('./export.js')).exportCommand(),
  import: async () => (await import('./import.js')).importCommand(),
  init: async () => (await import('./init.js')).initCommand(),
  'import-answers': async () => (await import('./import-answers.js')).importAnswersCommand(),
  'import-verdicts': async () => (await import('./import-verdicts.js')).importVerdictsCommand(),
  labels: async () => (await import('./labels.js')).labelsCommand(),
  lint: async () => (await import('./lint.js')).lintCommand(),
  merge: async () => (await import('./merge.js')).mergeCommand(),
  report: async () => (await import('./report.js')).reportCommand(),
  review: async () => (await import('./review.js')).reviewCommand(),
  run: async () => (await import('./run.js')).runCommand(),
  score: async () => (await import('./score.js')).scoreCommand(),
  sim: async () => (await import('./sim.js')).simCommand(),
  studio: async () => (await import('./studio.js')).studioCommand(),
  try: async () => (await import('./try.js')).tryCommand(),
};

/**
 * Each command's name, help term and description as `caps --help` lists them, recorded by the
 * bundle's build (scripts/build-cli.ts, as JSON); undefined when caps runs from its sources.
 */
declare const CAPS_COMMAND_LIST: string | undefined;

export interface CommandSummary {
  name: string;
  term: string;
  description: string;
}

/** The rows of `caps --help`'s command list, from a program with every command loaded. */
export function summarizeCommands(program: Command): CommandSummary[] {
  const help = program.createHelp();
  return program.commands.map((c) => ({ name: c.name(), term: help.subcommandTerm(c), description: help.subcommandDescription(c) }));
}

/**
 * Commands that only name themselves in the list, for help, a bare `caps` or an unknown name:
 * loading every command's modules for that took 0.7 s of CPU, about 90 chunks of the bundle.
 */
function listCommands(program: Command, summaries: CommandSummary[]): void {
  const terms = new Map(summaries.map((s) => [s.name, s.term]));
  const help = program.createHelp();
  program.configureHelp({ subcommandTerm: (c) => terms.get(c.name()) ?? help.subcommandTerm(c) });
  for (const s of summaries) program.addCommand(new Command(s.name).description(s.description));
}

/**
 * The program with the commands `argv` needs: the one it names (also as `caps help NAME`),
 * none for --version, and all of them for help, a bare `caps` or an unknown name (to list them
 * or suggest one); the bundle lists them without loading them.
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('caps')
    .description('Evaluate medical language models on clinician-written CAPS rubrics.')
    .version(HARNESS_VERSION, '-V, --version')
    .showHelpAfterError('(run caps --help for usage)')
    .option('--skip-bad-lines', 'go on when run files hold lines that cannot be read (each is still listed)')
    .exitOverride();
  program.hook('preAction', async () => {
    // Unreadable lines in run files fail every command that reads them, unless the user accepts skipping them.
    setBadLinePolicy({ skip: program.opts().skipBadLines === true });
    // ./.env only for a command that runs: --version and --help load no config code.
    (await import('./setup.js')).readDotEnv();
  });
  const words = argv.filter((arg) => !arg.startsWith('-'));
  const named = words[0] === 'help' && words.length > 1 ? words[1] : words[0];
  const version = named === undefined && argv.some((arg) => arg === '-V' || arg === '--version');
  const one = named !== undefined && Object.hasOwn(COMMANDS, named);
  if (!one && !version && typeof CAPS_COMMAND_LIST === 'string') {
    listCommands(program, JSON.parse(CAPS_COMMAND_LIST) as CommandSummary[]);
    return program;
  }
  const wanted = one ? [named] : version ? [] : Object.keys(COMMANDS);
  for (const command of await Promise.all(wanted.map((name) => COMMANDS[name]()))) program.addCommand(command);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  // Every line printed, ours or a library's debug log, passes the redaction step.
  const restoreStreams = redactStandardStreams();
  try {
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

