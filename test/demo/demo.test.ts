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

  it('records no key and keeps the run folder readable', async () => {
    const folder = new RunFolder(demo.runDir);
    expect(folder.readManifest().bank.id).toBe('lung-cancer-demo');
    expect(readFileSync(folder.responsesPath, 'utf8')).not.toContain('no-key-needed');
  });
});
