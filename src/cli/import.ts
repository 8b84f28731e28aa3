/** `caps import gaps|healthbench FILE [--out BANK.yaml] [--answers RUN_DIR]`: banks and recorded answers from public formats. */
import { Command } from 'commander';
import { importGaps } from '../interop/import-gaps.js';
import { importHealthBench } from '../interop/import-healthbench.js';
import type { RecordedAnswersSummary } from '../interop/answers.js';
import { examples } from './help.js';
import { parseLengthLambda } from '../interop/healthbench.js';
import type { LengthAdjustment } from '../schema/bank.js';

function runLine(run: RecordedAnswersSummary | undefined): string[] {
  if (!run) return [];
  return [
    `${run.created ? 'created' : 'updated'} ${run.runDir}: ${run.imported} answers by ${run.respondents.join(', ')} imported${run.unchanged > 0 ? `, ${run.unchanged} unchanged` : ''}`,
    `next: caps score ${run.runDir} --judge NAME, then caps report ${run.runDir}`,
  ];
}

function gapsCommand(): Command {
  return new Command('gaps')
    .description('a GAPS spreadsheet (index, question, 分类, rubrics, <model>_answer...; or the community layout) as a bank with the gaps profile')
    .argument('<file>', 'GAPS .xlsx file')
    .option('-o, --out <bank.yaml>', 'bank file to write (default questions/<bank id>.yaml)')
    .option('--answers <run-dir>', 'run folder for the recorded answer columns (default runs/<bank id>)')
    .option('--bank-id <id>', "bank id (default: the id of the bank already at --out, else gaps-<hash of the item ids>; never the file's name)")
    .option('--topic <topic>', 'topic of every item of the GAPS layout, which has no topic column', 'general')
    .option('--sheet <name>', 'sheet to read (default the first)')
    .addHelpText(
      'after',
      examples([
        ['caps import gaps GAPS-NSCLC.xlsx', 'bank in questions/, recorded answers in runs/'],
        ['caps import gaps bank.xlsx -o questions/gaps.yaml --topic oncology', 'one topic for every item'],
      ]),
    )
    .exitOverride()
    .action(async (file: string, options: { out?: string; answers?: string; bankId?: string; topic: string; sheet?: string }) => {
      const summary = await importGaps({
        file,
        out: options.out,
        answers: options.answers ?? true,
        bankId: options.bankId,
        topic: options.topic,
        sheet: options.sheet,
      });
      for (const warning of summary.warnings) process.stderr.write(`caps: note: ${warning}\n`);
      const { counts } = summary;
      const levels = Object.entries(counts.byLevel)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([level, n]) => `${level} ${n}`)
        .join(', ');
      process.stdout.write(
        [
          `wrote ${summary.bankFile} (${summary.layout} layout, bank ${summary.bankId}): ${counts.items} items, ${counts.points} points, ${counts.deductions} deductions (${levels}); ${counts.vetoCandidates} S4 veto candidates`,
          ...runLine(summary.run),
        ].join('\n') + '\n',
      );
    });
}

function healthBenchCommand(): Command {
  return new Command('healthbench')
    .description('a HealthBench JSONL file as a bank with the healthbench profile; ideal completions as a reference respondent')
    .argument('<file>', 'HealthBench .jsonl file')
    .option('-o, --out <bank.yaml>', 'bank file to write (default questions/<bank id>.yaml)')
    .option('--answers <run-dir>', 'run folder for the ideal completions (default runs/<bank id>)')
    .option('--bank-id <id>', "bank id (default: the id of the bank already at --out, else healthbench-<hash of the prompt ids>; never the file's name)")
    .option('--length-lambda <lambda>', 'record a length-adjusted score in the bank: lambda per 500 characters beyond 2,000, or professional (HealthBench Professional, its published 0.0147)', parseLengthLambda)
    .addHelpText(
      'after',
      examples([
        ['caps import healthbench hard_2025.jsonl', 'bank in questions/, ideal completions in runs/'],
      ]),
    )
    .exitOverride()
    .action(async (file: string, options: { out?: string; answers?: string; bankId?: string; lengthLambda?: LengthAdjustment }) => {
      const summary = await importHealthBench({ file, out: options.out, answers: options.answers ?? true, bankId: options.bankId, lengthAdjustment: options.lengthLambda });
      const { counts } = summary;
      const axes = Object.entries(counts.axes)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([axis, n]) => `${axis.slice('axis:'.length)} ${n}`)
        .join(', ');
      process.stdout.write(
        [`wrote ${summary.bankFile} (bank ${summary.bankId}): ${counts.items} examples, ${counts.points} positive and ${counts.deductions} negative criteria (${axes}); ${counts.idealCompletions} ideal completions`, ...runLine(summary.run)].join('\n') + '\n',
      );
    });
}

export function importCommand(): Command {
  return new Command('import')
    .description('import a bank (and recorded answers) from GAPS or HealthBench')
    .addCommand(gapsCommand())
    .addCommand(healthBenchCommand())
    .addHelpText('after', examples([['caps import gaps GAPS-NSCLC.xlsx', 'a GAPS spreadsheet'], ['caps import healthbench hard_2025.jsonl', 'HealthBench JSONL']]))
    .exitOverride();
}
