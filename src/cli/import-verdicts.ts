/** `caps import-verdicts FILE --run RUN_DIR [--bank PATH]`: per-criterion grades made elsewhere, kept as the run's imported verdicts. */
import { Command } from 'commander';
import { loadBankOrThrow } from '../bank/load.js';
import { RunFolder } from '../io/run-folder.js';
import { importVerdicts } from '../interop/import-verdicts.js';
import { examples } from './help.js';
import { UserError } from '../errors.js';

export function importVerdictsCommand(): Command {
  return new Command('import-verdicts')
    .description("keep per-criterion grades made elsewhere (published, expert, an edited verdicts.csv) in the run's verdicts.jsonl and score with them: key or item+respondent, entry, met[, quote, rationale, grader]")
    .argument('<file>', 'grades (.csv or .yaml): the columns of caps calibrate --labels, or a report verdicts.csv')
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
      for (const r of s.refused) process.stderr.write(`caps: ${r.where}: refused: ${r.reason}\n`);
      for (const note of s.outranked) process.stderr.write(`caps: note: ${note}\n`);
      process.stdout.write(
        `${s.runDir}: ${s.lines} lines: ${s.recorded} grades recorded in verdicts.jsonl, ${s.unchanged} unchanged, ${s.refused.length} refused; ` +
          `${s.answers} answers scored (${s.complete} complete, ${s.incomplete} incomplete)\n` +
          `caps score keeps these grades (they decide over judge and matcher); next: caps report ${s.runDir}\n`,
      );
      if (s.refused.length > 0) throw new UserError(`${file}: ${s.refused.length} of ${s.lines} lines refused (listed above); the other lines were imported. Fix those lines and import the file again.`);
    });
}
