/**
 * A physician as a respondent: they answer the bank's items in the browser (clean and
 * distracted forms, a multi-turn dialogue turn by turn) and their answers are written to
 * a run folder as an imported human respondent, by the same code as caps import-answers,
 * to be scored like any model.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { StudioEnv } from '../access.js';
import type { StudioContext } from '../context.js';
import { Conflict } from '../store.js';
import { CLEAN } from '../../schema/shared.js';
import { RunFolder } from '../../io/run-folder.js';
import { answerKey } from '../../runner/plan.js';
import { itemQuestion } from '../../scorer/question.js';
import { writeHumanAnswers } from '../../scorer/import-answers.js';

export function respondRoutes(ctx: StudioContext) {
  const app = new Hono<StudioEnv>();
  const { store } = ctx;
  const { bank } = ctx.corpus;
  const folder = new RunFolder(ctx.answersRun);
  const mine = async (respondent: string) => {
    const answers = folder.exists() ? await folder.latestResponses() : new Map();
    return (item: string, variant: string, turn: number) => answers.get(answerKey({ respondent, item, variant, turn, sample: 0 }))?.text as string | undefined;
  };
  const form = (itemId: string, variantId: string) => {
    const item = ctx.corpus.items.get(itemId);
    const variant = item?.variants.find((v) => v.id === variantId);
    if (!item || (variantId !== CLEAN && !variant)) throw new Conflict(`no item "${itemId}" form "${variantId}" in bank ${bank.id}`, 404);
    return { item, lastTurn: variant?.turns?.length ?? 0, kind: variant?.kind ?? CLEAN };
  };

  app.get('/respond', async (c) => {
    const answered = await mine(c.get('grader').name);
    const forms = bank.items.flatMap((item) =>
      [{ id: CLEAN, kind: CLEAN, turns: 0 }, ...item.variants.map((v) => ({ id: v.id, kind: v.kind, turns: v.turns?.length ?? 0 }))].map((v) => {
        let done = 0;
        while (done <= v.turns && answered(item.id, v.id, done) !== undefined) done++;
        return { item: item.id, topic: item.topic, depth: item.depth, variant: v.id, kind: v.kind, turns: v.turns + 1, answered: done };
      }),
    );
    return c.json({ run: ctx.answersRun, forms });
  });

  app.get('/respond/:item/:variant', async (c) => {
    const { item, lastTurn, kind } = form(c.req.param('item'), c.req.param('variant'));
    const answered = await mine(c.get('grader').name);
    const previous: string[] = [];
    while (previous.length <= lastTurn && answered(item.id, c.req.param('variant'), previous.length) !== undefined) previous.push(answered(item.id, c.req.param('variant'), previous.length)!);
    const turn = Math.min(previous.length, lastTurn);
    const messages = itemQuestion(bank, item, c.req.param('variant'), previous.slice(0, turn));
    return c.json({ item: item.id, variant: c.req.param('variant'), kind, turn, lastTurn, finished: previous.length > lastTurn, messages, answer: previous[turn] ?? '' });
  });

  app.post('/respond/:item/:variant', async (c) => {
    const { item, lastTurn } = form(c.req.param('item'), c.req.param('variant'));
    const body = z.object({ turn: z.number().int().min(0).max(lastTurn), text: z.string().max(20000) }).parse(await c.req.json());
    if (!body.text.trim()) throw new Conflict('write an answer first', 422);
    const grader = c.get('grader');
    const key = answerKey({ respondent: grader.name, item: item.id, variant: c.req.param('variant'), turn: body.turn, sample: 0 });
    if (store.hasLabels(ctx.answersRun, key)) throw new Conflict('this answer has already been graded; its labels quote the text as it was, so it can no longer be changed', 409);
    const summary = await writeHumanAnswers({
      bank,
      respondent: grader.name,
      out: ctx.answersRun,
      answers: [{ item, variant: c.req.param('variant'), turn: body.turn, text: body.text }],
      source: { studio: 'caps studio' },
    });
    // Into the grading queue now, not at the next start.
    store.registerRun(ctx.answersRun, bank, await ctx.corpus.reloadRun(ctx.answersRun));
    return c.json({ run: summary.runDir, written: summary.imported, next: body.turn < lastTurn ? body.turn + 1 : null });
  });
  return app;
}
