/** Agreement and adjudication: where physicians, the judge and the matchers disagree, and a senior's final verdict. */
import { Hono } from 'hono';
import { z } from 'zod';
import { requireRole, type StudioEnv } from '../access.js';
import type { StudioContext } from '../context.js';
import { agreementView } from '../agreement.js';
import { Conflict } from '../store.js';
import { syncVerdicts } from '../verdicts.js';
import { answerView, checkLabels, labelView, LabelBody, loadAnswer, verdictView } from './grading.js';

export function reviewRoutes(ctx: StudioContext) {
  const app = new Hono<StudioEnv>();
  const { store } = ctx;
  app.use('*', requireRole('senior', 'coordinator'));

  app.get('/agreement', async (c) => c.json(await agreementView(store, ctx.corpus, Number(c.req.query('resamples') ?? 1000) || 1000)));

  /** One answer with every grader's labels, the judge's and matchers' verdicts, and the adjudications. */
  app.get('/units/:id', async (c) => {
    const answer = loadAnswer(ctx, c.req.param('id'));
    const { view } = await answerView(ctx, answer);
    const graders = new Map(store.graders().map((g) => [g.id, g]));
    const score = await ctx.corpus.score(answer.dir, answer.key);
    const live = store.liveLabels(answer.id);
    return c.json({
      ...view,
      labels: live.map((l) => ({ ...labelView(l), grader: graders.get(l.grader_id)!.name, stage: l.stage })),
      verdicts: (score?.verdicts ?? []).map(verdictView),
      comments: store.comments(answer.id),
    });
  });

  app.post('/units/:id/adjudicate', async (c) => {
    const grader = c.get('grader');
    const answer = loadAnswer(ctx, c.req.param('id'));
    const body = LabelBody.extend({ reason: z.string().min(1).max(2000), bankHash: z.string() }).parse(await c.req.json());
    const changed = await ctx.corpus.bankChange();
    if (changed) throw new Conflict(changed);
    if (body.bankHash !== ctx.corpus.bank.hash) throw new Conflict('this page was opened on another version of the bank; reload it');
    const { record, rubric } = await answerView(ctx, answer);
    const [label] = checkLabels(rubric, record.text ?? '', [body], false);
    const row = store.adjudicate(grader, answer, { ...label, reason: body.reason }, ctx.corpus.bank.hash);
    syncVerdicts(store, [row]);
    return c.json({ label: labelView(row) });
  });
  return app;
}
