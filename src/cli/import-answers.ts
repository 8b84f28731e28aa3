/** `caps import-answers FILE --respondent NAME --bank PATH [--out RUN_DIR]`: doctors' answers into a run folder. */
import { Command } from 'commander';
import { loadBankOrThrow } from '../bank/load.js';
import { importAnswers } from '../scorer/import-answers.js';
import { examples } from './help.js';
import { UserError } from '../errors.js';

export function importAnswersCommand(): Command {
  return new Command('import-answers')
    .description("import doctors' answers (CSV item,variant,turn,text or YAML) into a run folder, scored like any model")
    .argument('<file>', 'answers file (.csv, .yaml or .yml)')
    .requiredOption('--respondent <name>', 'the doctor (or group) who wrote the answers')
    .requiredOption('-b, --bank <paths...>', 'question bank files or folders the answers belong to')
    .option('-o, --out <run-dir>', 'run folder to append to or create (default runs/human-<respondent>)')
    .addHelpText(
      'after',
      examples([
        ['caps import-answers dr-li.csv --respondent dr-li --bank questions/ -o runs/my-run', "a doctor's answers beside the models' (CSV item,variant,turn,text)"],
      ]),
    )
    .exitOverride()
    .action(async (file: string, options: { respondent: string; bank: string[]; out?: string }) => {
      const bank = await loadBankOrThrow(options.bank);
      const out = options.out ?? `runs/human-${options.respondent.replace(/[^A-Za-z0-9._-]+/g, '-')}`;
      const summary = await importAnswers({ file, respondent: options.respondent, bank, out });
      for (const warning of summary.warnings) process.stderr.write(`caps: note: ${warning}\n`);
      for (const r of summary.refused) process.stderr.write(`caps: ${r.where}: refused: ${r.reason}\n`);
      process.stdout.write(
        `${summary.created ? 'created' : 'updated'} ${summary.runDir}: ${summary.imported} answers by ${options.respondent} imported` +
          `${summary.unchanged > 0 ? `, ${summary.unchanged} already there unchanged` : ''}${summary.refused.length > 0 ? `, ${summary.refused.length} lines refused` : ''}\nnext: caps score ${summary.runDir}\n`,
      );
      if (summary.refused.length > 0) throw new UserError(`${file}: ${summary.refused.length} lines refused (listed above); the other lines were imported. Fix those lines and import the file again.`);
    });
}
