/**
 * Writing one item back into a bank file. Only the edited item's text changes: every byte
 * before and after it (comments, key order, quoting, folded blocks) stays as the author
 * wrote it, and inside the item the yaml Document API keeps the comments and styles of the
 * parts that did not change. A save is refused, with a unified diff, when the file changed
 * on disk since it was read, and is checked by the same lint as `caps lint`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { Document, isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLSeq } from 'yaml';
import { UserError } from '../errors.js';
import { writeTextAtomic } from '../io/safe-write.js';
import type { ItemStatus } from '../schema/bank.js';
import type { ReviewEvent } from '../review/history.js';
import { lintBank, type LintReport } from './lint.js';
import { formatDiagnostic, type Diagnostic } from './diagnostic.js';
import { discoverBankFiles } from './discover.js';
import { rawItemId } from './validate.js';

/** A bank file as it was read: what a later save compares the disk against. */
export interface FileSnapshot {
  file: string;
  /** The text read; '' for a file that does not exist yet. */
  text: string;
  /** SHA-256 of the text, or 'absent' for a file that does not exist yet. */
  hash: string;
}

export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function readSnapshot(file: string): FileSnapshot {
  if (!existsSync(file)) return { file, text: '', hash: 'absent' };
  try {
    const text = readFileSync(file, 'utf8');
    return { file, text, hash: textHash(text) };
  } catch (err) {
    throw new UserError(`${file}: cannot read the bank file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** An item as an author writes it (the input side of the schema), or anything a form sends. */
export type ItemData = Record<string, unknown>;

const YAML_OUT = { lineWidth: 0, flowCollectionPadding: true } as const;

/**
 * The file's text with item `id` replaced by `item` (or `item` appended when `id` is null).
 * Pure: works on text, so the studio and the CLI can preview a save before writing it.
 */
export function replaceItemText(text: string, id: string | null, item: ItemData): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new UserError(`the bank file has YAML errors (${doc.errors[0].message.split('\n')[0]}); fix them (caps lint) before editing it here`);
  const items = isMap(doc.contents) ? doc.contents.get('items', true) : undefined;
  if (!isSeq(items)) throw new UserError('the bank file has no items: list to write into; add "items:" at the top level');
  if (id === null) return appendItem(text, items, item);
  const node = items.items.find((n) => rawItemId((n as Node).toJSON()) === id) as Node | undefined;
  if (!node?.range) throw new UserError(`no item "${id}" in this file; reload the file (it may have been moved or renamed)`);
  const [start, end] = node.range;
  const column = lineColumn(text, start);
  // The item alone, as its own document: the Document API then keeps its comments and styles.
  const sub = parseDocument(dedent(' '.repeat(column) + text.slice(start, end), column));
  if (sub.errors.length > 0) throw new UserError(`item "${id}" cannot be edited here (${sub.errors[0].message.split('\n')[0]}; an alias to an anchor outside the item?); edit it in a text editor`);
  if (JSON.stringify(sub.toJS()) === JSON.stringify(item)) return text;
  sub.contents = update(sub, sub.contents as Node, item) as typeof sub.contents;
  return text.slice(0, start) + indentAfterFirst(sub.toString(YAML_OUT), column) + text.slice(end);
}

function appendItem(text: string, items: YAMLSeq, item: ItemData): string {
  const last = items.items.at(-1) as Node | undefined;
  if (items.flow || !last?.range) {
    // `items: []` or an inline list: the whole list is rewritten, the rest of the file is not.
    const range = items.range!;
    const column = lineColumn(text, text.lastIndexOf('items', range[0]));
    const list = [...(items.items as Node[]).map((n) => n.toJSON()), item];
    const block = new Document(list).toString(YAML_OUT);
    return `${text.slice(0, range[0]).replace(/[ \t]*$/, '')}\n${indentAll(block, column + 2)}${text.slice(range[1]).replace(/^\n?/, '')}`;
  }
  const end = last.range[1];
  const column = lineColumn(text, last.range[0]) - 2;
  const rendered = new Document(item).toString(YAML_OUT);
  const before = text.slice(0, end);
  return `${before}${before.endsWith('\n') ? '' : '\n'}${' '.repeat(column)}- ${indentAfterFirst(rendered, column + 2)}${text.slice(end)}`;
}

function lineColumn(text: string, offset: number): number {
  return offset - text.lastIndexOf('\n', offset - 1) - 1;
}

/**
 * `node` made to hold `value`, keeping every part (with its comments and style) whose value
 * did not change, the order of existing keys, and new keys at the end.
 */
function update(doc: Document, node: Node | null, value: unknown): Node {
  if (isPlainObject(value) && isMap(node)) {
    const wanted = value as Record<string, unknown>;
    node.items = node.items.filter((pair) => keyOf(pair) in wanted);
    for (const [key, child] of Object.entries(wanted)) {
      const pair = node.items.find((p) => keyOf(p) === key);
      if (pair) pair.value = update(doc, pair.value as Node, child);
      else node.items.push(doc.createPair(key, child) as Pair<unknown, unknown>);
    }
    return node;
  }
  if (Array.isArray(value) && isSeq(node)) {
    node.items = value.map((child, i) => (i < node.items.length ? update(doc, node.items[i] as Node, child) : doc.createNode(child)));
    return node;
  }
  if (isScalar(node) && node.value === value) return node;
  const created = doc.createNode(value) as Node;
  if (node) {
    created.comment = node.comment;
    created.commentBefore = node.commentBefore;
  }
  return created;
}

function keyOf(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

function isPlainObject(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function dedent(text: string, column: number): string {
  const prefix = ' '.repeat(column);
  return text
    .split('\n')
    .map((line) => (line.startsWith(prefix) ? line.slice(column) : line.trimStart()))
    .join('\n');
}

function indentAfterFirst(text: string, column: number): string {
  const prefix = ' '.repeat(column);
  return text.replace(/\n(?=[^\n])/g, `\n${prefix}`);
}

function indentAll(text: string, column: number): string {
  return ' '.repeat(column) + indentAfterFirst(text, column);
}

// ---------------------------------------------------------------------------------------
// Saving with conflict detection and lint

export interface SaveItemOptions {
  /** Bank files or folders the edited file belongs to (for the bank-wide lint rules). */
  bank: readonly string[];
  /** The file as it was read when editing began. */
  snapshot: FileSnapshot;
  /** Id of the item being replaced; null to add a new item. */
  id: string | null;
  item: ItemData;
  /**
   * What to do when the edited item fails lint while its status is not draft: refuse the save
   * (default), or save it as a draft with its errors listed.
   */
  onLintErrors?: 'refuse' | 'save-as-draft';
  /**
   * Lint the item as if it had this status, and write it with its own: a model's draft is
   * checked as for review (its problems are errors) but lands as a draft.
   */
  lintAs?: ItemStatus;
  /** Text for a file that does not exist yet (its header); required when the snapshot is absent. */
  newFileHeader?: string;
}

export type SaveOutcome =
  | { saved: true; file: string; snapshot: FileSnapshot; status: ItemStatus | undefined; diagnostics: Diagnostic[] }
  | { saved: false; reason: 'conflict'; message: string; diff: string }
  | { saved: false; reason: 'lint'; message: string; diagnostics: Diagnostic[] };

/** The edited file's text, linted in memory with every other file of the bank as on disk. */
export interface EditPreview {
  text: string;
  lint: LintReport;
  /** Diagnostics about the edited item (its id after the edit). */
  itemDiagnostics: Diagnostic[];
}

export async function previewEdit(options: Pick<SaveItemOptions, 'bank' | 'snapshot' | 'id' | 'item' | 'newFileHeader'>): Promise<EditPreview> {
  const text = replaceItemText(baseText(options), options.id, options.item);
  const lint = await lintBank(options.bank, { overlay: new Map([[options.snapshot.file, text]]) });
  const id = rawItemId(options.item);
  return { text, lint, itemDiagnostics: lint.diagnostics.filter((d) => d.item === id) };
}

export async function saveItem(options: SaveItemOptions): Promise<SaveOutcome> {
  const { snapshot } = options;
  const conflict = conflictWith(snapshot);
  if (conflict) return conflict;

  let item = options.item;
  let preview = await previewEdit({ ...options, item: options.lintAs ? { ...item, status: options.lintAs } : item });
  const errors = preview.itemDiagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    if (options.onLintErrors !== 'save-as-draft') {
      return {
        saved: false,
        reason: 'lint',
        message: `item "${String(item.id)}" has ${errors.length} lint error${errors.length === 1 ? '' : 's'}, so it cannot be saved as ${String(options.lintAs ?? item.status ?? 'part of the bank')}; fix them, or save it as a draft`,
        diagnostics: errors,
      };
    }
    item = { ...item, status: 'draft' };
    preview = await previewEdit({ ...options, item });
    // What stays an error on a draft (a duplicate item id) would break the whole bank.
    const blocking = preview.itemDiagnostics.filter((d) => d.severity === 'error');
    if (blocking.length > 0) {
      return { saved: false, reason: 'lint', message: `item "${String(item.id)}" cannot be saved even as a draft: ${blocking.map((d) => d.message).join('; ')}`, diagnostics: blocking };
    }
  }
  // Only the status differs from what was linted, so the findings keep their lines.
  if (options.lintAs) preview = { ...preview, text: replaceItemText(baseText(options), options.id, item) };
  // Checked again just before writing: the lint above took time.
  const late = conflictWith(snapshot);
  if (late) return late;
  writeTextAtomic(snapshot.file, preview.text);
  return {
    saved: true,
    file: snapshot.file,
    snapshot: { file: snapshot.file, text: preview.text, hash: textHash(preview.text) },
    status: item.status as ItemStatus | undefined,
    diagnostics: preview.itemDiagnostics,
  };
}

function conflictWith(snapshot: FileSnapshot): SaveOutcome | null {
  const now = readSnapshot(snapshot.file);
  if (now.hash === snapshot.hash) return null;
  const name = basename(snapshot.file);
  return {
    saved: false,
    reason: 'conflict',
    message: `${snapshot.file} changed on disk since it was opened; nothing was written. Review the other change below, reload the file and apply your edit again`,
    diff: createTwoFilesPatch(name, name, snapshot.text, now.text, 'as opened', 'on disk now'),
  };
}

function baseText(options: Pick<SaveItemOptions, 'snapshot' | 'newFileHeader'>): string {
  return options.snapshot.hash === 'absent' ? (options.newFileHeader ?? missingHeader(options.snapshot.file)) : options.snapshot.text;
}

function missingHeader(file: string): never {
  throw new UserError(`${file} does not exist; give the header for a new bank file`);
}

// ---------------------------------------------------------------------------------------
// Statuses set by a review

/**
 * Records review statuses in the bank files (only the `status:` of the named items changes).
 * `reviewEvents` is the review history including the step that set them, when that step is
 * not stored yet. Refused as a whole, with lint's messages, when an item to be admitted or reviewed fails
 * lint: an item that fails lint is never admitted.
 */
export async function setItemStatuses(
  bank: readonly string[],
  statuses: ReadonlyMap<string, ItemStatus>,
  options: { reviewEvents?: readonly ReviewEvent[] } = {},
): Promise<{ changed: string[]; files: string[] }> {
  const { files } = discoverBankFiles(bank);
  const snapshots = new Map<string, FileSnapshot>();
  const texts = new Map<string, string>();
  const changed: string[] = [];
  for (const file of files) {
    const snapshot = readSnapshot(file);
    const data = parseDocument(snapshot.text).toJS() as { bank?: unknown; items?: unknown };
    if (data?.bank === undefined || !Array.isArray(data.items)) continue;
    let text = snapshot.text;
    for (const raw of data.items as ItemData[]) {
      const id = rawItemId(raw);
      const status = id === undefined ? undefined : statuses.get(id);
      if (id === undefined || status === undefined || raw.status === status) continue;
      text = replaceItemText(text, id, { ...raw, status });
      changed.push(id);
    }
    if (text !== snapshot.text) {
      snapshots.set(file, snapshot);
      texts.set(file, text);
    }
  }
  const lint = await lintBank(bank, { overlay: texts, reviewEvents: options.reviewEvents });
  const blocked = lint.diagnostics.filter((d) => d.severity === 'error' && d.item !== undefined && changed.includes(d.item));
  if (blocked.length > 0) {
    throw new UserError([`${new Set(blocked.map((d) => d.item)).size} item(s) fail lint and cannot be ${[...new Set(blocked.map((d) => statuses.get(d.item!)))].join(' or ')}; nothing was written:`, ...blocked.slice(0, 20).map((d) => `  ${formatDiagnostic(d)}`)].join('\n'));
  }
  for (const file of texts.keys()) {
    if (readSnapshot(file).hash !== snapshots.get(file)!.hash) throw new UserError(`${file} changed on disk while statuses were being prepared; nothing was written, run the command again`);
  }
  for (const [file, text] of texts) writeTextAtomic(file, text);
  return { changed, files: [...texts.keys()] };
}
