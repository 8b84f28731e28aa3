/**
 * caps studio end to end in Debian's chromium against the built CLI: a coordinator creates
 * two graders, gives the calibration set its reference labels, each grader signs in with
 * the invite link, passes calibration and grades the same 20 demo answers with the keyboard;
 * the server is killed with SIGKILL mid-grading and nothing submitted is lost; the agreement
 * view's kappa equals caps calibrate on the exported labels; an adjudicated veto changes the
 * report's score; hostile markup renders as text; a LAN bind refuses a request without a token.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo, type DemoResult } from '../../src/demo/demo.js';
import { importAnswers } from '../../src/scorer/import-answers.js';
import { parseCsvRecords } from '../../src/io/csv.js';
import { PACKAGE_ROOT } from '../../src/version.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/browser.js';
import { runCaps } from '../helpers/cli.js';
import { BUILT_CLI } from '../helpers/built-cli.js';

const PLANTED = 'Planted <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> text';
const SHOTS = join(PACKAGE_ROOT, 'test-output');

interface Server {
  child: ChildProcess;
  url: string;
}

/** Starts the built `caps studio` and waits for the address it prints. */
function startServer(args: string[]): Promise<Server> {
  const child = spawn(process.execPath, [BUILT_CLI, 'studio', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((done, fail) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const url = /caps studio: (http:\/\/\S+)/.exec(out)?.[1];
      if (url) done({ child, url });
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => fail(new Error(`caps studio exited ${code}: ${err}`)));
  });
}

function stop(server: Server | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!server || server.child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    server.child.once('exit', () => done());
    server.child.kill(signal);
  });
}

async function until(page: Page, condition: string, timeout = 60_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await page.evaluate(condition))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${condition} (page at ${await page.evaluate("location.pathname + location.hash + ', notice: ' + document.getElementById('notice').textContent + ', view: ' + document.getElementById('view').textContent.slice(0, 1500)")})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

type Decide = (kind: string, index: number) => '1' | '2' | 'span';

/** Grades the open answer with the keyboard only: one key per entry, s for a selected span, Enter to submit. */
async function gradeOpenAnswer(page: Page, decide: Decide): Promise<string[][]> {
  await page.waitForSelector('#answer');
  const entries = await page.$$eval('.entry', (els) => els.map((e) => [e.getAttribute('data-entry')!, e.querySelector('.kind')!.textContent!]));
  for (const [index, [, kind]] of entries.entries()) {
    const key = decide(kind, index);
    if (key === 'span') {
      await page.evaluate(SELECT_START);
      await page.keyboard.press('s');
      await page.keyboard.press('j');
    } else await page.keyboard.press(key);
  }
  const saved = page.waitForResponse((r) => r.url().endsWith('/labels') && r.request().method() === 'POST');
  await page.keyboard.press('Enter');
  expect((await saved).status()).toBe(200);
  await page.locator('#notice', { hasText: 'Saved' }).waitFor();
  return entries;
}

/** Opens the next answer with n; false when the queue has nothing left for this grader. */
async function nextAnswer(page: Page): Promise<boolean> {
  const before = await page.evaluate('location.pathname');
  await page.keyboard.press('n');
  // waitForFunction compiles its predicate in the page, which the studio's CSP forbids: poll instead.
  await until(page, `(location.pathname !== ${JSON.stringify(before)} && document.querySelector('.grade')?.dataset.answer === location.pathname.split('/')[2]) || !!document.querySelector('.done')`);
  return (await page.$('.done')) === null;
}

const answerId = (page: Page): Promise<number> => page.evaluate("Number(location.pathname.split('/')[2])");
/** Selects the first characters of the answer, as a grader's mouse would (browser-side code, as text: the tests compile without DOM types). */
const SELECT_START = `(() => {
  const text = document.getElementById('answer').firstChild;
  const range = document.createRange();
  range.setStart(text, 0);
  range.setEnd(text, Math.min(6, text.length));
  getSelection().removeAllRanges();
  getSelection().addRange(range);
})()`;
const calibrationDecide: Decide = (kind, i) => (kind === 'point' && i % 2 === 0 ? '1' : '2');

describe('caps studio in chromium', () => {
  let dir: string;
  let demo: DemoResult;
  let runs: string;
  let server: Server | undefined;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const requests: string[] = [];
  const pageErrors: string[] = [];

  async function open(url: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && !/status of 40[19]/.test(m.text()) && pageErrors.push(m.text()));
    await page.goto(url);
    return page;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caps-studio-e2e-'));
    demo = await runDemo({ out: join(dir, 'demo') });
    runs = join(dir, 'demo', 'runs');
    const sheet = join(dir, 'planted.csv');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(sheet, `item,text\n${demo.bank.items[0].id},"${PLANTED.replace(/"/g, '""')}"\n`);
    await importAnswers({ file: sheet, respondent: 'dr-planted', bank: demo.bank, out: demo.runDir });
    // The demo run again resumes: it asks nothing and scores the planted answer with its judge, as every other answer
    // (the queue may hand it to a grader, and caps calibrate refuses labels of answers not scored).
    const first = demo.scoring.answers;
    demo = await runDemo({ out: join(dir, 'demo') });
    expect([demo.scoring.answers, demo.scoring.reused]).toEqual([first + 1, first]);
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a grading study from invite links to an adjudicated veto in the report', { timeout: 240_000 }, async () => {
    expect(existsSync(join(runs, 'studio.db'))).toBe(true); // seeded by caps demo
    server = await startServer([runs, '--port', '0']);
    const port = new URL(server.url).port;
    const coordinator = await open(`${server.url}/#/coordinator`);

    // Graders and their invite links.
    const invites: Record<string, string> = {};
    for (const name of ['dr-a', 'dr-b']) {
      await coordinator.fill('#new-name', name);
      await coordinator.click('#create-grader');
      invites[name] = (await coordinator.locator(`code.invite-url[data-grader="${name}"]`).textContent())!;
    }
    // Two answers make the calibration set; the coordinator grades their reference labels.
    const chosen = await coordinator.$$eval('.calibration-toggle:not(:checked)', (els) => els.slice(0, 2).map((e) => e.getAttribute('data-answer')!));
    for (const [i, id] of chosen.entries()) {
      await coordinator.locator(`.calibration-toggle[data-answer="${id}"]`).check();
      await until(coordinator, `document.querySelectorAll('.calibration-toggle:checked').length === ${i + 1}`);
    }
    await coordinator.goto(`${server.url}/#/grade`);
    for (let i = 0; i < 2; i++) {
      await gradeOpenAnswer(coordinator, calibrationDecide);
      expect(await nextAnswer(coordinator)).toBe(i === 0);
    }

    // Each grader passes calibration, then grades 20 answers (the same 20: two graders per answer).
    const graded: Record<string, number[]> = { 'dr-a': [], 'dr-b': [] };
    // dr-b marks every veto met (with its evidence), dr-a none: each is a disagreement to adjudicate.
    const vetoes: { id: number; entry: string }[] = [];
    const grade = async (page: Page, name: string, count: number) => {
      for (let n = 0; n < count; n++) {
        expect(await nextAnswer(page)).toBe(true);
        const id = await answerId(page);
        const index = graded[name].length;
        const entries = await gradeOpenAnswer(page, (kind, i) => {
          if (name === 'dr-b' && kind === 'veto') return 'span';
          if (kind !== 'point') return '2';
          return (name === 'dr-b' && (index + i) % 4 === 0) !== (i % 2 === 0) ? '1' : '2';
        });
        if (name === 'dr-b') for (const [entry, kind] of entries) if (kind === 'veto') vetoes.push({ id, entry });
        graded[name].push(id);
        // Once submitted, a verdict's citation is marked in the answer when its entry is chosen.
        const cited = page.locator('.reveal tr', { has: page.locator('q.citation') }).first();
        if (!citationShown && (await cited.count()) > 0) {
          const quote = (await cited.locator('q.citation mark').first().textContent())!;
          await cited.click();
          const marks = await page.locator('#answer mark.cite').allTextContents();
          expect(marks.some((m) => quote.includes(m) || m.includes(quote))).toBe(true);
          citationShown = true;
        }
      }
    };
    let citationShown = false;
    const pages: Record<string, Page> = {};
    for (const name of ['dr-a', 'dr-b']) {
      const page = (pages[name] = await open(invites[name]));
      for (let i = 0; i < 2; i++) {
        await page.waitForSelector('.tag.calibration');
        await gradeOpenAnswer(page, calibrationDecide);
        if (i === 0) expect(await nextAnswer(page)).toBe(true);
      }
      expect(await page.locator('#notice').textContent()).toMatch(/admitted/);
    }
    await grade(pages['dr-a'], 'dr-a', 20);
    await pages['dr-a'].screenshot({ path: join(SHOTS, 'studio-queue.png') });
    await grade(pages['dr-b'], 'dr-b', 10);
    expect(citationShown).toBe(true);

    // SIGKILL mid-grading: every submitted label is still there after restart.
    const db = join(runs, 'studio.db');
    const count = () => {
      const handle = new Database(db, { readonly: true });
      try {
        return (handle.prepare("SELECT count(*) AS n FROM labels l JOIN graders g ON g.id = l.grader_id WHERE g.name = 'dr-b'").get() as { n: number }).n;
      } finally {
        handle.close();
      }
    };
    const before = count();
    const verdictLines = () => readFileSync(join(demo.runDir, 'verdicts.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"grader":"dr-b"')).length;
    const linesBefore = verdictLines();
    await stop(server, 'SIGKILL');
    expect(count()).toBe(before);
    server = await startServer([runs, '--port', port]);
    expect(count()).toBe(before);
    expect(verdictLines()).toBe(linesBefore);
    const reopenedAt = requests.length;
    await pages['dr-b'].reload();
    await pages['dr-b'].waitForSelector('#answer');
    // The grading address carries its answer: reopening it asks for the page only (script and style are kept).
    expect(await answerId(pages['dr-b'])).toBe(graded['dr-b'].at(-1));
    expect(await pages['dr-b'].evaluate("document.querySelector('.grade').dataset.answer")).toBe(String(graded['dr-b'].at(-1)));
    expect(requests.slice(reopenedAt).filter((u) => u.includes('/api/'))).toEqual([]);
    await grade(pages['dr-b'], 'dr-b', 10);
    expect(graded['dr-b']).toEqual(graded['dr-a']);
    expect(vetoes.length).toBeGreaterThan(0);

    // Agreement view = caps calibrate on the exported labels.
    await coordinator.goto(`${server.url}/#/agreement`);
    await until(coordinator, `!!document.querySelector('#judge tr[data-group="overall"]')`, 120_000);
    const viewKappa = (await coordinator.locator('#judge tr[data-group="overall"] td.kappa').textContent())!.split(' ')[0];
    const viewN = Number(await coordinator.locator('#judge tr[data-group="overall"] td').nth(1).textContent());
    await coordinator.screenshot({ path: join(SHOTS, 'studio-agreement.png'), fullPage: true });
    const labels = join(dir, 'labels.csv');
    expect((await runCaps(['labels', 'export', '--db', db, '--out', labels])).code).toBe(0);
    const calibrated = await runCaps(['calibrate', '--labels', labels, '--format', 'json']);
    expect(calibrated.code).toBe(0);
    const overall = JSON.parse(calibrated.stdout).groups.find((g: { group: string }) => g.group === 'overall');
    // How many entries depends on which answers the shuffled queue gave out: the same count, and plenty of them.
    expect(overall.n).toBe(viewN);
    expect(overall.n).toBeGreaterThan(40);
    expect(viewKappa).toBe(overall.kappa.toFixed(3));

    // The planted answer's markup is text.
    const handle = new Database(db, { readonly: true });
    const planted = (handle.prepare("SELECT id FROM answers WHERE key LIKE 'dr-planted|%'").get() as { id: number }).id;
    handle.close();
    await coordinator.goto(`${server.url}/#/unit/${planted}`);
    await coordinator.waitForSelector('#adjudicate');
    expect(await coordinator.locator('#answer').textContent()).toBe(PLANTED);
    expect(await coordinator.locator('#answer img, #answer script').count()).toBe(0);
    expect(await coordinator.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();

    const keyOf = (id: number) => {
      const h = new Database(db, { readonly: true });
      try {
        return (h.prepare('SELECT key FROM answers WHERE id = ?').get(id) as { key: string }).key;
      } finally {
        h.close();
      }
    };
    const scoresOf = async (out: string) => {
      const reported = await runCaps(['report', demo.runDir, '--out', out, '--format', 'csv', '--bootstrap', '100']);
      expect(reported.code, reported.stderr).toBe(0);
      const rows = parseCsvRecords(readFileSync(join(out, 'answers.csv'), 'utf8').replace(/^\uFEFF/, ''), 'answers.csv', { required: ['key'], optional: ['respondent', 'respondent_kind', 'item', 'topic', 'depth', 'variant', 'variant_kind', 'turn', 'sample', 'status', 'score', 'points_met', 'points_total', 'deductions_fired', 'zeroed_by', 'vetoed_by', 'error', 'text'] });
      return new Map(rows.map((r) => [r.values.key, r.values]));
    };
    // The veto to adjudicate: one on an answer the report scores above 0 (the physicians tie 1-1, so nothing changed it yet).
    const reportBefore = await scoresOf(join(dir, 'report-before'));
    const vetoAnswer = vetoes.find((v) => Number(reportBefore.get(keyOf(v.id))?.score) > 0)!;
    expect(vetoAnswer).toBeDefined();
    const key = keyOf(vetoAnswer.id);
    const beforeScore = reportBefore.get(key)!;
    // The coordinator adjudicates the veto the two physicians disagree on: met, with its evidence.
    await coordinator.goto(`${server.url}/#/unit/${vetoAnswer.id}/${encodeURIComponent(vetoAnswer.entry)}`);
    // Only the hash changes: wait for this answer's view, not the one still on screen.
    await coordinator.locator('.entries-nav a.current', { hasText: vetoAnswer.entry }).waitFor();
    await coordinator.locator('h2', { hasText: `Answer #${vetoAnswer.id} ` }).waitFor();
    await coordinator.evaluate(SELECT_START);
    await coordinator.keyboard.press('s');
    await coordinator.keyboard.press('1');
    await coordinator.fill('#adjudication-reason', 'the answer tells the patient to wait: veto applies');
    await coordinator.click('#adjudicate');
    await coordinator.waitForSelector('.final');
    await coordinator.screenshot({ path: join(SHOTS, 'studio-adjudication.png'), fullPage: true });

    expect(beforeScore.vetoed_by).not.toContain(vetoAnswer.entry);
    // The adjudication is in the run's verdicts.jsonl: caps score applies it over judge and matchers.
    const rescored = await runCaps(['score', demo.runDir]);
    expect(rescored.code, rescored.stderr).toBe(0);
    const afterScore = (await scoresOf(join(dir, 'report-after'))).get(key)!;
    expect(afterScore.vetoed_by).toContain(vetoAnswer.entry);
    expect(Number(afterScore.score)).toBe(0);
    expect(Number(beforeScore.score)).toBeGreaterThan(0);

    const origins = new Set(requests.map((r) => new URL(r).origin));
    expect([...origins].every((o) => /^http:\/\/127\.0\.0\.1:\d+$/.test(o))).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('refuses a request without a token when bound to a LAN address', async () => {
    const lanDb = join(dir, 'lan', 'studio.db');
    mkdirSync(join(dir, 'lan'), { recursive: true });
    cpSync(join(runs, 'studio.db'), lanDb);
    const lan = await startServer([runs, '--db', lanDb, '--host', '127.0.0.2', '--port', '0']);
    try {
      expect(lan.url).toMatch(/^http:\/\/127\.0\.0\.2:/);
      const page = await open(`${lan.url}/`);
      expect(await page.locator('body').textContent()).toMatch(/401 Not signed in/);
      const api = await page.request.get(`${lan.url}/api/me`);
      expect(api.status()).toBe(401);
    } finally {
      await stop(lan);
    }
  }, 60_000);
});
