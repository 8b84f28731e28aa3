/**
 * `caps import healthbench` as a library function. Streams the JSONL line by line: each row
 * becomes one item appended to the bank YAML and, when it has one, its ideal completion an
 * answer of the reference respondent in the run folder. Memory stays flat whatever the file
 * size (the 5,000-row main set is about 60 MB): only ids and offsets are kept.
 */
import { closeSync, createReadStream, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import { BankFile, DepthScale, Item, type BankFileInput, type LengthAdjustment } from '../schema/bank.js';
import { checkUtf8Line } from '../io/text.js';
import { UserError } from '../errors.js';
import { importedBankId } from './ids.js';
import { HealthBenchRow, IDEAL_RESPONDENT, healthBenchItem } from './healthbench.js';
import { RecordedAnswersWriter, type RecordedAnswersSummary } from './answers.js';
import { StreamingBankHash } from './stream-hash.js';
import { itemYaml, YAML_OPTIONS } from './write-bank.js';

export interface ImportHealthBenchOptions {
  file: string;
  /** Bank YAML to write (default questions/<bank id>.yaml). */
  out?: string;
  /** Run folder for the ideal completions (respondent "healthbench-ideal"); none = bank only, true = runs/<bank id>. */
  answers?: string | true;
  bankId?: string;
  /** Length-adjusted score setting recorded in the bank (HealthBench Professional: lambda 0.0147). */
  lengthAdjustment?: LengthAdjustment;
}

export interface ImportHealthBenchSummary {
  bankFile: string;
  bankId: string;
  bankHash: string;
  counts: { items: number; points: number; deductions: number; idealCompletions: number; axes: Record<string, number> };
  run?: RecordedAnswersSummary;
}

export async function importHealthBench(options: ImportHealthBenchOptions): Promise<ImportHealthBenchSummary> {
  const { file } = options;
  const bankId = importedBankId('healthbench', options.bankId ? [] : await promptIds(file), options.bankId, options.out);
  const out = options.out ?? `questions/${bankId}.yaml`;
  const answers = options.answers === true ? `runs/${bankId}` : options.answers;
  mkdirSync(dirname(out), { recursive: true });
  const itemsScratch = `${out}.${process.pid}.items.tmp`;
  const hash = new StreamingBankHash(`${out}.${process.pid}.hash.tmp`);
  const itemsFd = openSync(itemsScratch, 'w');
  let itemsOpen = true;
  const header = { id: bankId, version: '1', language: 'en' as const, profile: 'healthbench' as const, depthScale: DepthScale.parse({ min: 1, max: 5 }) };
  const writer = answers
    ? await RecordedAnswersWriter.open(answers, { id: bankId, version: header.version, hash: '', paths: [out], profile: header.profile }, { file, format: 'healthbench' })
    : undefined;
  const counts = { items: 0, points: 0, deductions: 0, idealCompletions: 0, axes: {} as Record<string, number> };
  const seen = new Map<string, number>();
  let canary: string | undefined;
  let bankHash = '';
  try {
    const input = createReadStream(file, { encoding: 'utf8' });
    input.on('error', () => undefined); // reported by the line reader below
    let line = 0;
    try {
      for await (const text of createInterface({ input, crlfDelay: Infinity })) {
        line++;
        if (text.trim() === '') continue;
        const where = `${file}:${line}`;
        checkUtf8Line(text, where);
        const row = parseRow(text, where);
        const first = seen.get(row.prompt_id);
        if (first !== undefined) throw new UserError(`${where}: prompt_id ${row.prompt_id} again (first on line ${first}); each example needs its own prompt_id.`);
        seen.set(row.prompt_id, line);
        canary ??= row.canary;
        const input = healthBenchItem(row);
        const parsed = Item.safeParse(input);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new UserError(`${where}: example ${row.prompt_id}: ${issue.path.join('.')}: ${issue.message}${issue.path.includes('points') ? ' (an example needs at least one positive criterion)' : ''}.`);
        }
        writeSync(itemsFd, itemYaml(input));
        hash.add(parsed.data);
        counts.items++;
        for (const c of row.rubrics) {
          if (c.points > 0) counts.points++;
          else counts.deductions++;
          for (const tag of c.tags) if (tag.startsWith('axis:')) counts.axes[tag] = (counts.axes[tag] ?? 0) + 1;
        }
        const ideal = row.ideal_completions_data?.ideal_completion;
        if (writer && ideal && ideal.trim() !== '') {
          writer.add({ respondent: IDEAL_RESPONDENT, kind: 'reference', item: row.prompt_id, messages: row.prompt, text: ideal });
          counts.idealCompletions++;
        }
      }
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
    }
    if (counts.items === 0) throw new UserError(`${file}: no examples (expected one JSON object per line with prompt_id, prompt and rubrics).`);
    closeSync(itemsFd);
    itemsOpen = false;
    const bankHeader: BankFileInput = {
      bank: bankId,
      version: header.version,
      // No file name here: it would make the bank's hash depend on what the file is called.
      title: 'HealthBench examples',
      description: `Imported from a HealthBench JSONL file.${canary ? `\nCanary string: ${canary}` : ''}`,
      language: header.language,
      profile: header.profile,
      depth_scale: { min: 1, max: 5 },
      ...(options.lengthAdjustment && { length_adjustment: options.lengthAdjustment }),
    };
    BankFile.parse(bankHeader);
    writeBank(out, bankHeader, itemsScratch, `Imported from ${file} by caps import healthbench.`);
    bankHash = hash.finish(header);
  } catch (err) {
    if (!bankHash) hash.discard();
    writer?.abandon();
    throw err;
  } finally {
    if (itemsOpen) closeSync(itemsFd);
    rmSync(itemsScratch, { force: true });
  }
  const summary: ImportHealthBenchSummary = { bankFile: out, bankId, bankHash, counts };
  if (writer) summary.run = writer.close({ hash: bankHash });
  return summary;
}

/** The prompt ids of a HealthBench file (a first streamed pass, for the bank id); bad lines are left to the import to report. */
async function promptIds(file: string): Promise<string[]> {
  const ids: string[] = [];
  const input = createReadStream(file, { encoding: 'utf8' });
  input.on('error', () => undefined); // reported by the import pass
  try {
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      try {
        const id = (JSON.parse(text) as { prompt_id?: unknown }).prompt_id;
        if (typeof id === 'string') ids.push(id);
      } catch {
        // reported by the import pass
      }
    }
  } catch {
    // an unreadable file is reported by the import pass
  }
  return ids;
}

function parseRow(text: string, where: string): HealthBenchRow {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${where}: not valid JSON (${(err as Error).message}); each line is one HealthBench example.`);
  }
  const parsed = HealthBenchRow.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${where}: ${issue.path.join('.') || 'row'}: ${issue.message}.`);
  }
  return parsed.data;
}

/** Header, then the streamed items, into the bank file (atomic rename). */
function writeBank(out: string, header: BankFileInput, itemsScratch: string, comment: string): void {
  const temp = `${out}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, `# ${comment}\n${stringify(header, YAML_OPTIONS)}items:\n`);
    const source = openSync(itemsScratch, 'r');
    const buffer = Buffer.alloc(1 << 20);
    try {
      for (let n = readSync(source, buffer); n > 0; n = readSync(source, buffer)) writeSync(fd, buffer, 0, n);
    } finally {
      closeSync(source);
    }
  } finally {
    closeSync(fd);
  }
  renameSync(temp, out);
}
