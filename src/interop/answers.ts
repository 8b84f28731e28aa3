/**
 * Recorded answers that arrive with a bank (the GAPS answer columns, HealthBench ideal
 * completions) into a run folder, so they are scored and reported without asking any model.
 * Re-importing is idempotent: an answer already in the folder with the same text is not
 * appended again; a changed one is appended and supersedes the earlier line.
 */
import { basename } from 'node:path';
import type { ChatMessage } from '../schema/bank.js';
import { CLEAN } from '../schema/shared.js';
import type { Manifest, RespondentKind, ResponseRecord } from '../schema/run.js';
import { noteImport, openImportRun, type RunFolder } from '../io/run-folder.js';
import type { JsonlAppender } from '../io/jsonl.js';
import { sha256 } from '../io/hash.js';
import { UserError } from '../errors.js';
import { answerKey } from '../runner/plan.js';

export interface RecordedAnswer {
  respondent: string;
  kind: RespondentKind;
  model?: string;
  item: string;
  messages: ChatMessage[];
  text: string;
}

export interface RecordedAnswersSummary {
  runDir: string;
  created: boolean;
  imported: number;
  unchanged: number;
  respondents: string[];
}

/** An open run folder receiving recorded answers; `close` writes the manifest. */
export class RecordedAnswersWriter {
  private imported = 0;
  private unchanged = 0;
  private readonly respondents = new Map<string, RespondentKind>();

  private constructor(
    private readonly folder: RunFolder,
    private readonly manifest: Manifest,
    private readonly created: boolean,
    /** sha256 of the latest text already in the folder, by response key (new keys are added as they are written). */
    private readonly existing: Map<string, string>,
    private readonly appender: JsonlAppender,
    private readonly source: { file: string; format: string },
  ) {}

  static async open(out: string, bank: Manifest['bank'], source: { file: string; format: string }): Promise<RecordedAnswersWriter> {
    const { folder, manifest, created } = openImportRun(out, bank);
    manifest.bank = bank;
    const existing = new Map<string, string>();
    for await (const record of folder.responses()) existing.set(record.key, record.text === null ? '' : sha256(record.text));
    return new RecordedAnswersWriter(folder, manifest, created, existing, folder.responseAppender(), source);
  }

  /** Appends one answer unless the same text is already recorded; returns whether it was appended. */
  add(answer: RecordedAnswer): boolean {
    const key = answerKey({ respondent: answer.respondent, item: answer.item, variant: CLEAN, turn: 0, sample: 0 });
    const known = this.respondents.get(answer.respondent) ?? this.manifest.respondents.find((r) => r.name === answer.respondent)?.kind;
    if (known !== undefined && known !== answer.kind) {
      throw new UserError(`${this.folder.dir}: "${answer.respondent}" already names a ${known} respondent in this run; import into another folder.`);
    }
    this.respondents.set(answer.respondent, answer.kind);
    if (this.existing.get(key) === sha256(answer.text)) {
      this.unchanged++;
      return false;
    }
    const record: ResponseRecord = {
      key,
      respondent: answer.respondent,
      respondent_kind: answer.kind,
      ...(answer.model !== undefined && { model: answer.model }),
      item: answer.item,
      variant: CLEAN,
      turn: 0,
      sample: 0,
      messages: answer.messages,
      text: answer.text,
      attempts: 0,
      error: null,
    };
    this.appender.append(record);
    this.existing.set(key, sha256(answer.text));
    this.imported++;
    return true;
  }

  /** Stops after a failed import: what was appended stays (a re-import skips it), no manifest is written. */
  abandon(): void {
    this.appender.close();
  }

  /** Writes the manifest; `bank` completes the bank reference when it was known only at the end (a streamed import). */
  close(bank?: Partial<Manifest['bank']>): RecordedAnswersSummary {
    this.appender.close();
    if (bank) this.manifest.bank = { ...this.manifest.bank, ...bank };
    noteImport(
      this.manifest,
      { file: basename(this.source.file), format: this.source.format, answers: this.imported + this.unchanged },
      [...this.respondents].map(([name, kind]) => ({ name, kind })),
    );
    this.manifest.counts = { ...this.manifest.counts, done: this.existing.size };
    this.manifest.finished_at = new Date().toISOString();
    this.folder.writeManifest(this.manifest);
    return { runDir: this.folder.dir, created: this.created, imported: this.imported, unchanged: this.unchanged, respondents: [...this.respondents.keys()] };
  }
}
