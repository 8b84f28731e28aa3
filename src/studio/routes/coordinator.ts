/** The coordinator's desk: graders and their invite links, study settings, the calibration set, progress and the audit log. */
import { Hono } from 'hono';
import { z } from 'zod';
import { requireRole, type StudioEnv } from '../access.js';
import type { StudioContext } from '../context.js';
import { ROLES, DEFAULT_SETTINGS } from '../store.js';

const inviteUrl = (origin: string, token: string) => `${origin}/invite/${token}`;

export function coordinatorRoutes(ctx: StudioContext) {
  const app = new Hono<StudioEnv>();
  const { store } = ctx;
  app.use('*', requireRole('coordinator'));

  app.get('/graders', (c) => {
    const progress = new Map(store.progress().map((p) => [p.grader_id, p]));
    return c.json({
      graders: store.graders().map((g) => ({ ...g, progress: progress.get(g.id) ?? { submitted: 0, reserved: 0, calibration: 0 } })),
      counts: store.counts(),
      settings: store.settings(),
    });
  });

  app.post('/graders', async (c) => {
    const body = z.object({ name: z.string(), role: z.enum(ROLES) }).parse(await c.req.json());
    const { grader, token } = store.createGrader(c.get('grader'), body.name, body.role);
    return c.json({ grader, invite: inviteUrl(new URL(c.req.url).origin, token) });
  });

  app.post('/graders/:id/invite', (c) => c.json({ invite: inviteUrl(new URL(c.req.url).origin, store.reissueToken(c.get('grader'), Number(c.req.param('id')))) }));

  app.post('/graders/:id/admission', async (c) => {
    const body = z.object({ admitted: z.boolean(), reason: z.string().min(1).max(500) }).parse(await c.req.json());
    store.setAdmitted(c.get('grader'), Number(c.req.param('id')), body.admitted, body.reason);
    return c.json({ ok: true });
  });

  app.post('/settings', async (c) => {
    const body = z
      .object({
        graders_per_answer: z.number().int().min(1).max(10).optional(),
        kappa_threshold: z.number().min(-1).max(1).optional(),
        reservation_minutes: z.number().int().min(1).max(24 * 60).optional(),
      })
      .parse(await c.req.json());
    for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof typeof DEFAULT_SETTINGS)[]) {
      if (body[key] !== undefined) store.setSetting(c.get('grader'), key, body[key]!);
    }
    return c.json(store.settings());
  });

  /** Answers in queue order (blind: item and form only), a page at a time, for choosing the calibration set. */
  app.get('/answers', (c) => {
    const offset = Math.max(0, Number(c.req.query('offset') ?? 0) || 0);
    const rows = store.answerPage(offset);
    return c.json({ answers: rows.map((r) => ({ ...r, calibration: r.calibration === 1 })), offset });
  });

  app.post('/calibration', async (c) => {
    const body = z.object({ answers: z.array(z.number().int()).max(1000), on: z.boolean() }).parse(await c.req.json());
    store.setCalibration(c.get('grader'), body.answers, body.on);
    return c.json({ calibration: store.calibrationAnswers().length });
  });

  app.get('/audit', (c) => c.json({ audit: store.auditLog() }));
  return app;
}
