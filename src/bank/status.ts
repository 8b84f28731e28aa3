/**
 * Item statuses in a bank: which items a bank admits, how many are in each status, and the
 * lint rules that keep statuses honest. A draft is work in progress: its problems are
 * listed as warnings (same codes, same messages) so that a bank in git with a half-written
 * draft still loads, and the draft cannot leave the draft status until they are fixed.
 */
import { ItemStatus } from '../schema/bank.js';
import type { Item } from '../schema/bank.js';
import type { Diagnostic } from './diagnostic.js';
import { diagnoseAt } from './source.js';
import type { ParsedBankFile, RawItem } from './validate.js';

export type StatusCounts = Record<ItemStatus, number> & { unset: number };

/** A bank "uses statuses" once any item records one; until then every item counts as admitted. */
export function usesStatuses(items: readonly Pick<Item, 'status'>[]): boolean {
  return items.some((item) => item.status !== undefined);
}

export function countStatuses(items: readonly Pick<Item, 'status'>[]): StatusCounts {
  const counts: StatusCounts = { draft: 0, 'in-review': 0, admitted: 0, retired: 0, unset: 0 };
  for (const item of items) counts[item.status ?? 'unset']++;
  return counts;
}

/**
 * The items `caps run` asks: the chosen statuses, by default admitted ones; a bank that
 * records no status is asked whole.
 */
export function itemsWithStatus<T extends Pick<Item, 'status'>>(items: readonly T[], statuses?: readonly ItemStatus[]): T[] {
  if (!statuses && !usesStatuses(items)) return [...items];
  const wanted = new Set<ItemStatus>(statuses ?? ['admitted']);
  return items.filter((item) => item.status !== undefined && wanted.has(item.status));
}

/** The status written in the YAML of an item, whether or not the item validated. */
export function rawStatus(raw: RawItem): unknown {
  const item = (raw.source.data as { items: unknown[] }).items[raw.index];
  return item && typeof item === 'object' ? (item as Record<string, unknown>).status : undefined;
}

/** Codes that concern the bank as a whole even when reported on a draft: they stay errors. */
const BANK_WIDE = new Set(['duplicate-item-id']);

/**
 * Status rules over the raw items of a bank, and the diagnostics of drafts relaxed to
 * warnings (each draft with problems gets one `draft-has-errors` line saying so).
 */
export function applyStatusRules(members: readonly ParsedBankFile[], diagnostics: Diagnostic[]): Diagnostic[] {
  const raws = members.flatMap((f) => f.rawItems);
  const statuses = raws.map((raw) => ({ raw, status: rawStatus(raw) }));
  const drafts = new Map(statuses.filter((s) => s.status === 'draft').map((s) => [s.raw.id, s.raw]));
  const relaxed = new Map<string, number>();
  const out = diagnostics.map((d) => {
    if (d.severity !== 'error' || !d.item || !drafts.has(d.item) || BANK_WIDE.has(d.code)) return d;
    relaxed.set(d.item, (relaxed.get(d.item) ?? 0) + 1);
    return { ...d, severity: 'warning' as const };
  });
  for (const [id, count] of relaxed) {
    const raw = drafts.get(id)!;
    out.push(
      diagnoseAt(raw.source, ['items', raw.index, 'status'], 'warning', 'draft-has-errors', `this draft has ${count} problem${count === 1 ? '' : 's'} that would be errors (listed as warnings while it is a draft); fix them before it goes to review (status: in-review) or is admitted`, { item: id }),
    );
  }
  if (statuses.some((s) => s.status !== undefined)) {
    for (const { raw } of statuses.filter((s) => s.status === undefined)) {
      out.push(
        diagnoseAt(raw.source, ['items', raw.index, 'id'], 'warning', 'missing-status', `this bank records item statuses but this item has none, so caps run leaves it out by default; add status: ${ItemStatus.options.join(' | ')}`, { item: raw.id, target: 'key' }),
      );
    }
  }
  return out;
}
