import { describe, expect, it } from 'vitest';
import { ReviewEvent, type ReviewEvent as Event } from '../../src/review/history.js';
import { bankStatuses, closeRound, decide, openRound, replay, reviewerRates, reviseItem, revisedItems, roundRates, ReviewError } from '../../src/review/rounds.js';

const ITEMS = Array.from({ length: 20 }, (_, i) => ({ item: `item-${String(i + 1).padStart(2, '0')}`, authors: [i % 2 === 0 ? 'dr-wang' : 'dr-li'] }));
const REVIEWERS = ['dr-wang', 'dr-li', 'dr-zhao', 'dr-chen'];
let clock = 0;
const at = () => new Date(Date.UTC(2026, 0, 1) + clock++ * 60_000).toISOString();

/** Appends each step's event to the history, as the CLI and the studio do. */
function reviewOf(history: Event[]) {
  const step = (make: (state: ReturnType<typeof replay>) => Event) => {
    const event = make(replay(history));
    history.push(ReviewEvent.parse(JSON.parse(JSON.stringify(event))));
    return replay(history);
  };
  return { step, state: () => replay(history) };
}

describe('review rounds', () => {
  it('two rounds over 20 items: 3 revision requests (15%) admit nothing; after revision a round with none admits all 20', () => {
    const history: Event[] = [];
    const { step, state } = reviewOf(history);
    step((s) => openRound(s, { bank: 'demo', items: ITEMS, reviewers: REVIEWERS, perItem: 2, by: 'coordinator', at: at() }));

    const round1 = state().rounds[0];
    for (const [, { authors, reviewers }] of round1.assignments) {
      expect(reviewers).toHaveLength(2);
      expect(reviewers.some((r) => authors.includes(r))).toBe(false);
    }
    // Work is spread: 40 assignments over 4 reviewers.
    const load = REVIEWERS.map((r) => [...round1.assignments.values()].filter((a) => a.reviewers.includes(r)).length);
    expect(Math.max(...load) - Math.min(...load)).toBeLessThanOrEqual(2);

    const flagged = new Set(['item-03', 'item-08', 'item-15']);
    for (const [item, { reviewers }] of round1.assignments) {
      reviewers.forEach((reviewer, k) => {
        const revise = flagged.has(item) && k === 0;
        step((s) => decide(s, { item, reviewer, decision: revise ? 'revise' : 'accept', comments: revise ? [{ entry: 'p1', text: 'the dose is wrong; give the guideline dose' }] : [], at: at() }));
      });
    }
    let s = step((st) => closeRound(st, { by: 'coordinator', at: at() }));
    expect(roundRates(s)[0]).toMatchObject({ round: 1, items: 20, withRequests: 3, rate: 0.15, passed: false, admitted: 0 });
    expect([...bankStatuses(s).values()].every((v) => v === 'in-review')).toBe(true);
    expect(s.items.get('item-03')).toMatchObject({ status: 'awaiting-revision', openRequests: [{ round: 1, comments: [{ entry: 'p1' }] }] });
    expect(s.items.get('item-01')?.status).toBe('accepted');

    // A revised item cannot enter a round before its author answers the requests.
    expect(() => openRound(s, { bank: 'demo', items: [{ item: 'item-03' }], reviewers: REVIEWERS, perItem: 2, by: 'coordinator', at: at() })).toThrow(/waits for its author/);
    for (const item of flagged) step((st) => reviseItem(st, { item, by: 'dr-wang', note: 'dose corrected', at: at() }));
    s = state();
    expect(revisedItems(s).sort()).toEqual([...flagged].sort());

    step((st) => openRound(st, { bank: 'demo', items: revisedItems(st).map((item) => ({ item, authors: ITEMS.find((i) => i.item === item)!.authors })), reviewers: REVIEWERS, perItem: 2, by: 'coordinator', at: at() }));
    // Whoever revised an item counts as its author from then on.
    for (const { reviewers } of state().rounds[1].assignments.values()) expect(reviewers).not.toContain('dr-wang');
    for (const [item, { reviewers }] of state().rounds[1].assignments) {
      for (const reviewer of reviewers) step((st) => decide(st, { item, reviewer, decision: 'accept', at: at() }));
    }
    s = step((st) => closeRound(st, { by: 'coordinator', at: at() }));
    expect(roundRates(s).map((r) => [r.round, r.items, r.rate, r.passed, r.admitted])).toEqual([
      [1, 20, 0.15, false, 0],
      [2, 3, 0, true, 20],
    ]);
    expect([...bankStatuses(s).values()].filter((v) => v === 'admitted')).toHaveLength(20);

    const perReviewer = reviewerRates(s);
    expect(perReviewer.reduce((n, r) => n + r.decisions, 0)).toBe(46);
    expect(perReviewer.reduce((n, r) => n + r.revisionRequests, 0)).toBe(3);
    for (const r of perReviewer) expect(r.rate).toBeCloseTo(r.revisionRequests / r.decisions, 12);
  });

  it('a passing round still holds back an item with an open request', () => {
    const history: Event[] = [];
    const { step } = reviewOf(history);
    const items = Array.from({ length: 30 }, (_, i) => ({ item: `i${i}` }));
    let s = step((st) => openRound(st, { bank: 'b', items, reviewers: ['a', 'b'], perItem: 1, threshold: 0.05, by: 'c', at: at() }));
    for (const [item, { reviewers }] of s.rounds[0].assignments) {
      step((st) => decide(st, { item, reviewer: reviewers[0], decision: item === 'i7' ? 'revise' : 'accept', comments: item === 'i7' ? [{ text: 'unclear prompt' }] : [], at: at() }));
    }
    s = step((st) => closeRound(st, { by: 'c', at: at() }));
    expect(roundRates(s)[0]).toMatchObject({ withRequests: 1, passed: true, admitted: 29 });
    expect(s.items.get('i7')?.status).toBe('awaiting-revision');
  });

  it('refuses what the method forbids, each with a message that says what to do', () => {
    const history: Event[] = [];
    const { step } = reviewOf(history);
    const open = (st: ReturnType<typeof replay>, reviewers: string[], perItem = 2) => openRound(st, { bank: 'b', items: [{ item: 'x', authors: ['ann'] }], reviewers, perItem, by: 'c', at: at() });
    expect(() => open(replay([]), ['ann', 'bob'])).toThrow(/needs 2 reviewers who did not write it, but only 1/);
    let s = step((st) => open(st, ['ann', 'bob', 'cat']));
    expect(() => open(s, ['bob', 'cat'])).toThrow(/round 1 is still open/);
    expect(() => decide(s, { item: 'x', reviewer: 'ann', decision: 'accept', at: at() })).toThrow(/ann is not a reviewer of "x"/);
    expect(() => decide(s, { item: 'x', reviewer: 'bob', decision: 'revise', at: at() })).toThrow(/needs at least one comment/);
    expect(() => decide(s, { item: 'x', reviewer: 'bob', decision: 'revise', comments: [{ entry: 'nope', text: 't' }], entries: new Set(['p1']), at: at() })).toThrow(/no rubric entry "nope"/);
    s = step((st) => decide(st, { item: 'x', reviewer: 'bob', decision: 'accept', at: at() }));
    expect(() => closeRound(s, { by: 'c', at: at() })).toThrow(/waits for 1 decision: cat on "x"/);
    expect(() => reviseItem(s, { item: 'x', by: 'ann', at: at() })).toThrow(ReviewError);
    // A history edited by hand into an impossible order is refused, with the event's number.
    const bad = [...history, history[1]].map((e, i) => (i === history.length ? { ...e, reviewer: 'zed' } : e)) as Event[];
    expect(() => replay(bad)).toThrow(/review history event 3 \(decision\): zed is not a reviewer/);
  });
});
