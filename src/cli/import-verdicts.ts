/** `caps import-verdicts FILE --run RUN_DIR [--bank PATH]`: per-criterion grades made elsewhere, scored with the bank's profile. */
import { Command } from 'commander';
import { loadBankOrThrow } from '../bank/load.js';
import { RunFolder } from '../io/run-folder.js';
import { importVerdicts } from '../interop/import-verdicts.js';
import { examples } from './help.js';

export function importVerdictsCommand(): Command {
  return new Command('import-verdicts')
    .description('score a run from per-criterion grades made elsewhere (published or expert): key or item+respondent, entry, met[, quote, rationale, grader]')
    .argument('<file>', 'grades (.csv or .yaml), the same columns as caps calibrate --labels')
    .requiredOption('--run <run-dir>', 'run folder holding the graded answers')
    .option('-b, --bank <paths...>', "question bank files or folders (default: the bank recorded in the run's manifest)")
    .option('--grader <name>', 'who graded, when the file has no grader column', 'imported')
    .addHelpText(
      'after',
      examples([
        ['caps import-verdicts grades.csv --run runs/my-run --grader dr-wang', "experts' grades of the run's answers"],
      ]),
    )
    .exitOverride()
    .action(async (file: string, options: { run: string; bank?: string[]; grader: string }) => {
      const bank = await loadBankOrThrow(options.bank ?? new RunFolder(options.run).readManifest().bank.paths);
      const s = await importVerdicts({ file, runDir: options.run, bank, grader: options.grader });
      process.stdout.write(
        `${s.runDir}: ${s.labels} grades scored ${s.answers} answers (${s.complete} complete, ${s.incomplete} incomplete)\n` +
          `next: caps report ${s.runDir}; compare with a judge: caps calibrate --labels ${file} --run <judged run>\n`,
      );
    });
}
