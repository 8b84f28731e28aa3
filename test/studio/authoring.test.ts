/**
 * Writing and reviewing items through the studio's API over real HTTP: access and CSRF on
 * every new route, live lint with caps lint's messages, a pasted answer scored as caps try
 * does, a save that keeps the file's comments, a save refused with a diff after an outside
 * edit, and review rounds recorded in review-history.jsonl with statuses in the bank.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStudio, type Studio } from '../../src/studio/server.js';
import { lintBank } from '../../src/bank/lint.js';
import { formatDiagnostic } from '../../src/bank/diagnostic.js';
import { readReviewHistory } from '../../src/review/history-file.js';
import { studioFixture, type StudioFixture } from './fixture.js';
import { StudioClient } from './client.js';

const NEW_ITEM = {
  id: 'lc-new-001',
  status: 'draft',
  topic: 'staging',
  depth: 2,
  category: 'staging',
  prompt: '肺腺癌 3.5 cm，同侧肺门淋巴结转移，无远处转移。TNM 分期？',
  prompt_en: 'Adenocarcinoma 3.5 cm with ipsilateral hilar node metastasis, no distant metastasis. TNM stage?',
  authors: ['dr-author'],
  rubric: {
    points: [{ id: 'stage', text: 'T2aN1M0，IIB 期', level: 'A1', match: { any: ['IIB', 'ⅡB'] }, examples: { hit: ['分期为 IIB 期'], miss: ['分期为 IIIA 期'] } }],
  },
};

describe('caps studio: writing and reviewing items', () => {
  let fx: StudioFixture;
  let studio: Studio;
  let coordinator: StudioClient;
  let file: string;
  const invites: Record<string, string> = {};

  beforeAll(async () => {
    fx = await studioFixture(4);
    file = join(fx.bankDir, 'staging.yaml');
    studio = await startStudio({ runDirs: [fx.runDir], bankPaths: [fx.bankDir], port: 0 });
    coordinator = await new StudioClient(studio.url).signIn();
    for (const name of ['dr-author', 'dr-a', 'dr-b']) invites[name] = (await coordinator.post<{ invite: string }>('/api/coordinator/graders', { name, role: 'physician' })).body.invite;
  }, 120_000);
  afterAll(async () => {
    await studio.close();
    rmSync(fx.dir, { recursive: true, force: true });
  });

  it('refuses every new route without a session on a LAN bind, and writes without the CSRF token or from another origin', { timeout: 180_000 }, async () => {
    const lan = await startStudio({ runDirs: [fx.runDir], bankPaths: [fx.bankDir], host: '127.0.0.2', port: 0, db: join(fx.dir, 'lan.db') });
    try {
      const stranger = new StudioClient(lan.url);
      for (const path of ['/api/bank/items', `/api/bank/item?file=${encodeURIComponent(file)}`, '/api/rounds', '/api/rounds/export']) {
        const r = await stranger.raw(path);
        expect(r.status, path).toBe(401);
        expect(((await r.json()) as { error: string }).error).toMatch(/invite link/);
      }
      for (const path of ['/api/bank/lint', '/api/bank/try', '/api/bank/save', '/api/rounds/open', '/api/rounds/decide', '/api/rounds/revise', '/api/rounds/close']) {
        expect((await stranger.raw(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, path).toBe(401);
      }
    } finally {
      await lan.close();
    }
    const noToken = await coordinator.raw('/api/bank/save', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ file, base: '', id: null, item: NEW_ITEM }) });
    expect(noToken.status).toBe(403);
    for (const path of ['/api/bank/lint', '/api/bank/try', '/api/bank/save', '/api/rounds/open', '/api/rounds/decide', '/api/rounds/revise', '/api/rounds/close']) {
      const r = await coordinator.raw(path, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example', 'x-csrf-token': coordinator.csrf }, body: '{}' });
      expect(r.status, path).toBe(403);
    }
  });

  it('lists items with their status and lint counts, and offers the taxonomy, depth scale and vocabulary to the form', { timeout: 180_000 }, async () => {
    const view = await coordinator.get('/api/bank/items');
    expect(view.items.length).toBe(fx.bank.items.length);
    expect(view.items.every((i: { status: string }) => i.status === 'admitted')).toBe(true);
    expect(view.form.topics.map((t: { id: string }) => t.id)).toContain('staging');
    expect(view.form.depth).toMatchObject({ min: 1, max: 4 });
    expect(view.form.vocabulary.length).toBeGreaterThan(0);
    expect(view.files.map((f: { file: string }) => f.file)).toContain(file);
  });

  it('lints an unsaved edit with the messages of caps lint, and refuses bad input with a clear 4xx', { timeout: 180_000 }, async () => {
    const { base } = await coordinator.get(`/api/bank/item?file=${encodeURIComponent(file)}`);
    const broken = { ...NEW_ITEM, status: 'in-review', depth: 9 };
    const lint = await coordinator.post('/api/bank/lint', { file, base, id: null, item: broken });
    expect(lint.status).toBe(200);
    // The same finding caps lint reports for that text on disk.
    const dir = join(fx.dir, 'lint-copy');
    const { cpSync } = await import('node:fs');
    cpSync(fx.bankDir, dir, { recursive: true });
    const { replaceItemText } = await import('../../src/bank/write-back.js');
    writeFileSync(join(dir, 'staging.yaml'), replaceItemText(base, null, broken));
    const cli = (await lintBank([dir])).diagnostics.filter((d) => d.item === 'lc-new-001').map((d) => formatDiagnostic(d, dir));
    expect(lint.body.item.map((d: { text: string }) => d.text)).toEqual(cli);
    expect(lint.body.errors).toBeGreaterThan(0);
    const clean = await coordinator.post('/api/bank/lint', { file, base, id: null, item: NEW_ITEM });
    expect(clean.body.errors).toBe(0);

    const outside = await coordinator.post('/api/bank/lint', { file: '/etc/passwd', base: '', id: null, item: NEW_ITEM });
    expect(outside.status).toBe(422);
    expect(outside.body.error).toMatch(/not a file of this studio's bank/);
    const shapeless = await coordinator.post('/api/bank/save', { file, base: 42, item: 'x' });
    expect(shapeless.status).toBe(422);
    expect(shapeless.body.error).toMatch(/^bad request: /);
    const missing = await coordinator.raw(`/api/bank/item?file=${encodeURIComponent(file)}&id=no-such-item`);
    expect(missing.status).toBe(404);
    // Started without --config, the studio has no model to draft with and says how to give one.
    expect((await coordinator.get('/api/bank/draft')).endpoints).toEqual([]);
    const noModel = await coordinator.post('/api/bank/draft', { count: 1 });
    expect(noModel.status).toBe(422);
    expect(noModel.body.error).toMatch(/start caps studio with --config FILE/);
  });

  it('scores a pasted answer against the unsaved item with caps try\'s explanation', { timeout: 180_000 }, async () => {
    const { base } = await coordinator.get(`/api/bank/item?file=${encodeURIComponent(file)}`);
    const hit = await coordinator.post('/api/bank/try', { file, base, id: null, item: NEW_ITEM, answer: '综合判断为 T2aN1M0，IIB 期。' });
    expect(hit.status).toBe(200);
    expect(hit.body.score).toBe(100);
    expect(hit.body.explanation).toMatch(/item lc-new-001 · variant clean/);
    expect(hit.body.explanation).toMatch(/score 100 \/ 100/);
    const miss = await coordinator.post('/api/bank/try', { file, base, id: null, item: NEW_ITEM, answer: '分期为 IIIA 期。' });
    expect(miss.body.score).toBe(0);
    const empty = await coordinator.post('/api/bank/try', { file, base, id: null, item: NEW_ITEM, answer: '  ' });
    expect(empty.status).toBe(422);
    const invalid = await coordinator.post('/api/bank/try', { file, base, id: null, item: { ...NEW_ITEM, rubric: { points: [] } }, answer: 'IIB' });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error).toMatch(/lint errors/);
  });

  it('saves keeping the comments, refuses a non-draft with lint errors, and refuses with a diff after an outside edit', { timeout: 180_000 }, async () => {
    const opened = await coordinator.get(`/api/bank/item?file=${encodeURIComponent(file)}`);
    const before = readFileSync(file, 'utf8');
    const comments = before.split('\n').filter((l) => l.trim().startsWith('#'));
    expect(comments.length).toBeGreaterThan(0);

    const refused = await coordinator.post('/api/bank/save', { file, base: opened.base, id: null, item: { ...NEW_ITEM, status: 'in-review', depth: 9 } });
    expect(refused.status).toBe(422);
    expect(refused.body.diagnostics.length).toBeGreaterThan(0);
    expect(readFileSync(file, 'utf8')).toBe(before);

    const admitted = await coordinator.post('/api/bank/save', { file, base: opened.base, id: null, item: { ...NEW_ITEM, status: 'admitted' } });
    expect(admitted.status).toBe(422);
    expect(admitted.body.error).toMatch(/cannot be saved as admitted: items are admitted by a review round/);

    const saved = await coordinator.post('/api/bank/save', { file, base: opened.base, id: null, item: NEW_ITEM });
    expect(saved.status).toBe(200);
    const after = readFileSync(file, 'utf8');
    expect(after.startsWith(before.trimEnd())).toBe(true);
    for (const c of comments) expect(after).toContain(c);
    expect((await lintBank([fx.bankDir])).errors).toBe(0);

    // Someone edits the file in a text editor; the page still holds the text it saved.
    writeFileSync(file, `${after}# edited outside the studio\n`);
    const stale = await coordinator.post('/api/bank/save', { file, base: saved.body.base, id: 'lc-new-001', item: { ...NEW_ITEM, depth: 3 } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatch(/changed on disk since it was opened; nothing was written/);
    expect(stale.body.diff).toContain('+# edited outside the studio');
    expect(readFileSync(file, 'utf8')).toBe(`${after}# edited outside the studio\n`);
  });

  it('runs review rounds: assignment never to the author, decisions with entry comments, revision, a 100% round then a 0% round that admits', { timeout: 180_000 }, async () => {
    const author = await new StudioClient(studio.url).signIn(invites['dr-author']);
    const a = await new StudioClient(studio.url).signIn(invites['dr-a']);
    const b = await new StudioClient(studio.url).signIn(invites['dr-b']);
    const view = await coordinator.get('/api/rounds');
    expect(view.candidates.map((i: { id: string }) => i.id)).toEqual(['lc-new-001']);

    expect((await a.post('/api/rounds/open', { reviewers: ['dr-a', 'dr-b'] })).status).toBe(403);
    expect((await coordinator.post('/api/rounds/open', { reviewers: ['nobody'] })).status).toBe(422);
    const tooFew = await coordinator.post('/api/rounds/open', { reviewers: ['dr-author', 'dr-a'], perItem: 2 });
    expect(tooFew.status).toBe(409);
    expect(tooFew.body.error).toMatch(/needs 2 reviewers who did not write it/);
    const opened = await coordinator.post('/api/rounds/open', { reviewers: ['dr-author', 'dr-a', 'dr-b'], perItem: 2 });
    expect(opened.status).toBe(200);
    expect(opened.body.event.items[0].reviewers.sort()).toEqual(['dr-a', 'dr-b']);
    expect(readFileSync(file, 'utf8')).toMatch(/id: lc-new-001\n\s+status: in-review/);

    expect((await author.post('/api/rounds/decide', { item: 'lc-new-001', decision: 'accept' })).status).toBe(409);
    expect((await a.post('/api/rounds/decide', { item: 'lc-new-001', decision: 'revise', comments: [] })).status).toBe(422);
    expect((await a.post('/api/rounds/decide', { item: 'lc-new-001', decision: 'maybe' })).status).toBe(422);
    const badEntry = await a.post('/api/rounds/decide', { item: 'lc-new-001', decision: 'revise', comments: [{ entry: 'nope', text: 'x' }] });
    expect(badEntry.status).toBe(409);
    expect(badEntry.body.error).toMatch(/has no rubric entry "nope"/);
    expect((await a.post('/api/rounds/decide', { item: 'lc-new-001', decision: 'revise', comments: [{ entry: 'stage', text: 'add the T descriptor' }] })).status).toBe(200);
    // dr-b decides without seeing dr-a's decision; the coordinator sees it.
    const seen = (client: StudioClient) => client.get('/api/rounds').then((v) => v.open.items[0].decisions.find((d: { reviewer: string }) => d.reviewer === 'dr-a'));
    expect(await seen(b)).toEqual({ reviewer: 'dr-a', decision: 'hidden', comments: [] });
    expect((await seen(coordinator)).decision).toBe('revise');
    expect((await coordinator.post('/api/rounds/close', {})).status).toBe(409);
    expect((await b.post('/api/rounds/close', {})).status).toBe(403);
    expect((await b.post('/api/rounds/decide', { item: 'lc-new-001', decision: 'accept' })).status).toBe(200);
    expect((await seen(b)).decision).toBe('revise');
    const first = await coordinator.post('/api/rounds/close', {});
    expect(first.body.round).toMatchObject({ round: 1, rate: 1, passed: false, admitted: 0 });

    const waiting = await author.get('/api/rounds');
    expect(waiting.items[0].openRequests[0].comments[0]).toEqual({ entry: 'stage', text: 'add the T descriptor' });
    expect((await author.post('/api/rounds/revise', { item: 'lc-new-001', note: 'T2a named' })).status).toBe(200);
    expect((await author.post('/api/rounds/revise', { item: 'lc-new-001' })).status).toBe(409);

    expect((await coordinator.post('/api/rounds/open', { reviewers: ['dr-author', 'dr-a', 'dr-b'], perItem: 2 })).status).toBe(200);
    for (const r of [a, b]) expect((await r.post('/api/rounds/decide', { item: 'lc-new-001', decision: 'accept' })).status).toBe(200);
    const second = await coordinator.post('/api/rounds/close', {});
    expect(second.body.round).toMatchObject({ round: 2, rate: 0, passed: true, admitted: 1 });
    expect(readFileSync(file, 'utf8')).toMatch(/id: lc-new-001\n\s+status: admitted/);

    const status = await coordinator.get('/api/rounds');
    expect(status.rounds.map((r: { rate: number }) => r.rate)).toEqual([1, 0]);
    expect(status.reviewers.find((r: { reviewer: string }) => r.reviewer === 'dr-a')).toMatchObject({ decisions: 2, revisionRequests: 1, rate: 0.5 });
    const exported = await coordinator.raw('/api/rounds/export');
    expect(exported.headers.get('content-disposition')).toMatch(/review-history\.jsonl/);
    const lines = (await exported.text()).trim().split('\n');
    const history = await readReviewHistory(join(fx.bankDir, 'review-history.jsonl'));
    expect(lines.length).toBe(history.length);
    expect(history.map((e) => e.type)).toEqual(['round-opened', 'decision', 'decision', 'round-closed', 'revised', 'round-opened', 'decision', 'decision', 'round-closed']);
    const audit = (await coordinator.get('/api/coordinator/audit')).audit as { action: string; grader: string }[];
    expect(audit.filter((r) => r.action.startsWith('review: ')).length).toBe(history.length);
    expect(audit.find((r) => r.action === 'review: revised')?.grader).toBe('dr-author');
  });
});
