/** `caps try --bank FILE --item ID [--response FILE|-]`: score one pasted answer and explain every point. */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { JuryRule } from '../schema/config.js';
import { loadBankOrThrow } from '../bank/load.js';
import { tryAnswer } from '../scorer/try-answer.js';
import { explainScore } from '../scorer/explain.js';
import { resolveRubric } from '../scorer/rubric.js';
import { judgesFromConfig, type JudgeSelection } from '../scorer/judge/from-config.js';
import { DEFAULT_CONFIG_FILE } from '../endpoints/discover-config.js';
import { announceSetup } from './setup.js';
import { examples } from './help.js';
import { UserError } from '../errors.js';

export function tryCommand(): Command {
  return new Command('try')
    .description('score one answer to one item and explain each verdict, quote and point (for rubric authors)')
    .requiredOption('-b, --bank <paths...>', 'question bank files or folders')
    .requiredOption('--item <id>', 'item id')
    .option('--variant <id>', 'distraction variant id (default: the clean item)')
    .option('--response <file>', 'file with the answer, or - for standard input', '-')
    .option('--judge <names...>', "judge endpoint name(s) for entries without a matcher (default: the config's judge:)")
    .option('--no-judge', 'matchers only, even when the config names a judge')
    .option('-c, --config <file>', `config with the judge endpoints (default: ./${DEFAULT_CONFIG_FILE} when present)`)
    .addOption(new Option('--rule <rule>', 'jury rule').choices(JuryRule.options))
    .option('--template <name-or-path>', 'judge prompt template (default caps-judge)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      examples([
        ['caps try --bank questions/ --item lc-locally-advanced-001 < answer.txt', 'score a pasted answer and explain every verdict'],
        ['caps try --bank questions/ --item lc-locally-advanced-001 --variant hopeless-patient --response a.txt --no-judge', 'a variant, matchers only'],
      ]),
    )
    .exitOverride()
    .action(async (options: { bank: string[]; item: string; variant?: string; response: string; judge?: string[] | boolean; config?: string; rule?: JuryRule; template?: string; format: string }) => {
      const answer = readAnswer(options.response);
      let selection: JudgeSelection | undefined;
      announceSetup('try', options.config, (found) => {
        selection = judgesFromConfig({ found, names: Array.isArray(options.judge) ? options.judge : undefined, none: options.judge === false });
        return [selection.origin];
      });
      const bank = await loadBankOrThrow(options.bank);
      const score = await tryAnswer({
        bank,
        item: options.item,
        variant: options.variant,
        answer,
        judges: selection!.judges,
        rule: options.rule ?? selection!.rule,
        template: options.template ?? selection!.template,
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
  try {
    return readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (err) {
    throw new UserError(`${source === '-' ? 'standard input' : source}: cannot read the answer (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
}
