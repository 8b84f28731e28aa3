/**
 * Peer review in the browser, over the same history and rules as `caps review`: the
 * coordinator opens a round (reviewers drawn from the studio's graders, never an item's
 * author) and closes it; each reviewer accepts or asks for a revision of the items assigned
 * to them, with comments on the item or on one rubric entry; an author answers the requests
 * and resubmits. The history file beside the bank is the record (a bank in git carries it);
 * each step is also written to the studio's audit log with the signed-in person, and the
 * history can be downloaded.
 */
import { readFileSync, existsSync } from 'node:fs';
import { Hono } from 'hono';
import { z } from 'zod';
import { requireRole, type StudioEnv } from '../access.js';
import type { StudioContext } from '../context.js';
import { Conflict } from '../store.js';
import { serialBankWrite } from '../bank-writes.js';
import { UserError } from '../../errors.js';
import { isDrafted } from '../../bank/status.js';
import { appendReviewEvents } from '../../review/history-file.js';
import { ReviewComment, ReviewDecision, type ReviewEvent } from '../../review/history.js';
import { itemEntryIds, loadReview, recordReviewEvent, roundCandidates, type StoredReview } from '../../review/record.js';
import { closeRound, decide, DEFAULT_REVISION_THRESHOLD, missingDecisions, openRound, reviewerRates, reviseItem, roundRates } from '../../review/rounds.js';
import { resolveRubric } from '../../scorer/rubric.js';
import { CLEAN } from '../../schema/shared.js';

const now = () => new Date().toISOString();

export function roundsRoutes(ctx: StudioContext) {
  const app = new Hono<StudioEnv>();
  const paths = ctx.corpus.bankPaths;
  const { store } = ctx;

  /** One review step: the state read fresh, the event checked by the library, recorded, and audited. */
  const step = (by: { id: number }, make: (review: StoredReview) => Promise<{ event: ReviewEvent; only?: Set<string>; statuses: boolean }>) =>
    serialBankWrite(async () => {
      const review = await loadReview(paths);
      const { event, only, statuses } = await make(review);
      if (statuses) await recordReviewEvent(paths, review, event, only);
      else appendReviewEvents(review.file, [event]);
      store.audit(by.id, `review: ${event.type}`, 'item' in event ? `item:${event.item}` : `round:${event.round}`, null, event);
      return event;
    });

  app.get('/', async (c) => {
    const review = await loadReview(paths);
    const { bank, state } = review;
    const me = c.get('grader').name;
    const coordinator = c.get('grader').role === 'coordinator';
    let candidates: string[] = [];
    let candidateProblem: string | null = null;
    try {
      candidates = (await roundCandidates(paths, review)).map((i) => i.item);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      candidateProblem = err.message;
    }
    const open = state.rounds.find((r) => !r.closed);
    const itemView = (id: string) => {
      const item = bank.items.find((i) => i.id === id);
      if (!item) return { id, missing: true };
      const prompt = typeof item.prompt === 'string' ? item.prompt : item.prompt.map((m) => `${m.role}: ${m.content}`).join('\n');
      const entries = [CLEAN, ...item.variants.map((v) => v.id)].flatMap((v) => resolveRubric(item, v).filter((e) => v === CLEAN || e.variant === v));
      const file = bank.positions.get(id)?.file ?? bank.files[0];
      return { id, file, topic: item.topic, depth: item.depth, status: item.status ?? null, drafted: isDrafted(item), source: item.source ?? null, authors: item.authors ?? [], prompt, entries: entries.map((e) => ({ id: e.id, kind: e.kind, text: e.text, score: e.score, variant: e.variant ?? null })) };
    };
    return c.json({
      me,
      history: review.file,
      threshold: bank.review?.revision_threshold ?? DEFAULT_REVISION_THRESHOLD,
      perItem: bank.review?.reviewers_per_item ?? 2,
      rounds: roundRates(state),
      reviewers: reviewerRates(state),
      open: open && {
        round: open.round,
        missing: missingDecisions(open),
        items: [...open.assignments].map(([item, { authors, reviewers }]) => ({
          ...itemView(item),
          authors,
          reviewers,
          decisions: reviewers.map((r) => {
            const d = open.decisions.get(item)?.get(r);
            // A reviewer decides before seeing the others' decisions on the item: no anchoring.
            const hidden = !coordinator && r !== me && reviewers.includes(me) && !open.decisions.get(item)?.has(me);
            return hidden ? { reviewer: r, decision: d ? 'hidden' : null, comments: [] } : { reviewer: r, decision: d?.decision ?? null, comments: d?.comments ?? [] };
          }),
        })),
      },
      items: [...state.items.values()].map((i) => ({ ...itemView(i.item), ...i, bankStatus: bank.items.find((b) => b.id === i.item)?.status ?? null })),
      candidates: candidates.map(itemView),
      candidateProblem,
      graders: store.graders().map((g) => ({ name: g.name, role: g.role })),
      drafts: bank.items.filter((i) => i.status === 'draft').map((i) => itemView(i.id)),
    });
  });

  app.post('/open', requireRole('coordinator'), async (c) => {
    const body = z.object({ reviewers: z.array(z.string().min(1)).min(1), perItem: z.number().int().min(1).max(20).optional(), items: z.array(z.string().min(1)).min(1).optional() }).parse(await c.req.json());
    const known = new Set(store.graders().map((g) => g.name));
    const stranger = body.reviewers.find((r) => !known.has(r));
    if (stranger) throw new Conflict(`"${stranger}" is not a grader of this studio; create them on the Study page first`, 422);
    const event = await step(c.get('grader'), async (review) => {
      const items = await roundCandidates(paths, review, body.items);
      const perItem = body.perItem ?? review.bank.review?.reviewers_per_item ?? 2;
      const opened = openRound(review.state, { bank: review.bank.id, items, reviewers: body.reviewers, perItem, threshold: review.bank.review?.revision_threshold ?? DEFAULT_REVISION_THRESHOLD, by: c.get('grader').name, at: now() });
      return { event: opened, only: new Set(items.map((i) => i.item)), statuses: true };
    });
    return c.json({ event });
  });

  app.post('/decide', async (c) => {
    const body = z.object({ item: z.string().min(1), decision: ReviewDecision, comments: z.array(ReviewComment).max(50).default([]) }).parse(await c.req.json());
    if (body.decision === 'revise' && body.comments.length === 0) throw new Conflict('a revision request needs a comment: say what is wrong and what to change', 422);
    const event = await step(c.get('grader'), async (review) => {
      const item = review.bank.items.find((i) => i.id === body.item);
      return { event: decide(review.state, { item: body.item, reviewer: c.get('grader').name, decision: body.decision, comments: body.comments, at: now(), ...(item ? { entries: itemEntryIds(item) } : {}) }), statuses: false };
    });
    return c.json({ event });
  });

  app.post('/revise', async (c) => {
    const body = z.object({ item: z.string().min(1), note: z.string().max(5000).optional() }).parse(await c.req.json());
    const event = await step(c.get('grader'), async (review) => ({ event: reviseItem(review.state, { item: body.item, by: c.get('grader').name, note: body.note || undefined, at: now() }), statuses: false }));
    return c.json({ event });
  });

  app.post('/close', requireRole('coordinator'), async (c) => {
    const event = await step(c.get('grader'), async (review) => ({ event: closeRound(review.state, { by: c.get('grader').name, at: now() }), statuses: true }));
    const after = await loadReview(paths);
    return c.json({ event, round: roundRates(after.state).at(-1) });
  });

  /** The review history as stored (JSON Lines, one event a line), to keep beside the bank or analyse elsewhere. */
  app.get('/export', async (c) => {
    const { file } = await loadReview(paths);
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    return c.body(text, 200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'content-disposition': 'attachment; filename="review-history.jsonl"' });
  });
  return app;
}
