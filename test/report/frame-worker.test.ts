/**
 * The HTML report drawn with its frame on a worker thread is the same file as drawn in one
 * thread, and a worker that fails ends the report with a clear error instead of a hang.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { HtmlFrameWorker } from '../../src/report/html/frame-renderer.js';
import { renderHtml } from '../../src/report/html/page.js';
import { ANSWER_HEAD_CHARS, itemBlocks } from '../../src/report/html/sections/drilldown.js';
import { UserError } from '../../src/errors.js';
import type { Results } from '../../src/schema/results.js';
import { bankInput, makeEvaluation, makeResults } from './fixture.js';
import { stringify } from 'yaml';
import { analysisSteps, analyze } from '../../src/analysis/analyze.js';
import { depthCurve } from '../../src/analysis/depth.js';
import { resultsDistractedItems } from '../../src/analysis/distracted-items.js';
import { clearSecrets, REDACTED, redactDeep, registerSecret } from '../../src/io/redact.js';

describe('HTML frame on a worker thread', () => {
  let dir: string;
  let results: Results;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'caps-frame-worker-'));
    // Distraction variants, so that the one figure the frame takes from the answers (distracted items) is not empty.
    results = makeResults({ items: 24, respondents: 4, bootstrap: 200, variants: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the same report.html as one thread does', async () => {
    const out = join(dir, 'worker');
    const { files } = await buildReport({ results, outDir: out, formats: ['html', 'json', 'md'], frames: new HtmlFrameWorker() });
    // Files are listed in the order the formats were asked for, though HTML is written last.
    expect(files.map((f) => f.slice(out.length + 1))).toEqual(['report.html', 'results.json', 'summary.md']);
    // ECharts numbers the SVG classes it writes per thread: this is the first report drawn in this thread, as the worker's is in its own.
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toBe(renderHtml(results));
    expect(html).toContain('id="profile"');
  }, 60_000);

  it('fits the same depth curves as this thread, and the results made from them are the same', async () => {
    const evaluation = makeEvaluation({ items: 30, respondents: 3, variants: false });
    const options = { bootstrap: 300, generatedAt: '2026-01-01T00:00:00.000Z' };
    const steps = analysisSteps({ ...evaluation, options });
    const worker = new HtmlFrameWorker();
    try {
      const curves = await worker.depthCurves(steps.depthJobs);
      expect(curves.map((c) => c.knee.status)).toHaveLength(3);
      const rest = steps.rest();
      const results = rest.results(curves);
      expect(results.items).toEqual([]);
      results.items = rest.items();
      expect(results).toEqual(analyze({ ...evaluation, options }));
      // The frame is still drawn after the curves.
      await expect(worker.render(results)).resolves.toMatchObject({ before: expect.stringContaining('id="depth"') });
      await expect(worker.depthCurves(steps.depthJobs)).rejects.toThrow(/only before it draws/);
    } finally {
      await worker.close();
    }
  }, 60_000);

  it('draws the frame before the items are made, from the distracted counts the analysis gives, the same report.html', async () => {
    const evaluation = makeEvaluation({ items: 24, respondents: 4, variants: true });
    const options = { bootstrap: 200, generatedAt: '2026-01-01T00:00:00.000Z' };
    const whole = analyze({ ...evaluation, options });
    const steps = analysisSteps({ ...evaluation, options });
    const rest = steps.rest();
    // The counts from the scores are those read from the items, and not all zero.
    expect(rest.distractedItems).toEqual(resultsDistractedItems(whole));
    expect([...rest.distractedItems.values()].some((n) => n > 0)).toBe(true);
    const made: string[] = [];
    const frames = new HtmlFrameWorker();
    const render = frames.render.bind(frames);
    frames.render = (...args) => (made.push('frame'), render(...args));
    const items = () => (made.push('items'), rest.items());
    const out = join(dir, 'items-later');
    await buildReport({ results: rest.results(steps.depthJobs.map(depthCurve)), itemsLater: { items, distractedItems: rest.distractedItems }, outDir: out, formats: ['html', 'json'], frames });
    await frames.close();
    expect(made).toEqual(['frame', 'items']);
    // The same files as from the whole results, each frame drawn first in its own worker (ECharts numbers its SVG classes per thread).
    const reference = join(dir, 'items-with');
    await buildReport({ results: whole, outDir: reference, formats: ['html', 'json'], frames: new HtmlFrameWorker() });
    for (const file of ['report.html', 'results.json']) expect(readFileSync(join(out, file), 'utf8')).toBe(readFileSync(join(reference, file), 'utf8'));
    expect(() => rest.items()).toThrow(/made once/);
  }, 60_000);

  it('keeps the distracted counts under the names the report shows, redacted where a name is a secret', () => {
    const evaluation = makeEvaluation({ items: 24, respondents: 4, variants: true });
    const options = { bootstrap: 100, generatedAt: '2026-01-01T00:00:00.000Z' };
    registerSecret('vendor-a');
    try {
      const rest = analysisSteps({ ...evaluation, options }).rest();
      const shown = redactDeep(analyze({ ...evaluation, options }));
      // The profile chart looks its rows up by these names.
      expect(shown.leaderboard.rows.map((r) => r.respondent)).toContain(REDACTED);
      expect(rest.distractedItems).toEqual(resultsDistractedItems(shown));
      expect(rest.distractedItems.get(REDACTED)).toBeGreaterThan(0);
    } finally {
      clearSecrets();
    }
  });

  it('loads a bank into the bank cache, and leaves a bank with errors to the caller', async () => {
    // The compiled worker (npm test builds before testing): run from the TypeScript sources, a worker cannot import the bank checker's lazily loaded module.
    const compiled = join(import.meta.dirname, '..', '..', 'dist', 'report', 'html', 'frame-renderer.js');
    const { HtmlFrameWorker: CompiledWorker } = (await import(pathToFileURL(compiled).href)) as typeof import('../../src/report/html/frame-renderer.js');
    const cache = join(dir, 'cache');
    const bankFile = join(dir, 'bank.yaml');
    writeFileSync(bankFile, stringify(bankInput(6, false)));
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'id: broken\nitems: 3\n');
    const before = process.env.CAPS_CACHE_DIR;
    process.env.CAPS_CACHE_DIR = cache;
    // The worker takes the environment it is started with.
    const worker = new CompiledWorker();
    process.env.CAPS_CACHE_DIR = before;
    try {
      await expect(worker.cacheBank([broken])).resolves.toBe(false);
      expect(existsSync(join(cache, 'banks')) ? readdirSync(join(cache, 'banks')) : []).toEqual([]);
      await expect(worker.cacheBank([bankFile])).resolves.toBe(true);
      expect(readdirSync(join(cache, 'banks'))).toHaveLength(1);
    } finally {
      await worker.close();
    }
  }, 60_000);

  it('makes the same item blocks from the JSON text results.json holds, long answers cut alike', () => {
    const item = structuredClone(results.items[0]);
    item.answers[1].text = '长'.repeat(ANSWER_HEAD_CHARS + 5);
    const encoded = (view: typeof item) => ({ text: JSON.stringify(view), bytes: Buffer.from(JSON.stringify(view), 'utf8') });
    for (const view of [results.items[1], item]) expect(itemBlocks(view, encoded(view))).toBe(itemBlocks(view));
    expect(itemBlocks(item)).toContain(`data-answer-text="${item.id}#1"`);
  });

  it('fails with a clear error, not a hang, when the worker runs out of memory', async () => {
    const out = join(dir, 'starved');
    const build = buildReport({ results, outDir: out, formats: ['html', 'csv'], frames: new HtmlFrameWorker({ heapMb: 2 }) });
    await expect(build).rejects.toThrow(UserError);
    await expect(build).rejects.toThrow(/drawing the HTML report failed on its worker thread \(it ran out of memory \(its heap is 2 MB\)\); report\.html was not written/);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
    expect(existsSync(join(out, 'answers.csv'))).toBe(true);
  }, 60_000);

  it('passes on an error thrown while drawing, with its message', async () => {
    const broken = { ...results, leaderboard: { ...results.leaderboard, rows: null } } as unknown as Results;
    await expect(new HtmlFrameWorker().render(broken)).rejects.toThrow(/drawing the HTML report failed on its worker thread \(.+\)/);
  }, 60_000);

  it('draws one frame only, and a worker closed before drawing refuses clearly', async () => {
    const worker = new HtmlFrameWorker();
    await worker.close();
    await expect(worker.render(results)).rejects.toThrow(/worker thread \(it stopped with exit code \d+ before answering\)/);
    await expect(worker.render(results)).rejects.toThrow(/draws one frame/);
  }, 60_000);
});
