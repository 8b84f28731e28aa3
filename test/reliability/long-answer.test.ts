/**
 * A report with a 5 MB answer of ordinary prose: the item opens quickly in chromium, shows a
 * readable cut with its quotes highlighted, and gives the whole text on demand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInChromium, type OpenedPage } from '../helpers/browser.js';
import { buildReport } from '../../src/report/build.js';
import { makeResults } from '../report/fixture.js';

const SENTENCES = [
  'The patient should be reviewed by the multidisciplinary team before any decision is made.',
  'Staging with PET-CT and brain MRI is advised when the tumour is locally advanced.',
  'Renal function and hearing are checked before each cycle of cisplatin.',
  '患者应在多学科讨论后再决定治疗方案。',
];
const FIRST_QUOTE = 'Start neoadjuvant chemo-immunotherapy before surgery.';
const LAST_QUOTE = 'Refer to palliative care early for symptom control.';

function prose(bytes: number): string {
  const parts = [FIRST_QUOTE];
  let size = FIRST_QUOTE.length;
  for (let i = 0; size < bytes; i++) {
    const s = SENTENCES[i % SENTENCES.length];
    parts.push(i % 7 === 6 ? `${s}\n\n` : s);
    size += s.length + 1;
  }
  parts.push(LAST_QUOTE);
  return parts.join(' ');
}

describe('a report with a 5 MB answer', () => {
  let dir: string;
  let opened: OpenedPage;
  let itemId: string;
  let text: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caps-long-answer-'));
    const results = makeResults({ items: 6, respondents: 2 });
    const item = results.items[0];
    itemId = item.id;
    const answer = item.answers[0];
    text = prose(5 * 1024 * 1024);
    answer.text = text;
    const verdict = answer.verdicts.find((v) => v.kind === 'point')!;
    Object.assign(verdict, { met: true, quotes: [FIRST_QUOTE, LAST_QUOTE] });
    const { files } = await buildReport({ results, outDir: join(dir, 'report'), formats: ['html'] });
    opened = await openInChromium(pathToFileURL(files[0]).href, dir);
  }, 60_000);

  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens the item in under 2 s with a readable cut, quotes highlighted, and the full text on demand', async () => {
    const { page } = opened;
    // Timed inside the page, from the click to the item's answers drawn and the page idle again.
    // (Page code as text: the tests are typed without the DOM library.)
    const elapsed = await page.evaluate<number>(`new Promise((resolve) => {
      const panel = document.getElementById('drilldown-panel');
      const started = performance.now();
      new MutationObserver((_, observer) => {
        if (panel.getAttribute('data-open-item') !== ${JSON.stringify(itemId)}) return;
        observer.disconnect();
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - started)));
      }).observe(panel, { attributes: true });
      document.querySelector('#item-index a[data-item="${itemId}"]').click();
    })`);
    console.log(`opening the item with the 5 MB answer took ${Math.round(elapsed)} ms`);
    expect(elapsed).toBeLessThan(2000);

    const card = page.locator('#drilldown-panel .answer-card').first();
    const shown = await card.locator('pre.answer').evaluate((p) => p.textContent ?? '');
    expect(shown.length).toBeLessThanOrEqual(4000);
    expect(shown.length).toBeGreaterThan(3000);
    expect(await card.locator('mark.hit-point').allTextContents()).toEqual([FIRST_QUOTE]);
    expect(await card.locator('.answer-more .note').textContent()).toMatch(/^Showing [\d,]+ of [\d,]+ characters/);

    await card.locator('button.show-more').click();
    await page.waitForFunction(`(document.querySelector('#drilldown-panel pre.answer')?.textContent ?? '').length > 100000`);
    await card.locator('button.show-all').click();
    await card.locator('.answer-more').waitFor({ state: 'detached' });
    expect(await card.locator('pre.answer').evaluate((p) => p.textContent)).toBe(text);
    expect(await card.locator('mark.hit-point').allTextContents()).toEqual([FIRST_QUOTE, LAST_QUOTE]);
    expect(await card.locator('.answer-more').count()).toBe(0);
    expect(opened.consoleErrors).toEqual([]);
  }, 60_000);
});
