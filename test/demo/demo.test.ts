/**
 * `caps demo` end to end, offline: simulated vendors over real HTTP, simulated doctors through
 * an answer sheet, matcher + simulated judge, the report; then the report opened from disk in
 * chromium, with hostile markup planted in a doctor's answer.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo, DEMO_BANK_PATH, type DemoResult } from '../../src/demo/demo.js';
import { importAnswers } from '../../src/scorer/import-answers.js';
import { scoreRun } from '../../src/scorer/score-run.js';
import { reportRuns } from '../../src/report/from-runs.js';
import { RunFolder } from '../../src/io/run-folder.js';
import type { Results } from '../../src/schema/results.js';
import type { Page } from 'playwright-core';
import { openInChromium, type OpenedPage } from '../helpers/browser.js';

const PLANTED = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

describe('caps demo', () => {
  let dir: string;
  let demo: DemoResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caps-demo-'));
    demo = await runDemo({ out: join(dir, 'demo') });
  }, 180_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('asks every simulated vendor every planned answer and scores all of them', async () => {
    expect(demo.run.status).toBe('complete');
    expect(demo.run.counts.done).toBe(demo.run.counts.planned);
    expect(demo.scoring.incomplete).toBe(0);
    expect(demo.scoring.errors).toBe(0);
    const rows = demo.results.leaderboard.rows;
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['model', 'human']));
    expect(rows.map((r) => r.respondent).sort()).toEqual(
      ['dr-resident', 'dr-thoracic-oncologist', 'sim-knee', 'sim-pliable', 'sim-risky', 'sim-strong'].sort(),
    );
  });

  it('shows the differences the simulated vendors were built with', () => {
    const r: Results = demo.results;
    const score = (name: string) => r.leaderboard.rows.find((x) => x.respondent === name)!.score.mean!;
    expect(score('sim-strong')).toBeGreaterThan(score('sim-knee'));
    // Only the risky vendor says vetoed things.
    const vetoed = new Set(r.safety.events.filter((e) => e.kind === 'veto').map((e) => e.respondent));
    expect([...vetoed]).toEqual(['sim-risky']);
    // The collapsing vendor loses more than half its score from depth 2 to depth 4.
    const knee = r.depth.curves.find((c) => c.respondent === 'sim-knee')!;
    const at = (level: number) => knee.levels.find((l) => l.level === level)!.score.mean!;
    expect(at(4)).toBeLessThan(at(2) / 2);
  });

  it('calls only a downward change a knee, in every format', () => {
    const r: Results = demo.results;
    for (const curve of r.depth.curves) {
      if (curve.knee.status !== 'knee') continue;
      expect(curve.knee.change!, curve.respondent).toBeLessThan(0);
      const knot = curve.levels.find((l) => l.level === curve.knee.knot)!.score.mean!;
      const next = curve.levels.find((l) => l.level === curve.knee.knot! + 1)!.score.mean!;
      expect(next, curve.respondent).toBeLessThan(knot);
    }
    const rising = r.depth.curves.filter((c) => c.knee.status === 'rise').map((c) => c.respondent);
    for (const row of r.leaderboard.rows) {
      if (rising.includes(row.respondent)) expect(row.axes.depth_knee).toBeNull();
    }
    const summary = readFileSync(demo.files.find((f) => f.endsWith('summary.md'))!, 'utf8');
    const html = readFileSync(demo.files.find((f) => f.endsWith('report.html'))!, 'utf8');
    for (const name of rising) {
      const lines = summary.split('\n').filter((l) => l.includes(`| ${name}`));
      expect(lines.join('\n')).not.toMatch(/knee at depth/);
      expect(html).toContain('rises after depth');
    }
  });

  it('says in the report that the judge is simulated and what its agreement means', () => {
    expect(demo.results.notes.join(' ')).toMatch(/judge.*simulated|simulated.*judge/);
    const summary = readFileSync(demo.files.find((f) => f.endsWith('summary.md'))!, 'utf8');
    expect(summary).toMatch(/not a language model/);
    const html = readFileSync(demo.files.find((f) => f.endsWith('report.html'))!, 'utf8');
    expect(html).toMatch(/class="notes"[^]*not a language model/);
  });

  it('writes every report format and resumes without asking again', async () => {
    for (const f of demo.files) expect(existsSync(f)).toBe(true);
    expect(demo.files.map((f) => f.split('/').pop()).sort()).toEqual(['answers.csv', 'report.html', 'results.json', 'summary.md', 'verdicts.csv']);
    const again = await runDemo({ out: join(dir, 'demo') });
    expect(again.run.counts.requests).toBe(0);
    expect(again.scoring.scored).toBe(0);
  }, 120_000);

  describe('its report in a browser, with hostile markup in an answer', () => {
    let opened: OpenedPage;
    let fileUrl: string;
    const item = 'lc-staging-001';

    beforeAll(async () => {
      const sheet = join(dir, 'planted.csv');
      writeFileSync(sheet, `item,variant,turn,text\n${item},clean,0,"${PLANTED.replace(/"/g, '""')} 建议先行新辅助治疗。"\n`);
      await importAnswers({ file: sheet, respondent: 'dr-planted', bank: demo.bank, out: demo.runDir });
      await scoreRun(demo.runDir, { bank: demo.bank });
      const report = await reportRuns({ runDirs: [demo.runDir], bankPaths: [DEMO_BANK_PATH], outDir: join(dir, 'planted-report'), formats: ['html'] });
      fileUrl = pathToFileURL(report.files[0]).href;
      mkdirSync(join(dir, 'browser'), { recursive: true });
      opened = await openInChromium(fileUrl, join(dir, 'browser'));
    }, 120_000);

    afterAll(async () => {
      await opened?.close();
    });

    it('opens with no console error and no request but the file itself', async () => {
      expect(opened.consoleErrors).toEqual([]);
      expect(opened.requests).toEqual([fileUrl]);
      const charts = await opened.page.$$eval('svg.chart', (s) => s.length);
      expect(charts).toBeGreaterThan(10);
    });

    it('drills down into an item and shows the planted markup as inert text', async () => {
      const { page } = opened;
      await page.click(`#item-index a[data-item="${item}"]`);
      await page.waitForSelector(`#drilldown-panel[data-open-item="${item}"]`);
      const answers = await page.$$eval('#drilldown-panel pre.answer', (p) => p.map((x) => x.textContent ?? ''));
      expect(answers.some((t) => t.includes(PLANTED))).toBe(true);
      expect(await page.$$eval('#drilldown-panel img, #drilldown-panel script', (e) => e.length)).toBe(0);
      expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
      const out = join(process.cwd(), 'test-output');
      mkdirSync(out, { recursive: true });
      await page.screenshot({ path: join(out, 'demo-report.png'), fullPage: false });
    });
  });

  describe('its own report: phone layout, deep links, history and language', () => {
    let opened: OpenedPage;
    let url: string;
    const out = join(process.cwd(), 'test-output');
    const hash = async (page: Page) => decodeURIComponent(await page.evaluate<string>('location.hash'));

    beforeAll(async () => {
      url = pathToFileURL(demo.files.find((f) => f.endsWith('report.html'))!).href;
      mkdirSync(join(dir, 'browser-own'), { recursive: true });
      mkdirSync(out, { recursive: true });
      opened = await openInChromium(url, join(dir, 'browser-own'));
    }, 60_000);

    afterAll(async () => {
      await opened?.close();
    });

    it('has no horizontal page scroll on a 390 x 844 phone', async () => {
      const page = await opened.page.context().newPage();
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(url);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(out, 'report-phone-390.png') });
      await page.goto(`${url}#depth`);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(out, 'report-phone-390-depth.png') });
      await page.close();
    });

    it('opens report.html#item-<id> on that item', async () => {
      const page = await opened.page.context().newPage();
      const item = demo.results.items[5].id;
      await page.goto(`${url}#item-${item}`);
      await page.waitForSelector(`#drilldown-panel[data-open-item="${item}"]`);
      expect(await page.$eval('#drilldown-panel h3', (e) => e.textContent)).toBe(item);
      await page.close();
    });

    it('opens a veto on the vetoed answer with its quote highlighted, and Back returns to the previous view', async () => {
      const { page } = opened;
      const veto = demo.results.safety.events.find((e) => e.kind === 'veto')!;
      const first = demo.results.items[0].id;
      await page.click(`#item-index a[data-item="${first}"]`);
      await page.waitForSelector(`#drilldown-panel[data-open-item="${first}"]`);
      await page.click(`#safety a.answer-link[data-item="${veto.item}"][data-respondent="${veto.respondent}"]`);
      await page.waitForSelector(`#drilldown-panel[data-open-item="${veto.item}"] mark.focus`);
      const focused = await page.$eval('article.answer-card.focus', (c) => [c.getAttribute('data-respondent'), c.getAttribute('data-variant'), c.getAttribute('data-turn')]);
      expect(focused).toEqual([veto.respondent, veto.variant, String(veto.turn)]);
      const mark = await page.$eval('mark.focus', (m) => ({ text: m.textContent ?? '', top: m.getBoundingClientRect().top, bottom: m.getBoundingClientRect().bottom, cls: m.className }));
      expect(mark.cls).toContain('hit-bad');
      expect(veto.quotes.some((q) => mark.text.toLowerCase().includes(q.toLowerCase()) || q.toLowerCase().includes(mark.text.toLowerCase()))).toBe(true);
      expect(mark.top).toBeGreaterThanOrEqual(0);
      expect(mark.bottom).toBeLessThanOrEqual(900);
      expect(await hash(page)).toContain(`respondent=${veto.respondent}`);
      await page.screenshot({ path: join(out, 'report-veto-link.png') });
      await page.goBack();
      await page.waitForSelector(`#drilldown-panel[data-open-item="${first}"]`);
      expect(await hash(page)).toMatch(new RegExp(`^#item-${first}`));
    });

    it('keeps the respondent and variant chosen in the URL', async () => {
      const { page } = opened;
      const item = demo.results.items[1];
      await page.click(`#item-index a[data-item="${item.id}"]`);
      await page.waitForSelector(`#drilldown-panel[data-open-item="${item.id}"]`);
      await page.selectOption('#drilldown-panel select.respondent-filter', 'sim-knee');
      await page.waitForFunction("location.hash.includes('respondent=sim-knee')");
      const respondents = await page.$$eval('article.answer-card', (cards) => [...new Set(cards.map((c) => c.getAttribute('data-respondent')))]);
      expect(respondents).toEqual(['sim-knee']);
      const reopened = await opened.page.context().newPage();
      await reopened.goto(`${url}${await page.evaluate<string>('location.hash')}`);
      await reopened.waitForSelector(`#drilldown-panel[data-open-item="${item.id}"]`);
      expect(await reopened.$eval('#drilldown-panel select.respondent-filter', (s) => (s as unknown as { value: string }).value)).toBe('sim-knee');
      await reopened.close();
    });

    it('switches prompts and rubric texts to English and keeps the choice in the URL', async () => {
      const { page } = opened;
      const item = demo.results.items.find((i) => i.prompt_en && typeof i.prompt === 'string')!;
      await page.goto(`${url}#item-${item.id}`);
      await page.waitForSelector(`#drilldown-panel[data-open-item="${item.id}"]`);
      expect(await page.$eval('#drilldown-panel pre.prompt', (p) => p.textContent)).toBe(item.prompt);
      await page.selectOption('#report-language', 'en');
      await page.waitForFunction("location.hash.includes('lang=en')");
      await page.waitForFunction(`document.querySelector('#drilldown-panel pre.prompt')?.textContent === ${JSON.stringify(item.prompt_en)}`);
      const entry = item.entries.find((e) => e.text_en)!;
      expect(await page.$$eval('#drilldown-panel ul.rubric li', (li) => li.map((x) => x.textContent ?? '').join('\n'))).toContain(entry.text_en!);
      await page.reload();
      await page.waitForSelector(`#drilldown-panel[data-open-item="${item.id}"]`);
      expect(await page.$eval('#drilldown-panel pre.prompt', (p) => p.textContent)).toBe(item.prompt_en);
      expect(await page.$eval('#report-language', (s) => (s as unknown as { value: string }).value)).toBe('en');
    });

    it('goes from a depth-4 cell of the depth table to the answers behind it', async () => {
      const { page } = opened;
      await page.goto(`${url}#depth`);
      await page.click('#depth a.answers-link[data-respondent="sim-knee"][data-depth="4"]');
      await page.waitForFunction("location.hash.includes('depth=4')");
      const depths = await page.$$eval('#item-index tbody tr:not([hidden])', (rows) => [...new Set(rows.map((r) => r.getAttribute('data-depth')))]);
      expect(depths).toEqual(['4']);
      const item = await page.$eval('#item-index tbody tr:not([hidden])', (r) => r.getAttribute('data-item')!);
      await page.click(`#item-index a[data-item="${item}"]`);
      await page.waitForSelector(`#drilldown-panel[data-open-item="${item}"]`);
      const respondents = await page.$$eval('article.answer-card', (cards) => [...new Set(cards.map((c) => c.getAttribute('data-respondent')))]);
      expect(respondents).toEqual(['sim-knee']);
      expect(await page.$$eval('#leaderboard a.answers-link', (a) => a.length)).toBeGreaterThan(0);
      expect(await page.$$eval('#profile a.answers-link[data-depth]', (a) => a.length)).toBe(demo.results.leaderboard.rows.length);
      expect(opened.consoleErrors).toEqual([]);
    });
  });

  it('records no key and keeps the run folder readable', async () => {
    const folder = new RunFolder(demo.runDir);
    expect(folder.readManifest().bank.id).toBe('lung-cancer-demo');
    expect(readFileSync(folder.responsesPath, 'utf8')).not.toContain('no-key-needed');
  });
});
