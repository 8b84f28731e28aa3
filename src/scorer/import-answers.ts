/**
 * Human answers (doctors) into a run folder, as `respondent_kind: 'human'` response records
 * carrying the messages the doctor answered, so they are scored exactly like a model.
 * Input: CSV (`item,variant,turn,text`; variant and turn optional) or YAML (a list of
 * `{item, variant?, turn?, text}`). Appends to an existing run folder or creates one.
 * Every valid line is imported; a bad line is refused with its reason (and a later turn whose
 * earlier turn was refused with it) and changes nothing.
 */
import { basename } from 'node:path';
import { type Item } from '../schema/bank.js';
import { CLEAN } from '../schema/shared.js';
import type { ResponseRecord } from '../schema/run.js';
import { bankRef, type Bank } from '../bank/bank.js';
import { noteImport, openImportRun } from '../io/run-folder.js';
import { readTable, type RefusedLine } from '../io/table.js';
import { UserError } from '../errors.js';
import { answerKey } from '../runner/plan.js';
import { itemQuestion } from './question.js';

export interface ImportAnswersOptions {
  file: string;
  respondent: string;
  bank: Bank;
  /** Run folder to append to or create. */
  out: string;
}

export interface ImportAnswersSummary {
  runDir: string;
  created: boolean;
  /** Answers written (an answer already in the folder with the same text is not written again). */
  imported: number;
  unchanged: number;
  warnings: string[];
  /** Lines not imported, with the reason. */
  refused: RefusedLine[];
}

export async function importAnswers(options: ImportAnswersOptions): Promise<ImportAnswersSummary> {
  const { answers, refused } = readAnswers(options.file, options.bank);
  return writeHumanAnswers({ ...options, answers, refused, source: { file: basename(options.file) } });
}

export interface HumanAnswer {
  line?: number;
  item: Item;
  variant: string;
  turn: number;
  text: string;
}

/**
 * Writes a doctor's answers into a run folder (from a sheet, or typed in caps studio).
 * A later turn's messages carry the doctor's earlier turns, taken from the same batch or
 * from the answers already in the folder.
 */
export async function writeHumanAnswers(options: {
  bank: Bank;
  respondent: string;
  out: string;
  answers: HumanAnswer[];
  /** Lines of the source already refused (reported with the summary). */
  refused?: RefusedLine[];
  source: Record<string, unknown>;
}): Promise<ImportAnswersSummary> {
  const { bank, respondent, answers } = options;
  if (respondent.trim() === '') throw new UserError('--respondent needs a name (it labels this doctor in every report).');
  const refused = options.refused ?? [];
  const warnings: string[] = [];
  if (answers.length === 0) return { runDir: options.out, created: false, imported: 0, unchanged: 0, warnings, refused };
  const { folder, manifest, created } = openImportRun(options.out, bankRef(bank));
  if (!created && manifest.bank.hash !== bank.hash) {
    warnings.push(`${options.out}: the run was made with another version of bank "${bank.id}" (hash differs); the answers are scored against the bank you give to caps score.`);
  }
  const now = new Date().toISOString();
  if (manifest.respondents.some((r) => r.name === respondent && r.kind !== 'human')) {
    throw new UserError(`${options.out}: "${respondent}" already names a ${manifest.respondents.find((r) => r.name === respondent)!.kind} respondent in this run; choose another --respondent.`);
  }

  const existing = await folder.latestResponses();
  const keyOf = (item: string, variant: string, turn: number) => answerKey({ respondent, item, variant, turn, sample: 0 });
  const byTurn = new Map(answers.map((a) => [keyOf(a.item.id, a.variant, a.turn), a.text]));
  const earlierText = (item: string, variant: string, turn: number): string => {
    const text = byTurn.get(keyOf(item, variant, turn)) ?? existing.get(keyOf(item, variant, turn))?.text;
    if (text === undefined || text === null) throw new UserError(`turn ${turn + 1} of item "${item}" variant "${variant}" needs the answer to turn ${turn} first (the dialogue builds on it).`);
    return text;
  };
  const appender = folder.responseAppender();
  let imported = 0;
  let unchanged = 0;
  try {
    for (const answer of answers) {
      const key = keyOf(answer.item.id, answer.variant, answer.turn);
      const record: ResponseRecord = {
        key,
        respondent,
        respondent_kind: 'human',
        item: answer.item.id,
        variant: answer.variant,
        turn: answer.turn,
        sample: 0,
        messages: itemQuestion(
          bank,
          answer.item,
          answer.variant,
          Array.from({ length: answer.turn }, (_, turn) => earlierText(answer.item.id, answer.variant, turn)),
        ),
        text: answer.text,
        attempts: 1,
        error: null,
        finished_at: now,
      };
      const previous = existing.get(key);
      if (previous && previous.text === record.text && previous.respondent_kind === 'human') {
        unchanged++;
        continue;
      }
      appender.append(record);
      imported++;
    }
  } finally {
    appender.close();
  }

  noteImport(manifest, { ...options.source, respondent, answers: answers.length }, [{ name: respondent, kind: 'human' }]);
  folder.writeManifest(manifest);
  return { runDir: options.out, created, imported, unchanged, warnings, refused };
}

function readAnswers(file: string, bank: Bank): { answers: HumanAnswer[]; refused: RefusedLine[] } {
  const items = new Map(bank.items.map((i) => [i.id, i]));
  const refused: RefusedLine[] = [];
  const refuse = (line: number, reason: string) => refused.push({ where: `${file}:${line}`, reason });
  const rows = readTable(file, { required: ['item', 'text'], optional: ['variant', 'turn'], onBadRow: refuse });
  const seen = new Map<string, number>();
  const read: HumanAnswer[] = [];
  for (const { line, values } of rows) {
    const item = items.get(values.item.trim());
    if (!item) {
      refuse(line, `unknown item "${values.item}" (not in bank "${bank.id}"); check the id against the bank`);
      continue;
    }
    const variant = values.variant?.trim() || CLEAN;
    const spec = item.variants.find((v) => v.id === variant);
    if (variant !== CLEAN && !spec) {
      refuse(line, `item "${item.id}" has no variant "${variant}" (it has ${[CLEAN, ...item.variants.map((v) => v.id)].join(', ')})`);
      continue;
    }
    const turnText = values.turn?.trim() || '0';
    const turn = Number(turnText);
    const lastTurn = spec?.turns?.length ?? 0;
    if (!/^\d+$/.test(turnText) || turn > lastTurn) {
      refuse(line, `turn "${turnText}" of item "${item.id}" variant "${variant}" must be a whole number from 0 to ${lastTurn}`);
      continue;
    }
    const text = values.text;
    if (text.trim() === '') {
      refuse(line, `empty answer text for item "${item.id}"; leave the row out if the doctor did not answer`);
      continue;
    }
    const id = `${item.id}|${variant}|${turn}`;
    if (seen.has(id)) {
      refuse(line, `a second answer to item "${item.id}" variant "${variant}" turn ${turn} (first on line ${seen.get(id)})`);
      continue;
    }
    seen.set(id, line);
    read.push({ line, item, variant, turn, text });
  }
  // A later turn builds on the earlier ones: without them (absent or refused) it is refused too.
  const answers = [...read].sort((a, b) => a.turn - b.turn).filter((answer) => {
    for (let earlier = 0; earlier < answer.turn; earlier++) {
      if (!seen.has(`${answer.item.id}|${answer.variant}|${earlier}`) || refused.some((r) => r.where === `${file}:${seen.get(`${answer.item.id}|${answer.variant}|${earlier}`)}`)) {
        refuse(answer.line ?? 0, `turn ${answer.turn} of item "${answer.item.id}" variant "${answer.variant}" needs the answer to turn ${earlier} too (the dialogue builds on it)`);
        return false;
      }
    }
    return true;
  });
  refused.sort((a, b) => Number(a.where.slice(a.where.lastIndexOf(':') + 1)) - Number(b.where.slice(b.where.lastIndexOf(':') + 1)));
  return { answers, refused };
}
