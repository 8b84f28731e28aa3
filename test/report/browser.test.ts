/**
 * Opens a generated report in a real browser (Debian's chromium through playwright-core),
 * from disk, and checks what a reader relies on: no errors, no network, every chart, a
 * working drill-down, and planted markup in an answer shown as text and never run.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openInChromium, type OpenedPage } from '../helpers/browser.js';
import { buildReport } from '../../src/report/build.js';
import type { Results } from '../../src/schema/results.js';
import { makeResults, PLANTED, PLANTED_ITEM } from './fixture.js';

describe('HTML report in a browser', () => {
  let dir: string;
  let opened: OpenedPage;
  let page: Page;
  let results: Results;
  let fileUrl: string;
  let consoleErrors: string[];
  let requests: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caps-report-browser-'));
    results = makeResults({ items: 40, respondents: 4 });
    const { files } = await buildReport({ results, outDir: join(dir, 'report'), formats: ['html'] });
    fileUrl = pathToFileURL(files[0]).href;
    opened = await openInChromium(fileUrl, dir);
    ({ page, consoleErrors, requests } = opened);
  });

  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens with no console error and no network request but the file itself', async () => {
    await page.waitForTimeout(50);
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([fileUrl]);
    expect(await page.title()).toContain(results.bank.id);
  });

  it('draws every chart of every section', async () => {
    const counts = await page.$$eval('section[data-section]', (sections) =>
      Object.fromEntries(sections.map((s) => [s.getAttribute('data-section'), s.querySelectorAll('svg.chart').length])),
    );
    const curves = results.depth.curves.length;
    expect(counts).toEqual({
      leaderboard: 2,
      pairs: 1,
      profile: 1,
      depth: curves + (curves > 1 && curves <= 8 ? 1 : 0),
      distraction: 2,
      evidence: 1,
      safety: 1,
      doctors: 1,
      coverage: 1,
      quality: 1,
      drilldown: 0,
    });
    // Each chart actually drew marks, and every knee verdict is stated in words.
    const emptyCharts = await page.$$eval('svg.chart', (svgs) => svgs.filter((s) => s.querySelectorAll('path, text').length < 5).length);
    expect(emptyCharts).toBe(0);
    const verdicts = await page.$$eval('#depth .verdict', (ps) => ps.map((p) => p.textContent ?? ''));
    expect(verdicts).toHaveLength(curves);
    expect(verdicts.some((v) => v.startsWith('Knee at depth 3'))).toBe(true);
    expect(verdicts.some((v) => v.startsWith('No knee established'))).toBe(true);
  });

  it('opens an item and shows its answers with the quoted sentences highlighted', async () => {
    await page.click(`#item-index a[data-item="${PLANTED_ITEM}"]`);
    await page.waitForSelector(`#drilldown-panel[data-open-item="${PLANTED_ITEM}"]`);
    const item = results.items.find((i) => i.id === PLANTED_ITEM)!;
    const cards = await page.$$eval('#drilldown-panel .answer-card', (c) => c.length);
    expect(cards).toBe(item.answers.length);
    const marks = await page.$$eval('#drilldown-panel mark.hit-point', (m) => m.map((x) => x.textContent));
    expect(marks.length).toBeGreaterThan(0);
    expect(marks).toContain('建议先行新辅助化疗联合免疫治疗，再评估手术。');
    expect(await page.$$eval('#drilldown-panel li.verdict', (l) => l.length)).toBeGreaterThan(item.answers.length);
    await page.selectOption('#drilldown-panel select.respondent-filter', 'vendor-b');
    const shown = await page.$$eval('#drilldown-panel .answer-card strong', (s) => s.map((x) => x.textContent ?? ''));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every((t) => t.startsWith('vendor-b'))).toBe(true);
  });

  it('shows planted markup in an answer as text and never runs it', async () => {
    const answers = await page.$$eval('#drilldown-panel pre.answer', (p) => p.map((x) => x.textContent ?? ''));
    expect(answers.some((t) => t.includes(PLANTED))).toBe(true);
    expect(await page.$$eval('#drilldown-panel img, #drilldown-panel script', (e) => e.length)).toBe(0);
    await page.waitForTimeout(50);
    expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([fileUrl]);
  });

  it('links the veto gallery to the drill-down and filters the item index', async () => {
    const link = page.locator('#safety a.item-link').first();
    const target = await link.getAttribute('data-item');
    await link.click();
    await page.waitForSelector(`#drilldown-panel[data-open-item="${target}"]`);
    const quotes = await page.$$eval('#safety blockquote', (b) => b.map((x) => x.textContent));
    expect(quotes).toContain('建议停用所有抗肿瘤药物，放弃治疗。');
    // The whole sentence, the cited words highlighted in it: in the gallery, the verdict list and the answer.
    expect(await page.$$eval('#safety blockquote mark.hit-bad', (m) => [...new Set(m.map((x) => x.textContent))])).toEqual(['停用所有抗肿瘤药物']);
    const cited = await page.$$eval('#drilldown-panel li.verdict.veto q', (q) => q.map((x) => [x.textContent, x.querySelector('mark')?.textContent]));
    expect(cited.length).toBeGreaterThan(0);
    expect(cited[0]).toEqual(['建议停用所有抗肿瘤药物，放弃治疗。', '停用所有抗肿瘤药物']);
    expect(await page.$$eval('#drilldown-panel pre.answer mark.hit-bad', (m) => m.map((x) => x.textContent))).toContain('停用所有抗肿瘤药物');

    await page.fill('#item-filter', 'lc-0002');
    const visible = await page.$$eval('#item-index tbody tr', (rows) => rows.filter((r) => !(r as unknown as { hidden: boolean }).hidden).map((r) => r.getAttribute('data-item')));
    expect(visible).toEqual(['lc-0002']);
    await page.fill('#item-filter', '');
  });

  it('writes a screenshot of the report', async () => {
    const out = join(process.cwd(), 'test-output');
    mkdirSync(out, { recursive: true });
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await page.screenshot({ path: join(out, 'report.png'), fullPage: false });
    await page.locator('#drilldown-panel .answer-card.vetoed').first().screenshot({ path: join(out, 'report-drilldown.png') });
    expect(consoleErrors).toEqual([]);
  });
});
