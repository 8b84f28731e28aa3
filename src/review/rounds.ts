/**
 * Review rounds as pure functions. The state of a review is a fold over its history
 * (`replay`); each step (`openRound`, `decide`, `reviseItem`, `closeRound`) checks the
 * state and returns the event to append. The CAPS rule: a round's revision rate is the share
 * of its reviewed items for which at least one reviewer requested revision; only a round whose
 * rate is below the bank's threshold admits items, and only items with no open request.
 * Items accepted in a round that did not pass wait, accepted, for the round that does.
 */
import { UserError } from '../errors.js';
import type { ItemStatus } from '../schema/bank.js';
import { REVIEW_HISTORY_VERSION, type DecisionMade, type ItemRevised, type ReviewComment, type ReviewDecision, type ReviewEvent, type RoundClosed, type RoundOpened } from './history.js';

/** The CAPS method's admission rule: fewer than 5% of the items reviewed need revision. */
export const DEFAULT_REVISION_THRESHOLD = 0.05;

export class ReviewError extends UserError {}

export interface RoundOutcome {
  at: string;
  /** Items with at least one decision. */
  reviewed: number;
  /** Items for which at least one reviewer requested revision. */
  withRequests: string[];
  /** withRequests / reviewed. */
  rate: number;
  passed: boolean;
  /** Items admitted when this round closed (its own and those waiting, accepted, from earlier rounds). */
  admitted: string[];
}

export interface RoundState {
  round: number;
  threshold: number;
  openedAt: string;
  openedBy: string;
  assignments: Map<string, { authors: string[]; reviewers: string[] }>;
  /** item -> reviewer -> their latest decision in this round. */
  decisions: Map<string, Map<string, DecisionMade>>;
  closed: RoundOutcome | null;
}

/**
 * Where an item stands: under review in an open round, waiting for its author to revise,
 * revised and waiting for the next round, accepted in a round that did not pass, admitted.
 */
export type ItemReviewStatus = 'in-review' | 'awaiting-revision' | 'revised' | 'accepted' | 'admitted';

export interface ItemReview {
  item: string;
  status: ItemReviewStatus;
  /** The last round the item was in. */
  round: number;
  /** Revision requests not yet answered by a revision. */
  openRequests: { round: number; reviewer: string; comments: ReviewComment[] }[];
  revisions: number;
  /** Who revised it: they count as its authors, so they never review it in a later round. */
  revisedBy: string[];
}

export interface ReviewState {
  bank?: string;
  rounds: RoundState[];
  items: Map<string, ItemReview>;
}

export function emptyReview(): ReviewState {
  return { rounds: [], items: new Map() };
}

/** The state a history leads to; an event that does not fit the state before it is an error. */
export function replay(events: readonly ReviewEvent[]): ReviewState {
  const state = emptyReview();
  events.forEach((event, i) => {
    try {
      apply(state, event);
    } catch (err) {
      if (err instanceof ReviewError) throw new ReviewError(`review history event ${i + 1} (${event.type}): ${err.message}`);
      throw err;
    }
  });
  return state;
}

function apply(state: ReviewState, event: ReviewEvent): void {
  switch (event.type) {
    case 'round-opened': {
      checkOpen(state, event);
      state.bank ??= event.bank;
      state.rounds.push({
        round: event.round,
        threshold: event.threshold,
        openedAt: event.at,
        openedBy: event.by,
        assignments: new Map(event.items.map((a) => [a.item, { authors: a.authors, reviewers: a.reviewers }])),
        decisions: new Map(),
        closed: null,
      });
      for (const { item } of event.items) {
        const before = state.items.get(item);
        state.items.set(item, { item, status: 'in-review', round: event.round, openRequests: [], revisions: before?.revisions ?? 0, revisedBy: before?.revisedBy ?? [] });
      }
      return;
    }
    case 'decision': {
      const round = openRoundNumbered(state, event.round);
      const assigned = round.assignments.get(event.item);
      if (!assigned) throw new ReviewError(`item "${event.item}" is not in round ${event.round}`);
      if (!assigned.reviewers.includes(event.reviewer)) throw new ReviewError(`${event.reviewer} is not a reviewer of "${event.item}" in round ${event.round} (its reviewers: ${assigned.reviewers.join(', ')})`);
      if (event.decision === 'revise' && event.comments.length === 0) throw new ReviewError('a revision request needs at least one comment saying what to change');
      const byReviewer = round.decisions.get(event.item) ?? new Map<string, DecisionMade>();
      // A reviewer may change their mind until the round closes: the latest decision counts.
      byReviewer.set(event.reviewer, event);
      round.decisions.set(event.item, byReviewer);
      return;
    }
    case 'revised': {
      const item = state.items.get(event.item);
      if (item?.status !== 'awaiting-revision') throw new ReviewError(`item "${event.item}" has no revision request to answer (it is ${item?.status ?? 'not under review'})`);
      item.status = 'revised';
      item.openRequests = [];
      item.revisions++;
      if (!item.revisedBy.includes(event.by)) item.revisedBy.push(event.by);
      return;
    }
    case 'round-closed': {
      const round = openRoundNumbered(state, event.round);
      const missing = missingDecisions(round);
      if (missing.length > 0) throw new ReviewError(`round ${event.round} still waits for ${missing.length} decision${missing.length === 1 ? '' : 's'}: ${missing.slice(0, 10).join('; ')}${missing.length > 10 ? '; ...' : ''}`);
      const withRequests = [...round.assignments.keys()].filter((item) => [...(round.decisions.get(item)?.values() ?? [])].some((d) => d.decision === 'revise'));
      const reviewed = round.assignments.size;
      const rate = withRequests.length / reviewed;
      const passed = rate < round.threshold;
      const admitted: string[] = [];
      for (const item of round.assignments.keys()) {
        const review = state.items.get(item)!;
        const requests = [...(round.decisions.get(item)?.values() ?? [])].filter((d) => d.decision === 'revise');
        if (requests.length > 0) {
          review.status = 'awaiting-revision';
          review.openRequests = requests.map((d) => ({ round: round.round, reviewer: d.reviewer, comments: d.comments }));
        } else review.status = passed ? 'admitted' : 'accepted';
        if (review.status === 'admitted') admitted.push(item);
      }
      if (passed) {
        for (const review of state.items.values()) {
          if (review.status === 'accepted') {
            review.status = 'admitted';
            admitted.push(review.item);
          }
        }
      }
      round.closed = { at: event.at, reviewed, withRequests, rate, passed, admitted };
      return;
    }
  }
}

function checkOpen(state: ReviewState, event: RoundOpened): void {
  const expected = state.rounds.length + 1;
  if (event.round !== expected) throw new ReviewError(`round ${event.round} cannot be opened: the next round is ${expected}`);
  const open = state.rounds.find((r) => !r.closed);
  if (open) throw new ReviewError(`round ${open.round} is still open; close it before opening another`);
  if (state.bank !== undefined && event.bank !== state.bank) throw new ReviewError(`this history reviews bank "${state.bank}", not "${event.bank}"`);
  const seen = new Set<string>();
  for (const { item, authors, reviewers } of event.items) {
    if (seen.has(item)) throw new ReviewError(`item "${item}" is listed twice in the round`);
    seen.add(item);
    const status = state.items.get(item)?.status;
    if (status === 'awaiting-revision') throw new ReviewError(`item "${item}" waits for its author to answer the revision requests; record the revision first`);
    if (status === 'accepted' || status === 'admitted') throw new ReviewError(`item "${item}" is already ${status}; only new or revised items enter a round`);
    const author = reviewers.find((r) => authors.includes(r));
    if (author) throw new ReviewError(`${author} wrote "${item}" and cannot review it`);
    if (new Set(reviewers).size !== reviewers.length) throw new ReviewError(`item "${item}" has the same reviewer twice`);
  }
}

function openRoundNumbered(state: ReviewState, number: number): RoundState {
  const round = state.rounds.find((r) => r.round === number);
  if (!round) throw new ReviewError(`there is no round ${number}`);
  if (round.closed) throw new ReviewError(`round ${number} is closed`);
  return round;
}

/** Decisions an open round still waits for, as `reviewer on "item"`. */
export function missingDecisions(round: RoundState): string[] {
  return [...round.assignments].flatMap(([item, { reviewers }]) => reviewers.filter((r) => !round.decisions.get(item)?.has(r)).map((r) => `${r} on "${item}"`));
}

// ---------------------------------------------------------------------------------------
// Steps: each checks the state and returns the event to append.

export interface OpenRoundInput {
  bank: string;
  items: { item: string; authors?: string[] }[];
  /** The reviewers to draw from. */
  reviewers: string[];
  perItem: number;
  threshold?: number;
  by: string;
  at: string;
}

/**
 * Opens the next round with `perItem` reviewers per item, never an author of the item,
 * spreading the work: each item gets the reviewers with the fewest items so far.
 */
export function openRound(state: ReviewState, input: OpenRoundInput): RoundOpened {
  if (input.items.length === 0) throw new ReviewError('a round needs at least one item; every item is admitted, waiting for a revision or already in a round');
  const pool = [...new Set(input.reviewers)];
  const load = new Map(pool.map((r) => [r, 0]));
  const items = input.items.map(({ item, authors: written = [] }, i) => {
    const authors = [...new Set([...written, ...(state.items.get(item)?.revisedBy ?? [])])];
    const candidates = pool.filter((r) => !authors.includes(r));
    if (candidates.length < input.perItem) {
      throw new ReviewError(`item "${item}" needs ${input.perItem} reviewers who did not write it, but only ${candidates.length} of ${pool.join(', ')} qualify; add reviewers or lower the reviewers per item`);
    }
    // Rotating the starting point spreads ties evenly instead of always favouring the first names.
    const order = candidates.map((r, j) => ({ r, tie: (j - i + candidates.length * 1000) % candidates.length }));
    const chosen = order.sort((a, b) => load.get(a.r)! - load.get(b.r)! || a.tie - b.tie).slice(0, input.perItem).map((c) => c.r);
    for (const r of chosen) load.set(r, load.get(r)! + 1);
    return { item, authors, reviewers: chosen };
  });
  const event: RoundOpened = {
    v: REVIEW_HISTORY_VERSION,
    type: 'round-opened',
    at: input.at,
    round: state.rounds.length + 1,
    by: input.by,
    bank: input.bank,
    threshold: input.threshold ?? DEFAULT_REVISION_THRESHOLD,
    items,
  };
  checkOpen(state, event);
  return event;
}

export interface DecideInput {
  round?: number;
  item: string;
  reviewer: string;
  decision: ReviewDecision;
  comments?: ReviewComment[];
  at: string;
  /** Entry ids of the item, to check that a comment's entry exists. */
  entries?: ReadonlySet<string>;
}

export function decide(state: ReviewState, input: DecideInput): DecisionMade {
  const round = input.round ?? openRoundOf(state).round;
  const comments = input.comments ?? [];
  for (const c of comments) {
    if (c.entry !== undefined && input.entries && !input.entries.has(c.entry)) {
      throw new ReviewError(`item "${input.item}" has no rubric entry "${c.entry}" (its entries: ${[...input.entries].join(', ')})`);
    }
  }
  const event: DecisionMade = { v: REVIEW_HISTORY_VERSION, type: 'decision', at: input.at, round, item: input.item, reviewer: input.reviewer, decision: input.decision, comments };
  apply(cloneForCheck(state), event);
  return event;
}

export function reviseItem(state: ReviewState, input: { item: string; by: string; note?: string; at: string }): ItemRevised {
  const event: ItemRevised = { v: REVIEW_HISTORY_VERSION, type: 'revised', at: input.at, item: input.item, by: input.by, ...(input.note ? { note: input.note } : {}) };
  apply(cloneForCheck(state), event);
  return event;
}

export function closeRound(state: ReviewState, input: { round?: number; by: string; at: string }): RoundClosed {
  const event: RoundClosed = { v: REVIEW_HISTORY_VERSION, type: 'round-closed', at: input.at, round: input.round ?? openRoundOf(state).round, by: input.by };
  apply(cloneForCheck(state), event);
  return event;
}

export function openRoundOf(state: ReviewState): RoundState {
  const open = state.rounds.find((r) => !r.closed);
  if (!open) throw new ReviewError('no round is open; open one first');
  return open;
}

/** Items ready for the next round: revised after a request. */
export function revisedItems(state: ReviewState): string[] {
  return [...state.items.values()].filter((i) => i.status === 'revised').map((i) => i.item);
}

/** Checks are done by applying the event to a copy, so that a refused step leaves the state as it was. */
function cloneForCheck(state: ReviewState): ReviewState {
  return {
    bank: state.bank,
    rounds: state.rounds.map((r) => ({ ...r, decisions: new Map([...r.decisions].map(([k, v]) => [k, new Map(v)])) })),
    items: new Map([...state.items].map(([k, v]) => [k, { ...v, openRequests: [...v.openRequests], revisedBy: [...v.revisedBy] }])),
  };
}

// ---------------------------------------------------------------------------------------
// What a review has produced

/** The status each reviewed item should carry in the bank file. */
export function bankStatuses(state: ReviewState): Map<string, ItemStatus> {
  return new Map([...state.items.values()].map((i) => [i.item, i.status === 'admitted' ? 'admitted' : 'in-review']));
}

export interface RoundRate {
  round: number;
  items: number;
  withRequests: number;
  rate: number | null;
  threshold: number;
  passed: boolean | null;
  admitted: number;
  reviewers: number;
}

export function roundRates(state: ReviewState): RoundRate[] {
  return state.rounds.map((r) => ({
    round: r.round,
    items: r.assignments.size,
    withRequests: r.closed?.withRequests.length ?? 0,
    rate: r.closed?.rate ?? null,
    threshold: r.threshold,
    passed: r.closed?.passed ?? null,
    admitted: r.closed?.admitted.length ?? 0,
    reviewers: new Set([...r.assignments.values()].flatMap((a) => a.reviewers)).size,
  }));
}

export interface ReviewerRate {
  reviewer: string;
  decisions: number;
  revisionRequests: number;
  /** revisionRequests / decisions: how often this reviewer asks for a revision. */
  rate: number;
  rounds: number[];
}

export function reviewerRates(state: ReviewState): ReviewerRate[] {
  const by = new Map<string, ReviewerRate>();
  for (const round of state.rounds) {
    for (const decisions of round.decisions.values()) {
      for (const d of decisions.values()) {
        const row = by.get(d.reviewer) ?? { reviewer: d.reviewer, decisions: 0, revisionRequests: 0, rate: 0, rounds: [] };
        row.decisions++;
        if (d.decision === 'revise') row.revisionRequests++;
        if (!row.rounds.includes(round.round)) row.rounds.push(round.round);
        by.set(d.reviewer, row);
      }
    }
  }
  return [...by.values()].map((r) => ({ ...r, rate: r.revisionRequests / r.decisions })).sort((a, b) => a.reviewer.localeCompare(b.reviewer));
}
