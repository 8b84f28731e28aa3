/**
 * `caps draft --bank DIR [--topic T] [--depth N] --count K [--model ENDPOINT] [--config FILE]`:
 * a model drafts items into the bank as drafts for review.
 */
import { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../endpoints/discover-config.js';
import { announceSetup } from './setup.js';
import { createEndpointClient } from '../endpoints/client.js';
import { draftEndpoint } from '../draft/endpoint.js';
import { DEFAULT_DRAFT_ATTEMPTS, draftItems, formatDraftOutcome } from '../draft/draft.js';
import { RunIncompleteError, UserError } from '../errors.js';
import { examples } from './help.js';

const whole = (name: string, min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UserError(`${name} needs a whole number of at least ${min}, not "${value}"`);
  return n;
};

export function draftCommand(): Command {
  return new Command('draft')
    .description('ask a model to draft items with their rubric for topic x depth cells (default: the empty cells of the coverage); drafts are linted and written with status draft, for review')
    .option('-b, --bank <paths...>', 'bank files or folders', ['questions'])
    .option('--topic <topic>', 'draft for this topic only')
    .option('--depth <N>', 'draft at this depth only', whole('--depth', 0))
    .option('--count <K>', 'items to draft', whole('--count', 1), 1)
    .option('-m, --model <endpoint>', 'endpoint name from the config (default: its first endpoint)')
    .option('-c, --config <file>', `config with the drafting endpoint (default: ./${DEFAULT_CONFIG_FILE})`)
    .option('--attempts <N>', `attempts per draft before it is given up (default ${DEFAULT_DRAFT_ATTEMPTS})`, whole('--attempts', 1))
    .addHelpText(
      'after',
      examples([
        ['caps draft --count 3', 'three drafts for empty topic x depth cells, by the first endpoint of ./caps.config.yaml'],
        ['caps draft --topic staging --depth 3 -m deepseek-chat', 'one cell, one model'],
      ]),
    )
    .exitOverride()
    .action(async (options: { bank: string[]; topic?: string; depth?: number; count: number; model?: string; config?: string; attempts?: number }) => {
      const found = announceSetup('draft', options.config, (f) => [`drafting endpoint ${options.model ?? f.config?.endpoints[0]?.name ?? 'none'}`]);
      if (!found.config) throw new UserError(`no config: pass --config FILE with the drafting endpoint or create ./${DEFAULT_CONFIG_FILE} (caps init).`);
      const config = found.config;
      const endpoint = draftEndpoint(config, found.path!, options.model);
      const outcomes = await draftItems({
        bank: options.bank,
        client: createEndpointClient(endpoint),
        topic: options.topic,
        depth: options.depth,
        count: options.count,
        attempts: options.attempts,
        onAttempt: ({ id, attempt, problem }) => {
          if (problem) process.stderr.write(`caps draft: ${id} attempt ${attempt} rejected: ${problem}\n`);
        },
      });
      for (const outcome of outcomes) process.stdout.write(`${formatDraftOutcome(outcome)}\n`);
      const failed = outcomes.filter((o) => !o.landed).length;
      if (failed > 0) {
        throw new RunIncompleteError(`${failed} of ${outcomes.length} draft(s) failed after their attempts and were not written; run the command again or try another model`);
      }
      process.stdout.write(`${outcomes.length} draft(s) written with status draft; review them with caps review open\n`);
    });
}
