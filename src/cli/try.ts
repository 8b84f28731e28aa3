/** `caps try --bank FILE --item ID [--response FILE|-]`: score one pasted answer and explain every point. */
import { readUtf8File } from '../io/text.js';
import { Command, Option } from 'commander';
import { JuryRule } from '../schema/config.js';
import { loadBankOrThrow } from '../bank/load.js';
import { tryAnswer } from '../scorer/try-answer.js';
import { explainScore } from '../scorer/explain.js';
import { resolveRubric } from '../scorer/rubric.js';
import { judgesFromConfig } from '../scorer/judge/from-config.js';
import { UserError } from '../errors.js';

export function tryCommand(): Command {
  return new Command('try')
    .description('score one answer to one item and explain each verdict, quote and point (for rubric authors)')
    .requiredOption('--bank <paths...>', 'question bank files or folders')
    .requiredOption('--item <id>', 'item id')
    .option('--variant <id>', 'distraction variant id (default: the clean item)')
    .option('--response <file>', 'file with the answer, or - for standard input', '-')
    .option('--judge <names...>', 'judge endpoint name(s) from the config for entries without a matcher')
    .option('--config <file>', 'caps.config.yaml with the judge endpoints')
    .addOption(new Option('--rule <rule>', 'jury rule').choices(JuryRule.options))
    .option('--template <name-or-path>', 'judge prompt template (default caps-judge)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .exitOverride()
    .action(async (options: { bank: string[]; item: string; variant?: string; response: string; judge?: string[]; config?: string; rule?: JuryRule; template?: string; format: string }) => {
      const answer = readAnswer(options.response);
      const bank = await loadBankOrThrow(options.bank);
      const selection = options.judge || options.config ? judgesFromConfig({ names: options.judge, configPath: options.config }) : { judges: [] };
      const score = await tryAnswer({
        bank,
        item: options.item,
        variant: options.variant,
        answer,
        judges: selection.judges,
        rule: options.rule ?? selection.rule,
        template: options.template ?? selection.template,
      });
      if (options.format === 'json') {
        process.stdout.write(`${JSON.stringify(score, null, 2)}\n`);
        return;
      }
      const item = bank.items.find((i) => i.id === score.item)!;
      process.stdout.write(explainScore(score, resolveRubric(item, score.variant)));
    });
}

function readAnswer(source: string): string {
  if (source === '-' && process.stdin.isTTY) {
    throw new UserError('paste the answer through standard input (e.g. caps try ... < answer.txt) or pass --response FILE.');
  }
  return source === '-' ? readUtf8File(0, 'standard input') : readUtf8File(source);
}
