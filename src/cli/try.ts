/** `caps try --bank FILE --item ID [--response FILE|-]`: score one pasted answer and explain every point. */
import { readUtf8File } from '../io/text.js';
import { Command, Option } from 'commander';
import { JuryRule } from '../schema/config.js';
import { loadBankOrThrow } from '../bank/load.js';
import { tryAnswer } from '../scorer/try-answer.js';
import { explainScore } from '../scorer/explain.js';
import { resolveRubric } from '../scorer/rubric.js';
import { judgeClients, judgesFromConfig, type JudgeSelection } from '../scorer/judge/from-config.js';
import { DEFAULT_CONFIG_FILE } from '../endpoints/discover-config.js';
import { announceSetup } from './setup.js';
import { examples } from './help.js';
import { UserError } from '../errors.js';
import { RunFolder } from '../io/run-folder.js';
import { bankForRun } from './score.js';

export function tryCommand(): Command {
  return new Command('try')
    .description('score one answer to one item and explain each verdict, quote and point (for rubric authors); or explain a scored answer of a run (--run, --key)')
    .option('-b, --bank <paths...>', 'question bank files or folders (default with --run: the bank recorded in the run)')
    .option('--item <id>', 'item id')
    .option('--run <run-dir>', 'explain the current score of an answer of this run folder (with --key)')
    .option('--key <key>', 'answer key, as in responses.jsonl and verdicts.csv')
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
    .action(async (options: { bank?: string[]; item?: string; run?: string; key?: string; variant?: string; response: string; judge?: string[] | boolean; config?: string; rule?: JuryRule; template?: string; format: string }) => {
      if (options.run || options.key) {
        if (!options.run || !options.key) throw new UserError('give both --run RUN_DIR and --key KEY to explain a scored answer.');
        await explainStored(options.run, options.key, options.bank, options.format);
        return;
      }
      if (!options.bank || !options.item) throw new UserError('give --bank PATH and --item ID (or --run RUN_DIR --key KEY to explain a scored answer).');
      const answer = readAnswer(options.response);
      let selection: JudgeSelection | undefined;
      announceSetup('try', options.config, (found) => {
        selection = judgesFromConfig({ found, names: Array.isArray(options.judge) ? options.judge : undefined, none: options.judge === false });
        return [selection.origin];
      });
      const judges = await judgeClients(selection!);
      const bank = await loadBankOrThrow(options.bank);
      const score = await tryAnswer({
        bank,
        item: options.item,
        variant: options.variant,
        answer,
        judges,
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

/** The latest score of one answer of a run, explained (who decided each entry, with the provenance of labels and grades). */
async function explainStored(runDir: string, key: string, paths: string[] | undefined, format: string): Promise<void> {
  const bank = await bankForRun(runDir, paths);
  const score = (await new RunFolder(runDir).latestScores()).get(key);
  if (!score) throw new UserError(`${runDir}: no score for answer "${key}"; run caps score ${runDir} first, and check the key against verdicts.csv.`);
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(score, null, 2)}\n`);
    return;
  }
  const item = bank.items.find((i) => i.id === score.item);
  if (!item) throw new UserError(`${runDir}: item "${score.item}" of answer "${key}" is not in bank "${bank.id}".`);
  process.stdout.write(explainScore(score, resolveRubric(item, score.variant)));
}

function readAnswer(source: string): string {
  if (source === '-' && process.stdin.isTTY) {
    throw new UserError('paste the answer through standard input (e.g. caps try ... < answer.txt) or pass --response FILE.');
  }
  return source === '-' ? readUtf8File(0, 'standard input') : readUtf8File(source);
}
