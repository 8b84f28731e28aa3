/** `caps import gaps` as a library function: the bank YAML, then the recorded answers as a run folder. */
import { loadBankOrThrow } from '../bank/load.js';
import { itemQuestion } from '../scorer/question.js';
import { readGaps, type GapsLayout, type ReadGapsOptions } from './gaps.js';
import { RecordedAnswersWriter, type RecordedAnswersSummary } from './answers.js';
import { writeBankYaml } from './write-bank.js';

export interface ImportGapsOptions extends ReadGapsOptions {
  file: string;
  /** Bank YAML to write (default questions/<bank id>.yaml). */
  out?: string;
  /** Run folder for the recorded answers (GAPS layout; a file without answer columns writes none); none = bank only, true = runs/<bank id>. */
  answers?: string | true;
}

export interface ImportCounts {
  items: number;
  points: number;
  deductions: number;
  /** S4 deductions: plain -4 under the gaps profile, vetoes in the caps view. */
  vetoCandidates: number;
  byLevel: Record<string, number>;
}

export interface ImportGapsSummary {
  layout: GapsLayout;
  bankFile: string;
  bankId: string;
  counts: ImportCounts;
  respondents: string[];
  run?: RecordedAnswersSummary;
  warnings: string[];
}

export async function importGaps(options: ImportGapsOptions): Promise<ImportGapsSummary> {
  const read = await readGaps(options.file, options);
  const out = options.out ?? `questions/${read.bank.bank}.yaml`;
  const answers = options.answers === true ? `runs/${read.bank.bank}` : options.answers;
  writeBankYaml(out, read.bank, `Imported from ${options.file} by caps import gaps (${read.layout} layout).\nRe-importing the same file gives the same ids; edits here are kept only if you stop re-importing.`);
  const bank = await loadBankOrThrow([out]);
  const byLevel: Record<string, number> = {};
  let points = 0;
  let deductions = 0;
  let vetoCandidates = 0;
  for (const item of bank.items) {
    for (const p of item.rubric.points) {
      points++;
      if (p.level) byLevel[p.level] = (byLevel[p.level] ?? 0) + 1;
    }
    for (const d of item.rubric.deductions) {
      deductions++;
      if (d.severity) byLevel[d.severity] = (byLevel[d.severity] ?? 0) + 1;
      if (d.veto) vetoCandidates++;
    }
  }
  const summary: ImportGapsSummary = {
    layout: read.layout,
    bankFile: out,
    bankId: bank.id,
    counts: { items: bank.items.length, points, deductions, vetoCandidates, byLevel },
    respondents: read.respondents,
    warnings: read.warnings,
  };
  if (answers && read.answers.length > 0) {
    const items = new Map(bank.items.map((i) => [i.id, i]));
    const writer = await RecordedAnswersWriter.open(
      answers,
      { id: bank.id, version: bank.version, hash: bank.hash, paths: bank.files, profile: bank.profile },
      { file: options.file, format: read.layout },
    );
    for (const answer of read.answers) {
      const item = items.get(answer.item)!;
      writer.add({ respondent: answer.respondent, kind: 'model', model: answer.respondent, item: item.id, messages: itemQuestion(bank, item), text: answer.text });
    }
    summary.run = writer.close();
  }
  return summary;
}
