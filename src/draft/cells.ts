/**
 * Which topic x depth cells to draft items for: by default the empty cells of the bank's
 * coverage (taxonomy topics, or the topics in use, crossed with the depth scale).
 */
import type { Bank } from '../bank/bank.js';
import { closestMatch } from '../bank/suggest.js';
import { UserError } from '../errors.js';

export interface DraftCell {
  topic: string;
  /** The topic's title from the taxonomy, to tell the drafting model what it covers. */
  title?: string;
  depth: number;
}

export interface CellSelection {
  topic?: string;
  depth?: number;
  count: number;
}

/** The cells of K drafts, in coverage order; when K exceeds the cells, they are used again in turn. */
export function draftCells(bank: Bank, selection: CellSelection): DraftCell[] {
  const { min, max } = bank.depthScale;
  const topics = bank.taxonomy ? bank.taxonomy.topics.map((t) => ({ topic: t.id, title: t.title_en ?? t.title })) : [...new Set(bank.items.map((i) => i.topic))].map((topic) => ({ topic }));
  if (selection.topic !== undefined && !topics.some((t) => t.topic === selection.topic)) {
    if (bank.taxonomy) {
      const hint = closestMatch(selection.topic, topics.map((t) => t.topic));
      throw new UserError(`--topic "${selection.topic}" is not in the taxonomy${hint ? `; did you mean "${hint}"?` : ''}`);
    }
    topics.push({ topic: selection.topic });
  }
  if (selection.depth !== undefined && (selection.depth < min || selection.depth > max)) {
    throw new UserError(`--depth ${selection.depth} is outside the bank's depth scale ${min}..${max}`);
  }
  const levels = Array.from({ length: max - min + 1 }, (_, i) => min + i).filter((d) => selection.depth === undefined || d === selection.depth);
  const chosen = topics.filter((t) => selection.topic === undefined || t.topic === selection.topic);
  const all = chosen.flatMap((t) => levels.map((depth) => ({ ...t, depth })));
  const filled = (cell: DraftCell) => bank.items.some((i) => i.topic === cell.topic && i.depth === cell.depth && i.status !== 'retired');
  let cells = all.filter((c) => !filled(c));
  if (cells.length === 0) {
    // A cell named in full is drafted into even when it has items: the author asked for it.
    if (selection.topic !== undefined && selection.depth !== undefined) cells = all;
    else throw new UserError(`every topic x depth cell${selection.topic ? ` of topic ${selection.topic}` : ''}${selection.depth !== undefined ? ` at depth ${selection.depth}` : ''} already has items; name a cell with --topic and --depth to draft more`);
  }
  return Array.from({ length: selection.count }, (_, i) => cells[i % cells.length]);
}

/**
 * The next free item id for a topic, in the bank's own pattern (e.g. lc-staging-004 after
 * lc-staging-003), or `<topic>-001` when the topic has no numbered item.
 */
export function nextItemId(bank: Pick<Bank, 'items'>, topic: string, taken: ReadonlySet<string>): string {
  const slug = topic.replace(/\//g, '-');
  const pattern = bank.items
    .map((i) => /^(.*?)(\d+)$/.exec(i.id))
    .find((m) => m && m[1].endsWith(`${slug}-`));
  const prefix = pattern ? pattern[1] : `${slug}-`;
  const width = pattern ? pattern[2].length : 3;
  const used = new Set([...bank.items.map((i) => i.id), ...taken]);
  for (let n = 1; ; n++) {
    const id = `${prefix}${String(n).padStart(width, '0')}`;
    if (!used.has(id)) return id;
  }
}
