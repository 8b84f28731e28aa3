/**
 * Writing items in the browser: the bank's items and what a form needs to offer (taxonomy
 * topics, depth scale, evidence schemes, vocabulary), live lint of an unsaved edit, an
 * answer scored against it, and the save. Each goes through the library `caps lint`,
 * `caps try` and the write-back use, so the studio has no rules of its own. The page keeps
 * the file text it opened (`base`): a save compares it with the disk and is refused, with a
 * diff, when someone else changed the file meanwhile.
 */
import { dirname } from 'node:path';
import { Hono } from 'hono';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { requireRole, type StudioEnv } from '../access.js';
import type { StudioContext } from '../context.js';
import { Conflict } from '../store.js';
import { bankFile, bankFiles, serialBankWrite } from '../bank-writes.js';
import { lintBank } from '../../bank/lint.js';
import { displayPath, formatDiagnostic, type Diagnostic } from '../../bank/diagnostic.js';
import { previewEdit, readSnapshot, replaceItemText, saveItem, textHash, type FileSnapshot } from '../../bank/write-back.js';
import { rawItemId } from '../../bank/validate.js';
import { tryEdit } from '../../scorer/try-edit.js';
import { loadBankOrThrow } from '../../bank/load.js';
import { draftCells } from '../../draft/cells.js';
import { draftItems, formatDraftOutcome } from '../../draft/draft.js';
import { draftEndpoint, draftEndpointNames } from '../../draft/endpoint.js';
import { createEndpointClient } from '../../endpoints/client.js';
import { loadConfig } from '../../endpoints/config.js';
import { UserError } from '../../errors.js';
import { CLEAN, EVIDENCE_LEVELS, ItemCategory, ItemStatus, VariantKind, type VocabularyTerm } from '../../schema/bank.js';

const MAX_FILE = 20 * 1024 * 1024;

/** What every edit request carries: the file, its text as opened, the item's id in that text (null for a new item) and the item as the form holds it. */
const Edit = z.object({
  file: z.string().min(1),
  base: z.string().max(MAX_FILE),
  id: z.string().min(1).nullable(),
  item: z.record(z.string(), z.unknown()),
});

/** An item as written in a bank file's text (whether or not it validates). */
function writtenItem(text: string, id: string): Record<string, unknown> | undefined {
  const data = parseDocument(text).toJS() as { items?: unknown[] } | null;
  return (Array.isArray(data?.items) ? data.items : []).find((raw) => rawItemId(raw) === id) as Record<string, unknown> | undefined;
}

export function authoringRoutes(ctx: StudioContext) {
  const app = new Hono<StudioEnv>();
  const paths = ctx.corpus.bankPaths;
  const root = dirname(bankFiles(paths)[0] ?? '.');
  const shown = (d: Diagnostic) => ({ ...d, file: displayPath(d.file, root), text: formatDiagnostic(d, root) });

  const snapshotOf = (file: string, base: string): FileSnapshot => ({ file, text: base, hash: textHash(base) });
  const edit = async (c: { req: { json(): Promise<unknown> } }) => {
    const body = Edit.parse(await c.req.json());
    return { ...body, file: bankFile(paths, body.file) };
  };

  /** The bank's items, file by file as written (items that fail validation included), with lint's counts per item. */
  app.get('/items', async (c) => {
    const lint = await lintBank(paths);
    const files = bankFiles(paths).map((file) => ({ file, data: parseDocument(readSnapshot(file).text).toJS() as Record<string, unknown> | null }));
    const items = files.flatMap(({ file, data }) =>
      (Array.isArray(data?.items) ? (data.items as Record<string, unknown>[]) : []).map((raw) => {
        const id = rawItemId(raw) ?? '';
        const found = lint.diagnostics.filter((d) => d.item === id);
        return { id, file, topic: raw?.topic, depth: raw?.depth, category: raw?.category, status: raw?.status ?? null, source: raw?.source ?? null, authors: raw?.authors ?? [], errors: found.filter((d) => d.severity === 'error').length, warnings: found.filter((d) => d.severity === 'warning').length };
      }),
    );
    const bankFileList = files.filter(({ data }) => data && 'bank' in data).map(({ file }) => file);
    const vocabulary = files.flatMap(({ data }) => (Array.isArray(data?.vocabulary) ? (data.vocabulary as VocabularyTerm[]) : []));
    const bank = lint.summary;
    const loaded = ctx.corpus.bank;
    return c.json({
      bank: { id: loaded.id, statuses: bank?.statuses ?? null, errors: lint.errors, warnings: lint.warnings },
      files: bankFileList.map((file) => ({ file, name: displayPath(file, root) })),
      items,
      form: {
        topics: loaded.taxonomy?.topics ?? [],
        depth: { min: loaded.depthScale.min, max: loaded.depthScale.max, labels: loaded.depthScale.labels ?? {} },
        categories: ItemCategory.options,
        statuses: ItemStatus.options,
        variantKinds: VariantKind.options,
        evidence: EVIDENCE_LEVELS,
        vocabulary: vocabulary.map((t) => ({ id: t.id, names: t.names })),
      },
    });
  });

  /** One item as written in its file, with the file's text it was read from. */
  app.get('/item', (c) => {
    const file = bankFile(paths, c.req.query('file') ?? '');
    const id = c.req.query('id');
    const { text } = readSnapshot(file);
    if (id === undefined) return c.json({ file, base: text, id: null, item: null });
    const item = writtenItem(text, id);
    if (!item) throw new Conflict(`${displayPath(file, root)} has no item "${id}"; it may have been renamed or moved, reload the list`, 404);
    return c.json({ file, base: text, id, item });
  });

  /** The edit linted in place of the file on disk, by caps lint's rules: the item's findings and the file's others. */
  app.post('/lint', async (c) => {
    const body = await edit(c);
    const preview = await previewEdit({ bank: paths, snapshot: snapshotOf(body.file, body.base), id: body.id, item: body.item });
    // Findings without an item id in the edited file (an item whose id is not valid yet) belong to the edit too.
    const others = preview.lint.diagnostics.filter((d) => d.item === undefined && d.file === body.file);
    const all = [...preview.itemDiagnostics, ...others];
    return c.json({
      item: preview.itemDiagnostics.map(shown),
      others: others.map(shown),
      errors: all.filter((d) => d.severity === 'error').length,
      warnings: all.filter((d) => d.severity === 'warning').length,
    });
  });

  /** An answer scored against the unsaved item, with caps try's explanation (matchers only: the studio calls no judge). */
  app.post('/try', async (c) => {
    const body = Edit.extend({ answer: z.string().max(200_000), variant: z.string().default(CLEAN) }).parse(await c.req.json());
    const file = bankFile(paths, body.file);
    const id = rawItemId(body.item);
    if (!id) throw new Conflict('give the item an id first', 422);
    if (!body.answer.trim()) throw new Conflict('paste an answer to score', 422);
    try {
      const { score, explanation } = await tryEdit({ bank: paths, file, text: replaceItemText(body.base, body.id, body.item), item: id, variant: body.variant, answer: body.answer });
      return c.json({ score: score.score, raw: score.raw, max: score.max, status: score.status, verdicts: score.verdicts.map((v) => ({ entry: v.entry, met: v.met, points: v.points })), explanation });
    } catch (err) {
      if (err instanceof UserError) throw new Conflict(err.message, 422);
      throw err;
    }
  });

  /**
   * Saves the item into its file. Refused with a diff when the file changed since it was
   * opened (409), and with lint's findings when the item fails lint and is not a draft (422);
   * `asDraft` saves it as a draft with its errors listed.
   */
  app.post('/save', async (c) => {
    const body = Edit.extend({ asDraft: z.boolean().default(false) }).parse(await c.req.json());
    const file = bankFile(paths, body.file);
    // Admission is a review round's decision: the form keeps an admitted item admitted, and admits nothing else.
    if (body.item.status === 'admitted' && (body.id === null || writtenItem(body.base, body.id)?.status !== 'admitted')) {
      throw new Conflict(`item "${String(body.item.id)}" cannot be saved as admitted: items are admitted by a review round; save it as draft or in-review and open a round`, 422);
    }
    const outcome = await serialBankWrite(() => saveItem({ bank: paths, snapshot: snapshotOf(file, body.base), id: body.id, item: body.item, onLintErrors: body.asDraft ? 'save-as-draft' : 'refuse' }));
    if (outcome.saved) {
      const grader = c.get('grader');
      ctx.store.audit(grader.id, body.id === null ? 'add item' : 'edit item', `item:${String(body.item.id)}`, body.id, { file: displayPath(file, root), status: outcome.status ?? null });
      return c.json({ saved: true, file, base: outcome.snapshot.text, id: rawItemId(body.item), status: outcome.status ?? null, diagnostics: outcome.diagnostics.map(shown) });
    }
    if (outcome.reason === 'conflict') return c.json({ error: outcome.message, diff: outcome.diff }, 409);
    return c.json({ error: outcome.message, diagnostics: outcome.diagnostics.map(shown) }, 422);
  });
  /** What the draft button offers: the config's endpoints and the empty topic x depth cells it drafts into by default. */
  app.get('/draft', async (c) => {
    let cells: { topic: string; depth: number }[] = [];
    let full: string | null = null;
    try {
      cells = draftCells(await loadBankOrThrow(paths), { count: 5 }).map(({ topic, depth }) => ({ topic, depth }));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      full = err.message;
    }
    return c.json({ config: ctx.config ?? null, endpoints: draftEndpointNames(ctx.config), cells, full });
  });

  /**
   * A model drafts items, as `caps draft` does: each reply is checked against the item schema
   * and lint, retried with the reason up to the cap, and lands with status draft for review.
   */
  app.post('/draft', requireRole('coordinator'), async (c) => {
    const body = z.object({ model: z.string().min(1).optional(), count: z.number().int().min(1).max(50), topic: z.string().min(1).optional(), depth: z.number().int().optional() }).parse(await c.req.json());
    if (!ctx.config) throw new Conflict('no endpoint to draft with: start caps studio with --config FILE naming the drafting endpoint', 422);
    let endpoint: ReturnType<typeof draftEndpoint>;
    let outcomes: Awaited<ReturnType<typeof draftItems>>;
    try {
      endpoint = draftEndpoint(loadConfig(ctx.config), ctx.config, body.model);
      const client = createEndpointClient(endpoint);
      outcomes = await serialBankWrite(() => draftItems({ bank: paths, client, count: body.count, topic: body.topic, depth: body.depth }));
    } catch (err) {
      // An unknown endpoint or topic, a depth off the scale, a full coverage: the request's fault.
      if (err instanceof UserError) throw new Conflict(err.message.replace(/--(model|topic|depth) /g, '$1 '), 422);
      throw err;
    }
    ctx.store.audit(c.get('grader').id, 'draft items', `model:${endpoint.name}`, null, outcomes.map((o) => ({ id: o.id, landed: o.landed })));
    return c.json({ model: endpoint.name, outcomes: outcomes.map((o) => ({ id: o.id, topic: o.cell.topic, depth: o.cell.depth, landed: o.landed, attempts: o.attempts, problems: o.problems, text: formatDraftOutcome(o, root) })) });
  });
  return app;
}
