/** `caps merge RUN_DIR... --out DIR`: join shard folders of one run. */
import { Command } from 'commander';
import { mergeRuns } from '../runner/merge.js';
import { RunIncompleteError } from '../errors.js';
import { examples } from './help.js';

export function mergeCommand(): Command {
  return new Command('merge')
    .description('join run folders of the same bank (e.g. --shard outputs) into one, each answer once')
    .argument('<runs...>', 'run folders to join')
    .requiredOption('-o, --out <dir>', 'new run folder to write')
    .addHelpText(
      'after',
      examples([
        ['caps merge runs/shard-1 runs/shard-2 -o runs/all', 'join the shards of one run'],
      ]),
    )
    .exitOverride()
    .action(async (dirs: string[], options: { out: string }) => {
      const summary = await mergeRuns({ dirs, out: options.out });
      process.stderr.write(
        `caps merge: ${summary.answers} answers (${summary.errors} errors), ${summary.scores} scores, ${summary.duplicates} duplicate records dropped; ${summary.status}\n`,
      );
      if (summary.scorers.length > 1) {
        process.stderr.write(
          `caps merge: note: the scores copied were made ${summary.scorers.length} different ways (${summary.scorers.join('; ')}); run caps score on ${summary.dir} to score every answer alike before reporting\n`,
        );
      }
      process.stdout.write(`${summary.dir}\n`);
      if (summary.missingShards.length > 0) {
        const shards = summary.missingShards;
        throw new RunIncompleteError(
          `shard${shards.length === 1 ? '' : 's'} ${shards.join(', ')} ${shards.length === 1 ? 'is' : 'are'} in none of the folders merged, so ${summary.dir} lacks ${shards.length === 1 ? 'its' : 'their'} answers and is marked incomplete. ` +
            `Run the missing shard${shards.length === 1 ? '' : 's'} (caps run --shard i/n with the same selection) if needed, then merge all the folders again into a new folder.`,
        );
      }
    });
}
