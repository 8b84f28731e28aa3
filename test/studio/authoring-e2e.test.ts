/**
 * Writing and reviewing an item in Debian's chromium: an author builds an item from scratch
 * in the form, sees a lint finding appear and go, scores a pasted answer, saves (the YAML on
 * disk lints clean and keeps its comments), meets a refused save with the diff of an
 * outside edit, and two reviewers take the item through a round that asks for a revision
 * and a round that admits it. Every wait is for a response or a state of the page.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintBank } from '../../src/bank/lint.js';
import { readReviewHistory } from '../../src/review/history-file.js';
import { startStudio, type Studio } from '../../src/studio/server.js';
import { PACKAGE_ROOT } from '../../src/version.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/browser.js';
import { StudioClient } from './client.js';
import { studioFixture, type StudioFixture } from './fixture.js';

const SHOTS = join(PACKAGE_ROOT, 'test-output');
const WAIT = { timeout: 60_000 };

describe('writing and reviewing items in chromium', () => {
  let fx: StudioFixture;
  let studio: Studio;
  let browser: Browser;
  const pageErrors: string[] = [];
  const outside: string[] = [];

  async function open(url: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    // Refusals the test provokes (409, 422) are logged by chromium as failed loads; anything else is an error.
    page.on('console', (m) => m.type() === 'error' && !/status of 4(09|22)/.test(m.text()) && pageErrors.push(m.text()));
    page.on('request', (r) => !r.url().startsWith(studio.url) && outside.push(r.url()));
    await page.goto(url);
    return page;
  }

  /** Clicks and waits for the API call it makes to answer. */
  async function clickFor(page: Page, selector: string, path: string): Promise<number> {
    const response = page.waitForResponse((r) => r.url().includes(path) && r.request().method() === 'POST', WAIT);
    await page.click(selector);
    return (await response).status();
  }

  beforeAll(async () => {
    fx = await studioFixture(2);
    studio = await startStudio({ runDirs: [fx.runDir], bankPaths: [fx.bankDir], port: 0 });
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
    if (fx) rmSync(fx.dir, { recursive: true, force: true });
  });

  it('authors an item with live lint and a tried answer, saves it, meets a conflict, and reviews it to admission', { timeout: 300_000 }, async () => {
    const file = join(fx.bankDir, 'staging.yaml');
    const original = readFileSync(file, 'utf8');
    const comments = original.split('\n').filter((l) => l.trim().startsWith('#'));
    const author = await open(`${studio.url}/#/items`);
    await author.locator('#items tr[data-item]').first().waitFor(WAIT);
    await author.click('a.new-item:text-is("staging.yaml")');
    await author.locator('#item-form [data-path="id"]').waitFor(WAIT);
    // The empty form fails lint: the prompt and the point's text are missing.
    await author.locator('.finding.error').first().waitFor(WAIT);

    await author.fill('[data-path="id"]', 'lc-staging-e2e');
    await author.selectOption('[data-path="topic"]', 'staging');
    await author.selectOption('[data-path="depth"]', '2');
    await author.selectOption('[data-path="category"]', 'staging');
    await author.fill('[data-path="prompt"]', '肺腺癌 3.5 cm，同侧肺门淋巴结转移，无远处转移。TNM 分期是什么？');
    await author.fill('[data-path="prompt_en"]', 'Adenocarcinoma 3.5 cm with an ipsilateral hilar node metastasis and no distant metastasis. What is the TNM stage?');
    await author.fill('[data-path="reference"]', 'T2aN1M0，IIB 期。');
    await author.fill('[data-path="rubric.points.0.id"]', 'stage-iib');
    await author.fill('[data-path="rubric.points.0.text"]', '分期为 IIB 期（T2aN1M0）');
    await author.fill('[data-path="rubric.points.0.text_en"]', 'Stage IIB (T2aN1M0)');
    await author.click('[data-add="rubric.points.0.evidence"]');
    await author.selectOption('[data-path="rubric.points.0.evidence.scheme"]', 'expert_consensus');
    await author.selectOption('[data-path="rubric.points.0.evidence.level"]', 'consensus');
    await author.fill('[data-path="rubric.points.0.evidence.source"]', 'AJCC 8th edition');
    await author.click('[data-add="rubric.points.0.match"]');
    await author.fill('[data-path="rubric.points.0.match.any"]', 'IIB\nⅡB');
    await author.click('[data-add="rubric.points.0.examples"]');
    await author.fill('[data-path="rubric.points.0.examples.hit"]', '分期为 IIB 期');
    await author.fill('[data-path="rubric.points.0.examples.miss"]', '分期为 IIIA 期');
    await author.click('[data-add="rubric.veto"]');
    await author.fill('[data-path="rubric.veto.0.id"]', 'no-surgery');
    await author.fill('[data-path="rubric.veto.0.text"]', '认为不可手术、只做姑息治疗');
    await author.click('[data-add="rubric.veto.0.match"]');
    await author.fill('[data-path="rubric.veto.0.match.any"]', '不可手术\n无法手术\ninoperable');
    await author.locator('#lint[data-state="done"] #lint-summary.ok').waitFor(WAIT);
    expect(await author.locator('.finding.error').allTextContents()).toEqual([]);

    // A score beside the A-level: lint's own message appears (a warning while the item is a draft), and goes when the score is cleared.
    await author.fill('[data-path="rubric.points.0.score"]', '4');
    const finding = author.locator('.finding', { hasText: 'give exactly one of score or level (A1/A2/A3)' });
    await finding.waitFor(WAIT);
    expect(await finding.textContent()).toMatch(/^staging\.yaml:\d+:\d+ warning \[lc-staging-e2e\] /);
    await author.fill('[data-path="rubric.points.0.score"]', '');
    await finding.waitFor({ state: 'detached', ...WAIT });
    await author.locator('#lint[data-state="done"] #lint-summary.ok').waitFor(WAIT);

    // An answer scored live, explained as caps try explains it.
    await author.fill('#try-answer', '综合判断为 T2aN1M0，IIB 期，建议手术切除。');
    await author.locator('#try-result[data-state="done"]', { hasText: 'score 100 / 100' }).waitFor(WAIT);
    expect(await author.locator('#try-result').textContent()).toMatch(/item lc-staging-e2e · variant clean/);

    expect(await clickFor(author, '#save-item', '/api/bank/save')).toBe(200);
    await author.locator('#notice.ok', { hasText: 'Saved lc-staging-e2e' }).waitFor(WAIT);
    const saved = readFileSync(file, 'utf8');
    expect(saved.startsWith(original.trimEnd())).toBe(true);
    for (const c of comments) expect(saved).toContain(c);
    expect(saved).toMatch(/- id: lc-staging-e2e\n\s+status: draft/);
    expect((await lintBank([fx.bankDir])).errors).toBe(0);

    // Someone changes the file outside the studio: the next save is refused with their change shown.
    writeFileSync(file, `${saved}# checked against AJCC 8 by the tumour board\n`);
    await author.fill('[data-path="reference_en"]', 'T2aN1M0, stage IIB.');
    expect(await clickFor(author, '#save-item', '/api/bank/save')).toBe(409);
    await author.locator('#conflict-diff', { hasText: '+# checked against AJCC 8 by the tumour board' }).waitFor(WAIT);
    await author.screenshot({ path: join(SHOTS, 'studio-authoring.png') });
    expect(readFileSync(file, 'utf8')).toBe(`${saved}# checked against AJCC 8 by the tumour board\n`);
    await author.click('#reload-item');
    await author.locator('#conflict-diff').waitFor({ state: 'detached', ...WAIT });
    expect(await author.inputValue('[data-path="reference_en"]')).toBe('');

    // Two reviewers: round 1 asks for a revision (100%), round 2 admits (0%).
    const coordinator = await new StudioClient(studio.url).signIn();
    const invites: Record<string, string> = {};
    for (const name of ['dr-a', 'dr-b']) invites[name] = (await coordinator.post<{ invite: string }>('/api/coordinator/graders', { name, role: 'physician' })).body.invite;
    const reviewers = { 'dr-a': await open(invites['dr-a']), 'dr-b': await open(invites['dr-b']) };
    const desk = author; // on 127.0.0.1 the author's page is the coordinator's
    const round = async (decisions: Record<'dr-a' | 'dr-b', 'accept' | 'revise'>, n: number) => {
      await desk.goto(`${studio.url}/#/rounds`);
      await desk.locator('input[name="round-item"][value="lc-staging-e2e"]').waitFor(WAIT);
      expect(await clickFor(desk, '#open-round-button', '/api/rounds/open')).toBe(200);
      await desk.locator('#open-round h3', { hasText: `Round ${n} is open` }).waitFor(WAIT);
      for (const [name, decision] of Object.entries(decisions) as ['dr-a' | 'dr-b', 'accept' | 'revise'][]) {
        const page = reviewers[name];
        await page.goto(`${studio.url}/#/rounds`);
        await page.reload();
        const card = page.locator('.review-item[data-item="lc-staging-e2e"]');
        await card.locator('.decide').waitFor(WAIT);
        if (decision === 'revise') {
          await card.locator('.comment-entry').selectOption('stage-iib');
          await card.locator('.comment-text').fill('name the T and N categories that give IIB');
        }
        expect(await clickFor(page, `.review-item[data-item="lc-staging-e2e"] button.${decision}`, '/api/rounds/decide')).toBe(200);
        await card.locator('.decisions li', { hasText: `${name}: ${decision}` }).waitFor(WAIT);
      }
      await desk.reload();
      await desk.locator('#open-round h3', { hasText: 'every decision is in' }).waitFor(WAIT);
      expect(await clickFor(desk, '#close-round', '/api/rounds/close')).toBe(200);
      await desk.locator(`#round-rates tr[data-round="${n}"] .outcome:not(:text-is("open"))`).waitFor(WAIT);
    };
    await round({ 'dr-a': 'revise', 'dr-b': 'accept' }, 1);
    expect(await desk.locator('#round-rates tr[data-round="1"] .rate').textContent()).toBe('100.0%');
    expect(readFileSync(file, 'utf8')).toMatch(/- id: lc-staging-e2e\n\s+status: in-review/);
    // The author sees the comment on the entry, revises the item in the form and resubmits it.
    const request = 'dr-a (round 1) on stage-iib: name the T and N categories that give IIB';
    const waiting = desk.locator('.review-item.awaiting[data-item="lc-staging-e2e"]');
    await waiting.locator('.requests li', { hasText: request }).waitFor(WAIT);
    await waiting.locator('a', { hasText: 'open in the editor' }).click();
    await desk.locator('#revision-requests li', { hasText: request }).waitFor(WAIT);
    await desk.fill('[data-path="rubric.points.0.text"]', '分期为 IIB 期：T2a（3-4 cm）N1（同侧肺门淋巴结）M0');
    await desk.locator('#lint[data-state="done"] #lint-summary.ok').waitFor(WAIT);
    expect(await clickFor(desk, '#save-item', '/api/bank/save')).toBe(200);
    expect(readFileSync(file, 'utf8')).toContain('分期为 IIB 期：T2a（3-4 cm）N1（同侧肺门淋巴结）M0');
    await desk.goto(`${studio.url}/#/rounds`);
    await waiting.locator('.revise-note').fill('T2a and N1 named in the point');
    expect(await clickFor(desk, '.review-item.awaiting[data-item="lc-staging-e2e"] .mark-revised', '/api/rounds/revise')).toBe(200);
    await waiting.waitFor({ state: 'detached', ...WAIT });
    await round({ 'dr-a': 'accept', 'dr-b': 'accept' }, 2);
    expect(await desk.locator('#round-rates tr[data-round="2"] .outcome').textContent()).toBe('passed, 1 admitted');
    expect(await desk.locator('#rate-chart rect.bar').count()).toBe(2);
    await desk.locator('#rate-chart rect.bar.passed').waitFor(WAIT);
    await desk.screenshot({ path: join(SHOTS, 'studio-review.png'), fullPage: true });

    expect(readFileSync(file, 'utf8')).toMatch(/- id: lc-staging-e2e\n\s+status: admitted/);
    const lint = await lintBank([fx.bankDir]);
    expect(lint.errors).toBe(0);
    expect(lint.summary?.statuses?.admitted).toBe(fx.bank.items.length + 1);
    const history = await readReviewHistory(join(fx.bankDir, 'review-history.jsonl'));
    expect(history.filter((e) => e.type === 'round-closed')).toHaveLength(2);
    expect(pageErrors).toEqual([]);
    expect(outside).toEqual([]);
  });
});
