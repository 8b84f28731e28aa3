/** `caps report RUN_DIR... [--bank PATH] [--out DIR] [--format html,md,csv,json]`: the report of one or more scored runs. */
import { Command } from 'commander';
import { RunIncompleteError, UserError } from '../errors.js';
import { describeSilent } from '../runner/endpoint-health.js';
import { examples } from './help.js';
import { parseFormats, REPORT_FORMATS } from '../report/formats.js';
import { parseLengthLambda } from '../interop/healthbench.js';
import type { LengthAdjustment } from '../schema/bank.js';

function integer(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new UserError(`${name} must be an integer, got "${value}"`);
    return n;
  };
}

function score(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UserError(`--threshold must be a score from 0 to 100, got "${value}"`);
  return n;
}

function language(value: string): 'zh' | 'en' {
  if (value !== 'zh' && value !== 'en') throw new UserError(`--language must be zh or en, got "${value}"`);
  return value;
}

export function reportCommand(): Command {
  return new Command('report')
    .description('write the report of scored runs (several runs are compared in one report): HTML, Markdown, CSV and JSON')
    .argument('<run-dirs...>', 'scored run folders')
    .option('-b, --bank <paths...>', "question bank files or folders (default: the bank recorded in the first run's manifest)")
    .option('-o, --out <dir>', 'output folder (default reports/<run id>)')
    .option('--format <formats>', `comma-separated formats: ${REPORT_FORMATS.join(',')}`, REPORT_FORMATS.join(','))
    .option('--seed <n>', 'seed of every bootstrap', integer('--seed'))
    .option('--bootstrap <n>', 'bootstrap replicates for intervals and knee support (default 2000)', integer('--bootstrap'))
    .option('--review-history <file>', "the bank's review history (default: review-history.jsonl beside the bank, when present)")
    .option('--threshold <score>', 'score at or above which an answer is acceptable, 0-100 (default 60)', score)
    .option('--language <zh|en>', "language the HTML report opens in: prompts and rubric texts (the reader can switch; default: the bank's)", language)
    .option('--length-lambda <lambda>', "HealthBench length-adjusted score: lambda per 500 characters beyond 2,000, or professional (its published 0.0147); over the bank's length_adjustment", parseLengthLambda)
    .option('-q, --quiet', 'print only the written files')
    .addHelpText(
      'after',
      examples([
        ['caps report runs/my-run', 'HTML, Markdown, CSV and JSON in reports/my-run/'],
        ['caps report runs/run-a runs/run-b -o reports/a-vs-b', 'two runs compared in one report'],
        ['caps report runs/my-run --format html,json --seed 7', 'only some formats, a fixed bootstrap seed'],
      ]),
    )
    .exitOverride()
    .action(async (runDirs: string[], options: { bank?: string[]; out?: string; format: string; seed?: number; bootstrap?: number; threshold?: number; reviewHistory?: string; language?: 'zh' | 'en'; lengthLambda?: LengthAdjustment; quiet?: boolean }) => {
      const formats = parseFormats(options.format);
      if (formats.length === 0) throw new UserError(`--format needs at least one of ${REPORT_FORMATS.join(', ')}`);
      // The report writers (and their charting library) load only when a report is written.
      const { reportRuns } = await import('../report/from-runs.js');
      const { files, warnings, results, unranked } = await reportRuns({
        runDirs,
        bankPaths: options.bank,
        outDir: options.out,
        formats,
        reviewHistory: options.reviewHistory,
        language: options.language,
        analysis: { seed: options.seed, bootstrap: options.bootstrap, acceptableThreshold: options.threshold, lengthAdjustment: options.lengthLambda },
      });
      if (!options.quiet) for (const warning of warnings) process.stderr.write(`caps: note: ${warning}\n`);
      const knees = options.quiet ? [] : [`report of ${results.leaderboard.rows.length} respondent(s) on ${results.bank.items} items:`, ...results.depth.curves.map((c) => `  ${c.respondent}: ${c.knee.message}`)];
      process.stdout.write(`${[...knees, ...files.map((f) => `wrote ${f}`)].join('\n')}\n`);
      if (unranked.length > 0) {
        throw new RunIncompleteError(`${unranked.map(describeSilent).join('; ')}: not ranked. Fix the endpoint (the cause is above), resume its run with caps run, score and report again.`);
      }
    });
}
