/** `caps export gaps|healthbench --bank PATH --out FILE`: a bank written back in a public format. */
import { Command, Option } from 'commander';
import { loadBankOrThrow } from '../bank/load.js';
import { exportGaps, exportHealthBench, type ExportSummary } from '../interop/export.js';
import { examples } from './help.js';

function report(summary: ExportSummary): void {
  for (const line of summary.dropped) process.stderr.write(`caps: note: not exported: ${line}\n`);
  process.stdout.write(`wrote ${summary.file}: ${summary.items} items${summary.dropped.length > 0 ? ` (${summary.dropped.length} things the format cannot hold were left out)` : ''}\n`);
}

export function exportCommand(): Command {
  const gaps = new Command('gaps')
    .description('write a bank as a GAPS spreadsheet (A1-A3/S1-S4 claims, G1-G4 depth)')
    .requiredOption('-b, --bank <paths...>', 'question bank files or folders')
    .requiredOption('-o, --out <file.xlsx>', 'spreadsheet to write')
    .option('--answers <run-dir>', 'add each respondent of this run as a <respondent>_answer column')
    .addOption(new Option('--layout <layout>', 'GAPS bank layout or community layout (default: community when every item has a difficulty: tag)').choices(['gaps', 'gaps-community']))
    .addHelpText(
      'after',
      examples([
        ['caps export gaps -b questions/ -o bank.xlsx', 'the bank as a GAPS spreadsheet'],
        ['caps export gaps -b questions/ -o answers.xlsx --answers runs/my-run', "with each respondent's answers as a column"],
      ]),
    )
    .exitOverride()
    .action(async (options: { bank: string[]; out: string; answers?: string; layout?: 'gaps' | 'gaps-community' }) => {
      report(await exportGaps(await loadBankOrThrow(options.bank), options.out, { answers: options.answers, layout: options.layout }));
    });
  const healthbench = new Command('healthbench')
    .description('write a bank as HealthBench JSONL (criteria with signed points and tags)')
    .requiredOption('-b, --bank <paths...>', 'question bank files or folders')
    .requiredOption('-o, --out <file.jsonl>', 'JSONL file to write')
    .addHelpText(
      'after',
      examples([
        ['caps export healthbench -b questions/ -o bank.jsonl', 'the bank as HealthBench JSONL'],
      ]),
    )
    .exitOverride()
    .action(async (options: { bank: string[]; out: string }) => {
      report(exportHealthBench(await loadBankOrThrow(options.bank), options.out));
    });
  return new Command('export')
    .description('write a bank in the GAPS or HealthBench format')
    .addCommand(gaps)
    .addCommand(healthbench)
    .addHelpText('after', examples([['caps export gaps -b questions/ -o bank.xlsx', 'a GAPS spreadsheet'], ['caps export healthbench -b questions/ -o bank.jsonl', 'HealthBench JSONL']]))
    .exitOverride();
}
