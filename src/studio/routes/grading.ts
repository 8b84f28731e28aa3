/**
 * The blind grading queue: the next answer with its rubric, the grader's own labels, and
 * the submit. Respondent identity and the judge's and matchers' verdicts stay hidden until
 * the grader has submitted the answer.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { StudioEnv } from '../access.js';
import type { StudioContext } from '../context.js';
import { Conflict, type AnswerRow, type Grader } from '../store.js';
import { syncVerdicts } from '../verdicts.js';
import { calibrationAgreement } from '../agreement.js';
import type { ResolvedEntry } from '../../scorer/rubric.js';
import type { ResponseRecord } from '../../schema/run.js';
import type { Opinion, Verdict } from '../../schema/score.js';

export const Span = z.object({ start: z.number().int().nonnegative(), end: z.number().int().positive() });

export const LabelBody = z.object({
  entry: z.string().min(1),
  met: z.boolean().nullable(),
  reason: z.string().max(2000).optional(),
  span: Span.optional(),
});

const SubmitBody = z.object({ base: z.number().int().nonnegative(), bankHash: z.string(), labels: z.array(LabelBody).max(500) });

export function entryView(e: ResolvedEntry) {
  return { id: e.id, kind: e.kind, text: e.text, text_en: e.text_en, score: e.score, critical: e.critical, missPenalty: e.missPenalty, safety: e.safety, veto: e.veto, evidence: e.evidence ?? null };
}

/** The answer and its question, without who answered. */
export async function answerView(ctx: StudioContext, answer: AnswerRow): Promise<{ record: ResponseRecord; rubric: ResolvedEntry[]; view: Record<string, unknown> }> {
  const record = await ctx.corpus.answer(answer.dir, answer.key);
  if (!record) throw new Conflict(`the answer is no longer in ${answer.dir}`, 404);
  const rubric = ctx.corpus.rubric(record);
  const item = ctx.corpus.items.get(record.item)!;
  return {
    record,
    rubric,
    view: {
      id: answer.id,
      item: record.item,
      depth: item.depth,
      topic: item.topic,
      variant: record.variant,
      turn: record.turn,
      calibration: answer.calibration === 1,
      messages: record.messages.map((m) => ({ role: m.role, content: m.content })),
      text: record.text,
      rubric: rubric.map(entryView),
      bankHash: ctx.corpus.bank.hash,
    },
  };
}

/** Checks labels against the rubric and the answer; a span's quote is taken from the answer itself. */
export function checkLabels(rubric: ResolvedEntry[], text: string, labels: z.infer<typeof LabelBody>[], complete: boolean) {
  const ids = new Map(rubric.map((e) => [e.id, e]));
  const seen = new Set<string>();
  const out = labels.map((l) => {
    const entry = ids.get(l.entry);
    if (!entry) throw new Conflict(`the rubric has no entry "${l.entry}"`, 422);
    if (seen.has(l.entry)) throw new Conflict(`entry "${l.entry}" is labelled twice`, 422);
    seen.add(l.entry);
    if (l.span && (l.span.end > text.length || l.span.start >= l.span.end)) throw new Conflict(`entry "${l.entry}": the selected span is outside the answer`, 422);
    if (l.met === true && (entry.kind === 'deduction' || entry.kind === 'veto' || entry.kind === 'zero') && !l.span) {
      throw new Conflict(`entry "${l.entry}" (${entry.kind}): a met ${entry.kind} needs the evidence span selected in the answer`, 422);
    }
    if (l.met === null && !l.reason?.trim()) throw new Conflict(`entry "${l.entry}": say why it cannot be judged`, 422);
    return {
      entry: l.entry,
      met: l.met,
      ...(l.reason?.trim() && { reason: l.reason.trim() }),
      ...(l.span && { span: { ...l.span, quote: text.slice(l.span.start, l.span.end) } }),
    };
  });
  if (complete) {
    const missing = rubric.filter((e) => !seen.has(e.id)).map((e) => e.id);
    if (missing.length) throw new Conflict(`label every entry before submitting (missing: ${missing.join(', ')})`, 422);
  }
  return out;
}

export function labelView(l: { id: number; entry: string; met: 0 | 1 | null; reason: string | null; quote: string | null; span_start: number | null; span_end: number | null; at: string }) {
  return { id: l.id, entry: l.entry, met: l.met === null ? null : l.met === 1, reason: l.reason, quote: l.quote, span: l.span_start === null ? null : { start: l.span_start, end: l.span_end }, at: l.at };
}

function parseId(raw: string): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) throw new Conflict('no such answer', 404);
  return id;
}

export function loadAnswer(ctx: StudioContext, raw: string): AnswerRow {
  const answer = ctx.store.answer(parseId(raw));
  if (!answer) throw new Conflict('no such answer', 404);
  return answer;
}

async function reveal(ctx: StudioContext, answer: AnswerRow, grader: Grader) {
  if (!ctx.store.hasSubmitted(answer.id, grader.id) && grader.role !== 'coordinator') return null;
  const score = await ctx.corpus.score(answer.dir, answer.key);
  const record = ctx.corpus.meta(answer.dir, answer.key)!;
  return {
    respondent: record.respondent,
    respondentKind: record.respondent_kind,
    verdicts: (score?.verdicts ?? []).map(verdictView),
  };
}

const opinionView = (o: Opinion | undefined) => o && { met: o.met, quotes: o.quotes, citations: o.citations ?? [], ...(o.rationale && { rationale: o.rationale }) };

/** The judge's and matchers' verdict on one entry, each with its quotes located in the answer (citations) when the score has them. */
export function verdictView(v: Verdict) {
  return { entry: v.entry, met: v.met, decided_by: v.decided_by, citations: v.citations ?? [], judge: opinionView(v.judge) ?? null, matcher: opinionView(v.matcher) ?? null };
}

/** What the grading page shows of an answer to this grader: the answer, their own labels and comments, and (once submitted) the verdicts. */
export async function gradingView(ctx: StudioContext, grader: Grader, id: string) {
  const { store } = ctx;
  const answer = loadAnswer(ctx, id);
  const stage = store.slotFor(grader, answer);
  const { view } = await answerView(ctx, answer);
  const mine = store.currentLabels(answer.id, grader.id, stage);
  return {
    ...view,
    stage,
    base: mine.reduce((m, l) => Math.max(m, l.id), 0),
    labels: mine.map(labelView),
    comments: store.comments(answer.id).filter((x) => x.grader === grader.name),
    reveal: await reveal(ctx, answer, grader),
  };
}

export function gradingRoutes(ctx: StudioContext) {
  const app = new Hono<StudioEnv>();
  const { store } = ctx;

  app.get('/next', (c) => {
    const next = store.next(c.get('grader'));
    return c.json('done' in next ? next : { answer: next.answer.id, stage: next.stage });
  });

  app.get('/answers/:id', async (c) => {
    const started = performance.now();
    const body = await gradingView(ctx, c.get('grader'), c.req.param('id'));
    c.header('server-timing', `answer;dur=${(performance.now() - started).toFixed(2)}`);
    return c.json(body);
  });

  app.post('/answers/:id/labels', async (c) => {
    const started = performance.now();
    const grader = c.get('grader');
    const answer = loadAnswer(ctx, c.req.param('id'));
    const body = SubmitBody.parse(await c.req.json());
    const changed = await ctx.corpus.bankChange();
    if (changed) throw new Conflict(changed);
    if (body.bankHash !== ctx.corpus.bank.hash) throw new Conflict('this page was opened on another version of the bank; reload it');
    const stage = store.slotFor(grader, answer);
    const { record, rubric } = await answerView(ctx, answer);
    const labels = checkLabels(rubric, record.text ?? '', body.labels, true);
    const written = store.submit(grader, answer, stage, labels, body.base, ctx.corpus.bank.hash);
    syncVerdicts(store, written);
    let admitted: boolean | undefined;
    if (answer.calibration && stage === 'grade' && !grader.admitted_at) admitted = admitIfCalibrated(ctx, grader);
    const mine = store.currentLabels(answer.id, grader.id, stage);
    // The time the server spent, for the benchmark and for anyone watching the network panel.
    c.header('server-timing', `submit;dur=${(performance.now() - started).toFixed(2)}`);
    return c.json({ saved: written.length, base: mine.reduce((m, l) => Math.max(m, l.id), 0), admitted });
  });

  app.post('/answers/:id/comments', async (c) => {
    const answer = loadAnswer(ctx, c.req.param('id'));
    const body = z.object({ entry: z.string().nullable().default(null), text: z.string().max(4000) }).parse(await c.req.json());
    const grader = c.get('grader');
    // A physician comments on the answers of their own queue only; seniors and coordinators on any.
    if (grader.role === 'physician') store.slotFor(grader, answer);
    if (body.entry !== null && !(await answerView(ctx, answer)).rubric.some((e) => e.id === body.entry)) throw new Conflict(`the rubric has no entry "${body.entry}"`, 422);
    store.comment(grader, answer, body.entry, body.text);
    return c.json({ comments: store.comments(answer.id).filter((x) => grader.role !== 'physician' || x.grader === grader.name) });
  });

  app.get('/calibration/me', (c) => c.json({ ...calibrationAgreement(store, ctx.corpus, c.get('grader').id), threshold: store.settings().kappa_threshold, admitted: !!store.grader(c.get('grader').id)!.admitted_at }));

  return app;
}

/** Admits a grader who has graded the whole calibration set with kappa at or above the threshold. */
function admitIfCalibrated(ctx: StudioContext, grader: Grader): boolean {
  const { groups, graded, total } = calibrationAgreement(ctx.store, ctx.corpus, grader.id);
  const kappa = groups.find((g) => g.group === 'overall')?.kappa ?? null;
  const threshold = ctx.store.settings().kappa_threshold;
  if (graded < total || kappa === null || kappa < threshold) return false;
  ctx.store.setAdmitted(null, grader.id, true, `calibration kappa ${kappa.toFixed(3)} >= ${threshold}`);
  return true;
}
