/**
 * The lint rules that keep item statuses honest. A draft is work in progress: its problems
 * are listed as warnings (same codes, same messages) so that a bank in git with a
 * half-written draft still loads, and the draft cannot leave the draft status until they are
 * fixed.
 */
import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import { historyBeside, readReviewHistory } from '../review/history-file.js';
import { replay } from '../review/rounds.js';
import type { ReviewEvent } from '../review/history.js';
import { ItemStatus } from '../schema/bank.js';
import { displayPath, type Diagnostic } from './diagnostic.js';
import { diagnoseAt } from './source.js';
import { isDrafted } from './status.js';
import type { ParsedBankFile, RawItem } from './validate.js';

/** The status written in the YAML of an item, whether or not the item validated. */
function rawStatus(raw: RawItem): unknown {
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

/**
 * Nothing a model drafted is admitted without review: an admitted item whose source says it
 * was drafted must have been admitted by a round of the review history beside the bank.
 */
export async function checkDraftedAdmissions(members: readonly ParsedBankFile[], events?: readonly ReviewEvent[]): Promise<Diagnostic[]> {
  const drafted = members
    .flatMap((f) => f.rawItems)
    .filter((raw) => {
      const item = (raw.source.data as { items: Record<string, unknown>[] }).items[raw.index];
      return rawStatus(raw) === 'admitted' && typeof item?.source === 'string' && isDrafted({ source: item.source });
    });
  if (drafted.length === 0) return [];
  const file = historyBeside(members.map((f) => f.source.file));
  let admitted: Set<string>;
  try {
    const state = replay(events ?? (existsSync(file) ? await readReviewHistory(file) : []));
    admitted = new Set([...state.items.values()].filter((i) => i.status === 'admitted').map((i) => i.item));
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    return [{ file, line: 1, col: 1, severity: 'error', code: 'review-history-invalid', message: `${err.message.split('\n')[0]}; drafted items cannot be checked against it` }];
  }
  return drafted
    .filter((raw) => !admitted.has(raw.id))
    .map((raw) =>
      diagnoseAt(raw.source, ['items', raw.index, 'status'], 'error', 'drafted-not-reviewed', `this item was drafted by a model and is marked admitted, but ${existsSync(file) ? `no review round in ${displayPath(file)} admitted it` : `there is no review history (${displayPath(file)})`}; drafted items are admitted only through review (caps review), so set status: draft or in-review`, { item: raw.id }),
    );
}
