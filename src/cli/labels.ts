/** `caps labels export --out FILE [--db FILE]`: physicians' labels from the studio as a versioned JSONL or CSV file. */
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import { examples } from './help.js';

export function labelsCommand(): Command {
  const exportLabelsCommand = new Command('export')
    .description('write every label in force (grades, calibration references, adjudications) for caps calibrate and caps import-verdicts')
    .requiredOption('-o, --out <file>', 'labels file to write (.jsonl or .csv)')
    .option('--db <file>', 'studio database', 'studio.db')
    .option('-b, --bank <paths...>', "question bank files or folders (default: the bank in the runs' manifests)")
    .addHelpText(
      'after',
      examples([
        ['caps labels export -o labels.jsonl --db caps-demo/runs/studio.db', 'labels for caps calibrate'],
        ['caps labels export -o labels.csv --db caps-demo/runs/studio.db', 'the same as a sheet'],
      ]),
    )
    .exitOverride()
    .action(async (options: { out: string; db: string; bank?: string[] }) => {
      if (!existsSync(options.db)) throw new UserError(`${options.db}: no studio database here; pass --db FILE (caps studio prints where it keeps it).`);
      const { openStudioContext } = await import('../studio/server.js');
      const { exportLabels } = await import('../studio/labels-export.js');
      const ctx = await openStudioContext({ runDirs: [], bankPaths: options.bank, db: options.db });
      try {
        const { file, labels } = exportLabels(ctx.store, ctx.corpus, options.out);
        process.stdout.write(`wrote ${file}: ${labels} labels\nnext: caps calibrate --labels ${options.out} (judge vs physicians), or caps import-verdicts ${options.out} --run RUN_DIR\n`);
      } finally {
        ctx.store.db.close();
      }
    });
  return new Command('labels')
    .description("physicians' labels made in caps studio")
    .addCommand(exportLabelsCommand)
    .addHelpText('after', examples([['caps labels export -o labels.jsonl --db caps-demo/runs/studio.db', 'every label in force, for caps calibrate']]))
    .exitOverride();
}
