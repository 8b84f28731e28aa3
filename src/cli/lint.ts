/** `caps lint PATH... [--format text|json]`: validate banks, print diagnostics and the summary. */
import { Command, Option } from 'commander';
import { UserError } from '../errors.js';
import { examples } from './help.js';

export function lintCommand(): Command {
  return new Command('lint')
    .description('check question banks: file:line:col errors and warnings, then what the bank covers (exit 1 on errors)')
    .argument('<paths...>', 'bank files or folders (folders are searched for .yaml/.yml)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .showHelpAfterError('(run caps lint --help for usage)')
    .addHelpText(
      'after',
      examples([
        ['caps lint questions/', 'check every bank file in questions/'],
        ['caps lint questions/my-bank.yaml --format json', 'one file, problems as JSON'],
      ]),
    )
    .exitOverride()
    .action(async (paths: string[], options: { format: 'text' | 'json' }) => {
      // Loaded here: `caps lint --help` needs none of the bank format.
      const [{ formatLintText, lintBank }, { displayPath }] = await Promise.all([import('../bank/lint.js'), import('../bank/diagnostic.js')]);
      const report = await lintBank(paths);
      if (options.format === 'json') {
        const diagnostics = report.diagnostics.map((d) => ({ ...d, file: displayPath(d.file) }));
        process.stdout.write(`${JSON.stringify({ diagnostics, summary: report.summary, errors: report.errors, warnings: report.warnings }, null, 2)}\n`);
      } else {
        process.stdout.write(formatLintText(report));
      }
      if (report.errors > 0) {
        throw new UserError(`the bank has ${report.errors} error${report.errors === 1 ? '' : 's'}; fix ${report.errors === 1 ? 'it' : 'them'} and run caps lint again`);
      }
    });
}
