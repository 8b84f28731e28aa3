/**
 * `caps draft` as a library function: ask a model to draft items for topic x depth cells,
 * check each reply (JSON, the bank's item schema, a rubric with points, then the same lint as
 * `caps lint`), retry with the reason up to a cap, and write the drafts that pass into the
 * bank with `status: draft` and `source: drafted by <model>`. A draft that fails never lands,
 * and nothing drafted is admitted here: drafts go to review.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { Bank } from '../bank/bank.js';
import { formatDiagnostic, type Diagnostic } from '../bank/diagnostic.js';
import { loadBankOrThrow } from '../bank/load.js';
import { readSnapshot, saveItem, type FileSnapshot, type ItemData } from '../bank/write-back.js';
import type { EndpointClient } from '../endpoints/client.js';
import { DRAFTED_BY } from '../bank/status.js';
import { Item } from '../schema/bank.js';
import { extractFirstJsonObject } from '../scorer/judge/output.js';
import { draftCells, nextItemId, type DraftCell } from './cells.js';
import { DRAFT_RESPONSE_FORMAT, draftMessages, type DraftRequestCell } from './prompt.js';

export const DEFAULT_DRAFT_ATTEMPTS = 3;

export interface DraftOptions {
  bank: readonly string[];
  client: EndpointClient;
  topic?: string;
  depth?: number;
  count: number;
  /** Attempts per draft before it is given up (default 3). */
  attempts?: number;
  /** Told about every attempt, for a progress line. */
  onAttempt?: (event: { cell: DraftCell; id: string; attempt: number; problem: string | null }) => void;
}

export interface DraftOutcome {
  cell: DraftCell;
  id: string;
  landed: boolean;
  /** The file the draft was written to (when it landed). */
  file?: string;
  attempts: number;
  /** Why each rejected attempt was rejected. */
  problems: string[];
  /** Lint warnings of the draft that landed. */
  warnings: Diagnostic[];
}

export async function draftItems(options: DraftOptions): Promise<DraftOutcome[]> {
  const cap = options.attempts ?? DEFAULT_DRAFT_ATTEMPTS;
  const bank = await loadBankOrThrow(options.bank);
  const cells = draftCells(bank, { topic: options.topic, depth: options.depth, count: options.count });
  const outcomes: DraftOutcome[] = [];
  // Ids given to earlier drafts of this call (the bank as loaded does not hold them).
  const taken = new Set<string>();
  for (const cell of cells) {
    const id = nextItemId(bank, cell.topic, taken);
    taken.add(id);
    outcomes.push(await draftOne(options, bank, { ...cell, id, language: bank.language }, cap));
  }
  return outcomes;
}

async function draftOne(options: DraftOptions, bank: Bank, cell: DraftRequestCell, cap: number): Promise<DraftOutcome> {
  const problems: string[] = [];
  const target = targetFile(bank, options.bank, cell.topic);
  for (let attempt = 1; attempt <= cap; attempt++) {
    const reply = await options.client.chat({ messages: draftMessages(bank, cell, problems), responseFormat: DRAFT_RESPONSE_FORMAT });
    let problem: string | null;
    let saved: { file: string; warnings: Diagnostic[] } | null = null;
    if (reply.error) problem = `the endpoint failed: ${reply.error.message}`;
    else {
      const checked = checkDraft(reply.text, reply.finishReason, cell, options.client.model);
      if ('problem' in checked) problem = checked.problem;
      else {
        const written = await writeDraft(options.bank, target, checked.item);
        problem = written.problem;
        if (!written.problem) saved = { file: target.snapshot().file, warnings: written.warnings };
      }
    }
    options.onAttempt?.({ cell, id: cell.id, attempt, problem });
    if (saved) return { cell, id: cell.id, landed: true, file: saved.file, attempts: attempt, problems, warnings: saved.warnings };
    problems.push(problem!);
  }
  return { cell, id: cell.id, landed: false, attempts: cap, problems, warnings: [] };
}

/** Checks a reply and makes it an item of the cell; the reason when it cannot be one. */
export function checkDraft(text: string | null, finishReason: string | null, cell: DraftRequestCell, model: string): { item: ItemData } | { problem: string } {
  if (finishReason === 'length') return { problem: 'the reply was cut off (finish_reason length): truncated JSON; write a shorter item' };
  const json = extractFirstJsonObject(text?.replace(/<think>[\s\S]*?<\/think>/g, '') ?? '');
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { problem: 'the reply holds no JSON object (it must be one item in the bank\'s item format)' };
  const { id: _id, topic: _topic, depth: _depth, status: _status, source: _source, authors: _authors, ...content } = json as ItemData;
  const rubric = content.rubric as { points?: unknown } | undefined;
  if (!rubric || !Array.isArray(rubric.points) || rubric.points.length === 0) return { problem: 'the rubric is empty: an item needs rubric.points with at least one scoring point' };
  // Bookkeeping is the bank's: the cell's id, topic and depth, the draft status and its source.
  const item: ItemData = { id: cell.id, status: 'draft', topic: cell.topic, depth: cell.depth, ...content, source: `${DRAFTED_BY}${model}` };
  const parsed = Item.safeParse(item);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 6).map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`);
    return { problem: `the item does not fit the bank's item schema: ${issues.join('; ')}` };
  }
  return { item };
}

interface Target {
  snapshot: () => FileSnapshot;
  newFileHeader?: string;
}

/**
 * Lints the draft in its file as `caps lint` would, as if it were going to review (where its
 * problems are errors, not a draft's warnings), and writes it only when it has no error.
 */
async function writeDraft(bank: readonly string[], target: Target, item: ItemData): Promise<{ problem: string | null; warnings: Diagnostic[] }> {
  const outcome = await saveItem({ bank, snapshot: target.snapshot(), id: null, item, newFileHeader: target.newFileHeader, lintAs: 'in-review' });
  if (outcome.saved) return { problem: null, warnings: outcome.diagnostics };
  return { problem: outcome.reason === 'lint' ? `lint: ${outcome.diagnostics.map((d) => `${d.code}: ${d.message}`).join('; ')}` : outcome.message, warnings: [] };
}

/**
 * Where a draft of `topic` goes: the file with most items of the topic; else, for a bank
 * given as a folder, a new file named after the topic beside the first bank file (with its
 * header); else the first bank file.
 */
function targetFile(bank: Bank, paths: readonly string[], topic: string): Target {
  const counts = new Map<string, number>();
  for (const item of bank.items.filter((i) => i.topic === topic)) {
    const file = bank.positions.get(item.id)?.file;
    if (file) counts.set(file, (counts.get(file) ?? 0) + 1);
  }
  const best = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (best) return { snapshot: () => readSnapshot(best) };
  const lead = bank.files[0];
  const folderGiven = paths.some((p) => existsSync(p) && statSync(p).isDirectory());
  if (!folderGiven) return { snapshot: () => readSnapshot(lead) };
  const file = join(dirname(lead), `${topic.replace(/[^A-Za-z0-9._-]+/g, '-')}.yaml`);
  return { snapshot: () => readSnapshot(resolve(file)), newFileHeader: headerOf(lead) };
}

/** The lead file's leading comments and header keys, with an empty item list. */
function headerOf(file: string): string {
  const text = readSnapshot(file).text;
  const doc = parseDocument(text);
  doc.delete('items');
  doc.set('items', doc.createNode([]));
  return doc.toString({ lineWidth: 0 });
}

export function formatDraftOutcome(outcome: DraftOutcome, cwd?: string): string {
  const where = `${outcome.cell.topic}, depth ${outcome.cell.depth}`;
  if (!outcome.landed) return `failed  ${outcome.id} (${where}): nothing written after ${outcome.attempts} attempt(s): ${outcome.problems.at(-1)}`;
  const warnings = outcome.warnings.map((d) => `\n        ${formatDiagnostic(d, cwd)}`).join('');
  return `drafted ${outcome.id} (${where}) into ${outcome.file}${outcome.attempts > 1 ? ` after ${outcome.attempts} attempts` : ''}${warnings}`;
}
