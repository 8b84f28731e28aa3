/** `caps calibrate --labels FILE --run RUN_DIR [--seed N]`: agreement of the judge (or matcher) with expert labels. */
import { Command, Option } from 'commander';
import { calibrate, type AgreementStats, type CalibratedRater, type CalibrationReport } from '../scorer/calibrate.js';
import { loadBankOrThrow } from '../bank/load.js';
import type { Interval } from '../analysis/agreement.js';
import { examples, wholeNumber } from './help.js';

export function calibrateCommand(): Command {
  return new Command('calibrate')
    .description("compare the judge's (or matcher's) verdicts with expert labels: Cohen's kappa, Gwet's AC1, macro-F1 with 95% CIs")
    .requiredOption('--labels <file>', 'expert labels (.csv or .yaml): [run,] key or item+respondent, entry, met[, expert]')
    .option('--run <run-dir>', 'scored run folder (else a "run" column in the labels names it)')
    .addOption(new Option('--against <rater>', 'verdicts to calibrate').choices(['judge', 'matcher', 'final']).default('judge'))
    .option('--seed <n>', 'bootstrap seed', wholeNumber('--seed', 0), 1)
    .option('--resamples <n>', 'bootstrap resamples', wholeNumber('--resamples', 100), 1000)
    .option('-b, --bank <paths...>', 'bank files, for per-tag agreement')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      examples([
        ['caps calibrate --labels labels.csv --run runs/my-run', 'agreement of the judge with expert labels'],
        ['caps calibrate --labels labels.csv --run runs/my-run --against matcher --format json', 'of the matchers, as JSON'],
      ]),
    )
    .exitOverride()
    .action(async (options: { labels: string; run?: string; against: CalibratedRater; seed: number; resamples: number; bank?: string[]; format: string }) => {
      const bank = options.bank ? await loadBankOrThrow(options.bank) : undefined;
      const report = await calibrate({ labels: options.labels, runDir: options.run, rater: options.against, seed: options.seed, resamples: options.resamples, bank });
      process.stdout.write(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatCalibration(report));
    });
}

const fixed = (x: number | null) => (x === null ? '  -  ' : x.toFixed(3));
const ci = (i: Interval) => (i === null ? '' : ` [${i.low.toFixed(2)}, ${i.high.toFixed(2)}]`);

function row(g: AgreementStats): string {
  return `${g.group.padEnd(28)} ${String(g.n).padStart(5)}  ${fixed(g.agreement)}  ${fixed(g.kappa)}${ci(g.ci.kappa).padEnd(15)}  ${fixed(g.ac1)}${ci(g.ci.ac1).padEnd(15)}  ${fixed(g.macroF1)}${ci(g.ci.macroF1)}`;
}

export function formatCalibration(r: CalibrationReport): string {
  const lines = [
    `${r.rater} vs experts: ${r.compared} entries compared from ${r.labels} labels (bootstrap 95% CIs, seed ${r.seed})`,
    '',
    `${'group'.padEnd(28)} ${'n'.padStart(5)}  agree  kappa${' '.repeat(15)}  AC1${' '.repeat(17)}  macro-F1`,
    ...r.groups.map(row),
  ];
  if (r.experts) {
    lines.push('', `experts: ${r.experts.count} raters on ${r.experts.units} shared entries, Krippendorff's alpha ${fixed(r.experts.alpha)}${ci(r.experts.ci)}`);
  }
  lines.push('', r.disagreements.length === 0 ? 'no disagreements' : `disagreements (${r.disagreements.length}):`);
  for (const d of r.disagreements) {
    lines.push(
      `  line ${d.line}: ${d.respondent} ${d.item} ${d.kind} ${d.entry}: expert ${d.expert ? 'met' : 'not met'}, ${r.rater} ${d.rater ? 'met' : 'not met'}` +
        `${d.quotes[0] ? ` "${d.quotes[0]}"` : ''}${d.rationale ? ` (${d.rationale})` : ''}`,
    );
  }
  if (r.skipped.length > 0) {
    lines.push('', `not compared (${r.skipped.length}):`, ...r.skipped.map((s) => `  line ${s.line}: ${s.key} ${s.entry}: ${s.reason}`));
  }
  return `${lines.join('\n')}\n`;
}
