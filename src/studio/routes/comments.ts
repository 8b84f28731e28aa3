/** The comments page: what graders noted on answers and rubric entries, newest first; a physician sees only their own. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { StudioEnv } from '../access.js';
import type { StudioContext } from '../context.js';

const PAGE = 100;

export function commentRoutes(ctx: StudioContext) {
  const app = new Hono<StudioEnv>();
  app.get('/', (c) => {
    const { offset } = z.object({ offset: z.coerce.number().int().nonnegative().default(0) }).parse(c.req.query());
    const grader = c.get('grader');
    const everyone = grader.role !== 'physician';
    const comments = ctx.store.allComments({ ...(everyone ? {} : { graderId: grader.id }), limit: PAGE, offset });
    return c.json({ comments, everyone, offset, page: PAGE });
  });
  return app;
}
