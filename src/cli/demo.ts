/** `caps demo [--out DIR]`: the whole evaluation offline, ending with the report's path. */
import { dirname, join, relative } from 'node:path';
import { Command } from 'commander';
import { createProgressReporter, progressMode } from '../runner/progress.js';

export function demoCommand(): Command {
  return new Command('demo')
    .description('run the whole evaluation offline: simulated vendors and doctors on the demo bank, scored and reported')
    .option('-o, --out <dir>', 'folder for the demo run and report', 'caps-demo')
    .option('--quiet', 'print only the report path')
    .action(async (opts: { out: string; quiet?: boolean }) => {
      const started = Date.now();
      const log = opts.quiet ? undefined : (line: string) => process.stderr.write(`caps demo: ${line}\n`);
      const progress = opts.quiet
        ? undefined
        : createProgressReporter({ stream: process.stderr, live: progressMode(process.stderr, process.env, false) === 'live' });
      const { runDemo } = await import('../demo/demo.js');
      const demo = await runDemo({ out: opts.out, log, progress });
      const html = demo.files.find((f) => f.endsWith('.html'));
      log?.(`done in ${((Date.now() - started) / 1000).toFixed(1)} s; report files: ${demo.files.length}`);
      log?.(`grade the answers as physicians: npx caps studio ${join(opts.out, 'runs')}`);
      log?.(`write and review the demo bank's items (Items, Review rounds): npx caps studio ${join(opts.out, 'runs')} --bank ${relative(process.cwd(), demo.bank.files[0] ? dirname(demo.bank.files[0]) : '.') || '.'}`);
      process.stdout.write(`${html ?? demo.reportDir}\n`);
    });
}
