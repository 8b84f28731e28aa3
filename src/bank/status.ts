/**
 * Item statuses in a bank: which items a bank admits and how many are in each status. The
 * lint rules that keep statuses honest are in src/bank/status-rules.ts.
 */
import type { Item, ItemStatus } from '../schema/bank.js';

/** How `caps draft` marks an item's source, so that lint and provenance can tell drafted items apart. */
export const DRAFTED_BY = 'drafted by ';

export function isDrafted(item: Pick<Item, 'source'>): boolean {
  return item.source?.startsWith(DRAFTED_BY) ?? false;
}

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
