/** `caps demo [--out DIR]`: the whole evaluation offline, ending with the report's path and what to do next. */
import { dirname, relative } from 'node:path';
import { Command } from 'commander';
import { createProgressReporter, progressMode } from '../runner/progress.js';
import { examples } from './help.js';

export function demoCommand(): Command {
  return new Command('demo')
    .description('run the whole evaluation offline: simulated vendors and doctors on the demo bank, scored and reported')
    .option('-o, --out <dir>', 'folder for the demo run and report', 'caps-demo')
    .option('-q, --quiet', 'print only the report path')
    .addHelpText(
      'after',
      examples([
        ['caps demo', 'everything in caps-demo/; run it again and it resumes'],
        ['caps demo -o /tmp/demo -q', 'elsewhere, printing only the report path'],
      ]),
    )
    .exitOverride()
    .action(async (opts: { out: string; quiet?: boolean }) => {
      const log = opts.quiet ? undefined : (line: string) => process.stderr.write(`caps demo: ${line}\n`);
      const progress = opts.quiet
        ? undefined
        : createProgressReporter({ stream: process.stderr, live: progressMode(process.stderr, process.env, false) === 'live' });
      const { runDemo } = await import('../demo/demo.js');
      const demo = await runDemo({ out: opts.out, log, progress });
      const html = demo.files.find((f) => f.endsWith('.html'));
      const t = demo.timings;
      const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      // Wall time since the process started: what the user waited, Node's start and loading included.
      const total = process.uptime() * 1000;
      const setup = total - t.ask - t.doctors - t.score - t.report - t.studio;
      log?.(
        `done in ${seconds(total)} (start-up and loading ${seconds(setup)}, asking ${seconds(t.ask)}${demo.run.counts.resumed > 0 ? `, ${demo.run.counts.resumed} answers resumed from the last demo` : ''}, ` +
          `doctors ${seconds(t.doctors)}, scoring ${seconds(t.score)}, report ${seconds(t.report)}, studio ${seconds(t.studio)}); report files: ${demo.files.length}`,
      );
      if (!opts.quiet) process.stderr.write(nextSteps(html ?? demo.reportDir, shortPath(dirname(demo.bank.files[0])), shortPath(dirname(demo.studioDb))));
      process.stdout.write(`${html ?? demo.reportDir}\n`);
    });
}

function nextSteps(report: string, bankFile: string, runsDir: string): string {
  return [
    'next:',
    `  open the report:        ${shortPath(report)}`,
    `  grade as physicians:    npx caps studio ${runsDir}`,
    `  write and review items: npx caps studio ${runsDir} -b ${bankFile}   (Items, Review rounds)`,
    `  score your own answer:  npx caps try --bank ${bankFile} --item lc-locally-advanced-001 < answer.txt`,
    '  start your own bank:    npx caps init my-eval && cd my-eval && npx caps lint questions/',
    '  ask a real endpoint:    in my-eval, uncomment a vendor in caps.config.yaml, put its key in .env, then npx caps run --plan and npx caps run',
    '',
  ].join('\n');
}

/** Relative to the working folder when inside it, else absolute. */
function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}
