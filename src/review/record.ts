/**
 * A review as stored: the bank, its history file and the state the history leads to, and
 * the one way a step is recorded (statuses into the bank files, then the event into the
 * history). `caps review` and the studio both go through here, so a round opened in one can
 * be continued in the other.
 */
import type { Bank } from '../bank/bank.js';
import { loadBank, loadBankOrThrow } from '../bank/load.js';
import { setItemStatuses } from '../bank/write-back.js';
import { UserError } from '../errors.js';
import type { Item } from '../schema/bank.js';
import { resolveRubric } from '../scorer/rubric.js';
import { appendReviewEvents, historyBeside, readReviewHistory } from './history-file.js';
import type { ReviewEvent } from './history.js';
import { bankStatuses, replay, revisedItems, type ReviewState } from './rounds.js';

export interface StoredReview {
  bank: Bank;
  /** The history file (review-history.jsonl beside the bank unless given). */
  file: string;
  events: ReviewEvent[];
  state: ReviewState;
}

export async function loadReview(bankPaths: readonly string[], history?: string): Promise<StoredReview> {
  const bank = await loadBankOrThrow(bankPaths);
  const file = history ?? historyBeside(bank.files);
  const events = await readReviewHistory(file);
  const state = replay(events);
  if (state.bank !== undefined && state.bank !== bank.id) throw new UserError(`${file} is the review history of bank "${state.bank}", not "${bank.id}"; pass --history for this bank`);
  return { bank, file, events, state };
}

/**
 * Appends the event, then records what it changed in the bank files (only for `only` when
 * given). Statuses are written first: if an item fails lint nothing is recorded, neither in
 * the bank nor in the history.
 */
export async function recordReviewEvent(bankPaths: readonly string[], review: Pick<StoredReview, 'file' | 'events'>, event: ReviewEvent, only?: ReadonlySet<string>): Promise<ReviewState> {
  const history = [...review.events, event];
  const state = replay(history);
  const statuses = new Map([...bankStatuses(state)].filter(([id]) => !only || only.has(id)));
  await setItemStatuses(bankPaths, statuses, { reviewEvents: history });
  appendReviewEvents(review.file, [event]);
  return state;
}

/**
 * The items of the next round: those named, or else the revised items and the drafts and
 * items in review never reviewed. A draft with lint problems is refused: it is not ready.
 */
export async function roundCandidates(bankPaths: readonly string[], review: Pick<StoredReview, 'bank' | 'state'>, ids?: readonly string[]): Promise<{ item: string; authors: string[] }[]> {
  const { bank, state } = review;
  const chosen = ids ?? [...revisedItems(state), ...bank.items.filter((i) => (i.status === 'draft' || i.status === 'in-review') && !state.items.has(i.id)).map((i) => i.id)];
  const { diagnostics } = await loadBank(bankPaths);
  const unready = new Set(diagnostics.filter((d) => d.code === 'draft-has-errors').map((d) => d.item!));
  return chosen.map((id) => {
    const item = bank.items.find((i) => i.id === id);
    if (!item) throw new UserError(`bank ${bank.id} has no valid item "${id}"`);
    if (unready.has(id)) throw new UserError(`item "${id}" is a draft with lint problems; fix them (caps lint) before it goes to review`);
    return { item: id, authors: item.authors ?? [] };
  });
}

/** Every rubric entry id of an item, over its clean form and its variants (what a review comment may refer to). */
export function itemEntryIds(item: Item): Set<string> {
  return new Set([undefined, ...item.variants.map((v) => v.id)].flatMap((v) => resolveRubric(item, v).map((e) => e.id)));
}
