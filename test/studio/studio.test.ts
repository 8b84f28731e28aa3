/**
 * caps studio over real HTTP on 127.0.0.1 with a real SQLite file: access, the blind queue
 * and its reservations, refusals (same slot, stale page, bank changed on disk), adjudication
 * and physicians' labels as a verdict source, doctors as respondents, and labels export
 * read back by caps calibrate and caps import-verdicts.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStudio, type Studio } from '../../src/studio/server.js';
import { calibrate } from '../../src/scorer/calibrate.js';
import { importVerdicts } from '../../src/interop/import-verdicts.js';
import { exportLabels } from '../../src/studio/labels-export.js';
import { agreementView } from '../../src/studio/agreement.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { ExternalVerdict } from '../../src/schema/external-verdict.js';
import type { Citation } from '../../src/schema/score.js';
import { studioFixture, type StudioFixture } from './fixture.js';
import { StudioClient, labelsFor } from './client.js';

describe('caps studio server', () => {
  let fx: StudioFixture;
  let studio: Studio;
  let coordinator: StudioClient;
  const invites: Record<string, string> = {};

  beforeAll(async () => {
    fx = await studioFixture(12);
    studio = await startStudio({ runDirs: [fx.runDir], port: 0 });
    coordinator = await new StudioClient(studio.url).signIn();
    for (const [name, role] of [['dr-a', 'physician'], ['dr-b', 'physician'], ['dr-c', 'physician'], ['senior', 'senior']]) {
      const made = await coordinator.post<{ invite: string }>('/api/coordinator/graders', { name, role });
      expect(made.status).toBe(200);
      invites[name] = made.body.invite;
    }
  });
  afterAll(async () => {
    await studio.close();
    rmSync(fx.dir, { recursive: true, force: true });
  });

  it('sends a strict CSP and an HttpOnly SameSite=Strict session cookie, and refuses writes without the CSRF token', async () => {
    const anonymous = new StudioClient(studio.url);
    const page = await anonymous.raw('/');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).toContain("require-trusted-types-for 'script'");
    expect(page.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    const noToken = await anonymous.raw('/api/coordinator/graders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x","role":"physician"}' });
    expect(noToken.status).toBe(403);
    const foreign = await coordinator.raw('/api/coordinator/graders', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': coordinator.csrf, origin: 'http://evil.example' }, body: '{"name":"x","role":"physician"}' });
    expect(foreign.status).toBe(403);
    expect((await anonymous.raw('/invite/not-a-token')).status).toBe(401);
    // fetch cannot set Host: node:http can, as a rebinding page's request would arrive.
    const rebound = await new Promise<number>((done, fail) => {
      const url = new URL(studio.url);
      request({ host: url.hostname, port: url.port, path: '/api/me', headers: { host: 'attacker.example' } }, (r) => (r.resume(), done(r.statusCode!))).on('error', fail).end();
    });
    expect(rebound).toBe(403);
  });

  it('gives N graders the same answer, never a third, and keeps identity and verdicts hidden until submitted', async () => {
    const a = await new StudioClient(studio.url).signIn(invites['dr-a']);
    const b = await new StudioClient(studio.url).signIn(invites['dr-b']);
    const c = await new StudioClient(studio.url).signIn(invites['dr-c']);
    const first = await a.get('/api/next');
    expect((await a.get('/api/next')).answer).toBe(first.answer);
    expect((await b.get('/api/next')).answer).toBe(first.answer);
    const third = await c.get('/api/next');
    expect(third.answer).not.toBe(first.answer);
    expect((await c.post(`/api/answers/${first.answer}/labels`, { base: 0, bankHash: '', labels: [] })).status).toBe(409);

    const answer = await a.get(`/api/answers/${first.answer}`);
    expect(JSON.stringify(answer)).not.toMatch(/model-a|model-b/);
    expect(answer.reveal).toBeNull();
    const veto = answer.rubric.find((e: { kind: string }) => e.kind === 'veto' || e.kind === 'deduction');
    const missingSpan = labelsFor(answer).map((l: { entry: string }) => (l.entry === veto.id ? { entry: l.entry, met: true } : l));
    expect((await a.post(`/api/answers/${first.answer}/labels`, { base: 0, bankHash: answer.bankHash, labels: missingSpan })).status).toBe(422);
    expect((await a.post(`/api/answers/${first.answer}/labels`, { base: 0, bankHash: answer.bankHash, labels: labelsFor(answer).slice(1) })).status).toBe(422);
    const cannot = labelsFor(answer).map((l: { entry: string }, i: number) => (i === 0 ? { entry: l.entry, met: null } : l));
    expect((await a.post(`/api/answers/${first.answer}/labels`, { base: 0, bankHash: answer.bankHash, labels: cannot })).status).toBe(422);

    // Two pages of the same grader submit the same slot: the second is refused, not merged.
    const ok = await a.post(`/api/answers/${first.answer}/labels`, { base: 0, bankHash: answer.bankHash, labels: labelsFor(answer, { [veto.id]: true }) });
    expect(ok.status).toBe(200);
    const stale = await a.post(`/api/answers/${first.answer}/labels`, { base: 0, bankHash: answer.bankHash, labels: labelsFor(answer) });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatch(/out of date/);
    const revealed = await a.get(`/api/answers/${first.answer}`);
    expect(revealed.reveal.respondent).toMatch(/model-/);
    // The matchers' verdicts come with their quotes located in the answer, as scored.
    const scored = (await new RunFolder(fx.runDir).latestScores()).get(studio.context.store.answer(first.answer)!.key)!;
    expect(revealed.reveal.verdicts.map((v: { matcher: { citations: Citation[] } | null }) => v.matcher?.citations)).toEqual(scored.verdicts.map((v) => v.matcher?.citations ?? (v.matcher ? [] : undefined)));
    // Where an answer meets entries, the citations locate each quote in the text shown.
    const coordinator = await new StudioClient(studio.url).signIn();
    const units = await Promise.all(studio.context.store.answerIds({ runs: [fx.runDir] }).map((row) => coordinator.get(`/api/review/units/${row.id}`)));
    const cited = units.flatMap((u) => u.verdicts.flatMap((v: { matcher: { citations: Citation[] } | null }) => (v.matcher?.citations ?? []).map((c) => ({ c, text: u.text as string }))));
    expect(cited.length).toBeGreaterThan(0);
    for (const { c, text } of cited) expect(text.slice(c.start, c.end)).toBe(c.quote);

    const bAnswer = await b.get(`/api/answers/${first.answer}`);
    expect((await b.post(`/api/answers/${first.answer}/labels`, { base: 0, bankHash: bAnswer.bankHash, labels: labelsFor(bAnswer) })).status).toBe(200);

    const lines = readFileSync(join(fx.runDir, 'verdicts.jsonl'), 'utf8').trim().split('\n').map((l) => ExternalVerdict.parse(JSON.parse(l)));
    expect(lines.filter((v) => v.source === 'physician' && v.grader === 'dr-a')).toHaveLength(answer.rubric.length);
    const vetoLine = lines.find((v) => v.grader === 'dr-a' && v.entry === veto.id)!;
    expect(vetoLine).toMatchObject({ met: true, span: { start: 0, end: 4 }, quote: answer.text.slice(0, 4) });

    // A senior adjudicates the entry the two physicians disagree on; a physician may not.
    expect((await a.post(`/api/review/units/${first.answer}/adjudicate`, { entry: veto.id, met: false, reason: 'x', bankHash: answer.bankHash })).status).toBe(403);
    const senior = await new StudioClient(studio.url).signIn(invites.senior);
    const agreement = await senior.get('/api/review/agreement?resamples=100');
    expect(agreement.disagreements.some((d: { answer: number; entry: string }) => d.answer === first.answer && d.entry === veto.id)).toBe(true);
    const adjudicated = await senior.post(`/api/review/units/${first.answer}/adjudicate`, { entry: veto.id, met: true, span: { start: 0, end: 4 }, reason: 'the answer delays treatment', bankHash: answer.bankHash });
    expect(adjudicated.status).toBe(200);
    const last = JSON.parse(readFileSync(join(fx.runDir, 'verdicts.jsonl'), 'utf8').trim().split('\n').pop()!);
    expect(last).toMatchObject({ source: 'adjudication', grader: 'senior', entry: veto.id, met: true, reason: 'the answer delays treatment' });

    // The export feeds caps calibrate (same numbers as the agreement view) and caps import-verdicts.
    const file = join(fx.dir, 'labels.csv');
    const exported = exportLabels(studio.context.store, studio.context.corpus, file);
    expect(exported.labels).toBe(answer.rubric.length * 2 + 1);
    const view = await agreementView(studio.context.store, studio.context.corpus, 100);
    const report = await calibrate({ labels: file, rater: 'matcher', resamples: 100 });
    expect('groups' in view.matcher && view.matcher.groups[0].kappa).toBe(report.groups[0].kappa);
    expect(report.groups[0].n).toBe(view.matcher && 'compared' in view.matcher ? view.matcher.compared : -1);
    const jsonl = join(fx.dir, 'labels.jsonl');
    exportLabels(studio.context.store, studio.context.corpus, jsonl);
    const imported = await importVerdicts({ file: jsonl, runDir: fx.runDir, bank: studio.context.corpus.bank });
    expect(imported.answers).toBe(1);
    const score = (await new RunFolder(fx.runDir).latestScores()).get(studio.context.store.answer(first.answer)!.key)!;
    expect(score.verdicts.find((v) => v.entry === veto.id)).toMatchObject({ met: true, decided_by: 'adjudication' });
    if (veto.kind === 'veto') expect(score.vetoed_by).toContain(veto.id);
  });

  it('refuses a submit once the bank changed on disk, and says so', async () => {
    const d = await new StudioClient(studio.url).signIn(invites['dr-c']);
    const next = await d.get('/api/next');
    const answer = await d.get(`/api/answers/${next.answer}`);
    const first = fx.bank.files[0];
    const firstText = readFileSync(first, 'utf8');
    let restore: (() => void) | undefined;
    try {
      writeFileSync(first, `${firstText}\n# a comment changes nothing\n`);
      restore = () => writeFileSync(first, firstText);
      expect((await d.post(`/api/answers/${next.answer}/labels`, { base: 0, bankHash: answer.bankHash, labels: labelsFor(answer) })).status).toBe(200);
      const other = await d.get('/api/next');
      const second = await d.get(`/api/answers/${other.answer}`);
      const entry = second.rubric[0];
      const file = fx.bank.files.find((f) => readFileSync(f, 'utf8').includes(entry.text))!;
      const original = readFileSync(file, 'utf8');
      restore();
      restore = () => writeFileSync(file, original);
      writeFileSync(file, original.replace(entry.text, `${entry.text}（修订）`));
      const refused = await d.post(`/api/answers/${other.answer}/labels`, { base: 0, bankHash: second.bankHash, labels: labelsFor(second) });
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatch(/changed on disk/);
    } finally {
      restore?.();
    }
  });

  it('lets a physician answer a multi-turn item turn by turn, into a run folder of their own', async () => {
    const d = await new StudioClient(studio.url).signIn(invites['dr-a']);
    const { forms } = await d.get('/api/respond');
    const multi = forms.find((f: { kind: string }) => f.kind === 'multi-turn');
    const path = `/api/respond/${encodeURIComponent(multi.item)}/${encodeURIComponent(multi.variant)}`;
    for (let turn = 0; turn < multi.turns; turn++) {
      const form = await d.get(path);
      expect(form.turn).toBe(turn);
      expect((await d.post(path, { turn, text: `第${turn}轮回答 <script>x</script>` })).status).toBe(200);
    }
    expect((await d.get(path)).finished).toBe(true);
    const run = new RunFolder(studio.context.answersRun);
    const records = [...(await run.latestResponses()).values()];
    expect(records).toHaveLength(multi.turns);
    expect(records.every((r) => r.respondent === 'dr-a' && r.respondent_kind === 'human')).toBe(true);
    expect(records.at(-1)!.messages.filter((m) => m.role === 'assistant')).toHaveLength(multi.turns - 1);
    expect(run.readManifest().respondents).toEqual([{ name: 'dr-a', kind: 'human' }]);
  });

  it('keeps comments on answers and entries: a physician sees their own, a senior every one, all in the audit log', async () => {
    const a = await new StudioClient(studio.url).signIn(invites['dr-a']);
    const b = await new StudioClient(studio.url).signIn(invites['dr-b']);
    const mine = async (client: StudioClient) => {
      const { answer } = await client.get('/api/next');
      return client.get(`/api/answers/${answer}`);
    };
    const [viewA, viewB] = [await mine(a), await mine(b)];
    const entry = viewA.rubric[0].id;
    const saved = await a.post(`/api/answers/${viewA.id}/comments`, { entry, text: '  剂量单位写错了 <b>mg</b>  ' });
    expect(saved.status).toBe(200);
    expect(saved.body.comments).toEqual([expect.objectContaining({ grader: 'dr-a', entry, text: '剂量单位写错了 <b>mg</b>' })]);
    expect((await b.post(`/api/answers/${viewB.id}/comments`, { entry: null, text: 'the question is ambiguous' })).status).toBe(200);
    // Refusals: an empty comment, an entry the rubric lacks, an answer outside the physician's queue.
    expect((await a.post(`/api/answers/${viewA.id}/comments`, { entry, text: '   ' })).status).toBe(422);
    expect((await a.post(`/api/answers/${viewA.id}/comments`, { entry: 'no-such-entry', text: 'x' })).status).toBe(422);
    const foreign = studio.context.store.db.prepare('SELECT a.id FROM answers a WHERE NOT EXISTS (SELECT 1 FROM slots s JOIN graders g ON g.id = s.grader_id WHERE s.answer_id = a.id AND g.name = ?) AND a.calibration = 0').get('dr-a') as { id: number };
    expect((await a.post(`/api/answers/${foreign.id}/comments`, { entry: null, text: 'x' })).status).toBe(409);

    const ownA = (await a.get('/api/comments')).comments;
    expect(ownA.map((c: { grader: string }) => c.grader)).toEqual(['dr-a']);
    expect((await a.get(`/api/answers/${viewA.id}`)).comments).toHaveLength(1);
    const senior = await new StudioClient(studio.url).signIn(invites['senior']);
    const all = await senior.get('/api/comments');
    expect(all.everyone).toBe(true);
    expect(all.comments.map((c: { grader: string; answer: number }) => [c.grader, c.answer])).toEqual([['dr-b', viewB.id], ['dr-a', viewA.id]]);
    expect((await senior.get(`/api/review/units/${viewA.id}`)).comments.map((c: { text: string }) => c.text)).toContain('剂量单位写错了 <b>mg</b>');
    const audit = (await coordinator.get('/api/coordinator/audit')).audit.filter((x: { action: string }) => x.action === 'comment');
    expect(audit).toHaveLength(2);
  });

  it("puts a doctor's typed answer into the grading queue at once (never into the author's own), and freezes it once graded", async () => {
    const author = await new StudioClient(studio.url).signIn(invites['dr-c']);
    const clean = (await author.get('/api/respond')).forms.find((f: { kind: string }) => f.kind === 'clean');
    const path = `/api/respond/${encodeURIComponent(clean.item)}/clean`;
    expect((await author.post(path, { turn: 0, text: '建议先行胸部增强CT评估病灶。' })).status).toBe(200);
    const key = `dr-c|${clean.item}|clean|t0|s0`;
    const row = studio.context.store.db.prepare('SELECT a.id FROM answers a JOIN runs r ON r.id = a.run_id WHERE r.dir = ? AND a.key = ?').get(studio.context.answersRun, key) as { id: number } | undefined;
    expect(row).toBeDefined();
    // Another physician reaches it through the queue, without a restart; the author never does.
    const seen = async (client: StudioClient) => {
      const ids: number[] = [];
      for (;;) {
        const next = await client.get('/api/next');
        if (next.answer === undefined) return ids;
        ids.push(next.answer);
        const view = await client.get(`/api/answers/${next.answer}`);
        expect((await client.post(`/api/answers/${next.answer}/labels`, { base: view.base, bankHash: view.bankHash, labels: labelsFor(view) })).status).toBe(200);
      }
    };
    expect(await seen(author)).not.toContain(row!.id);
    const other = await new StudioClient(studio.url).signIn(invites['senior']);
    const view = await other.get(`/api/answers/${(await seen(other)).find((id) => id === row!.id) ?? 0}`);
    expect(view.text).toBe('建议先行胸部增强CT评估病灶。');
    const changed = await author.post(path, { turn: 0, text: 'changed after grading' });
    expect(changed.status).toBe(409);
    expect(changed.body.error).toMatch(/already been graded/);
  });
});

describe('a grading address (/grade/N)', () => {
  const MARKUP = 'Close it: </script><script>window.__pwned=1</script><!-- and \u2028 a line separator';
  let fx: StudioFixture;
  let studio: Studio;

  beforeAll(async () => {
    fx = await studioFixture(4, (i) => `${MARKUP} ${i}`);
    studio = await startStudio({ runDirs: [fx.runDir], port: 0 });
  });
  afterAll(async () => {
    await studio.close();
    rmSync(fx.dir, { recursive: true, force: true });
  });

  const served = (html: string) => /<script type="application\/json" id="answer-data">([^<]*)<\/script>/.exec(html)?.[1];

  it('carries its answer in the page as inert JSON, the same the API gives, and only to the grader it is reserved for', async () => {
    const coordinator = await new StudioClient(studio.url).signIn();
    const invite = async (name: string) => (await coordinator.post<{ invite: string }>('/api/coordinator/graders', { name, role: 'physician' })).body.invite;
    const a = await new StudioClient(studio.url).signIn(await invite('dr-a'));
    const b = await new StudioClient(studio.url).signIn(await invite('dr-b'));
    const { answer } = await a.get('/api/next');
    const page = await a.raw(`/grade/${answer}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('server-timing')).toMatch(/^page;dur=[\d.]+$/);
    const html = await page.text();
    // No "<" inside the block: the answer's markup cannot close it or open a script.
    const block = served(html)!;
    expect(block).toBeDefined();
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(JSON.parse(block)).toEqual(await a.get(`/api/answers/${answer}`));
    expect(JSON.parse(block).text).toContain(MARKUP);
    // Not reserved for dr-b, a missing answer, a bad address: the page comes without it and the script asks (and says why).
    for (const path of [`/grade/${answer}`, '/grade/99999', '/grade/0']) {
      const other = await b.raw(path);
      expect(other.status).toBe(200);
      expect(served(await other.text())).toBeUndefined();
    }
  });
});
