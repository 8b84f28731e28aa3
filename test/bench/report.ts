/**
 * Report generation time at the scale of a real study: 30 respondents x 1,000 items (with
 * distraction variants and multi-turn dialogues, answers of about 600 characters), each
 * format timed on its own, plus how long the HTML takes to open in a headless browser.
 * Writes the report section of docs/benchmarks.md. Run alone with `npx tsx test/bench/report.ts`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { buildReport } from '../../src/report/build.js';
import { renderHtml } from '../../src/report/html/page.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { answersCsv, verdictsCsv } from '../../src/report/csv.js';
import { Results } from '../../src/schema/results.js';
import { makeResults } from '../report/fixture.js';

const RESPONDENTS = 30;
const ITEMS = 1000;
const here = import.meta.dirname;

const started = performance.now();
const results = makeResults({ items: ITEMS, respondents: RESPONDENTS, bootstrap: 200, answerChars: 600 });
const analysisMs = performance.now() - started;
const answers = results.items.reduce((n, i) => n + i.answers.length, 0);
console.log(`analysed ${answers} answers in ${(analysisMs / 1000).toFixed(1)} s (not part of the report time)`);

const out = mkdtempSync(join(tmpdir(), 'caps-bench-report-'));
try {
  // The whole of buildReport (validation and all four formats), as `caps report` runs it.
  const t = performance.now();
  const { files } = await buildReport({ results, outDir: out, formats: ['html', 'md', 'csv', 'json'] });
  const totalMs = performance.now() - t;
  const bytes = (name: string) => files.filter((f) => f.endsWith(name)).reduce((n, f) => n + statSync(f).size, 0);
  console.log(`all formats: ${(totalMs / 1000).toFixed(2)} s`);
  // Each part alone, for where the time goes.
  const timed = (fn: () => unknown) => {
    const s = performance.now();
    fn();
    return performance.now() - s;
  };
  const rows = [
    { part: 'validation (Results schema)', ms: timed(() => Results.parse(results)), bytes: 0 },
    { part: 'report.html', ms: timed(() => renderHtml(results)), bytes: bytes('report.html') },
    { part: 'summary.md', ms: timed(() => renderMarkdown(results)), bytes: bytes('summary.md') },
    { part: 'answers.csv + verdicts.csv', ms: timed(() => [answersCsv(results), verdictsCsv(results)]), bytes: bytes('answers.csv') + bytes('verdicts.csv') },
    { part: 'results.json', ms: timed(() => JSON.stringify(results)), bytes: bytes('results.json') },
  ];
  for (const r of rows) console.log(`${r.part}: ${(r.ms / 1000).toFixed(2)} s, ${(r.bytes / 1e6).toFixed(1)} MB`);

  const browser = await chromium.launchPersistentContext(join(out, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let openMs = 0;
  let drillMs = 0;
  try {
    const page = await browser.newPage();
    const t = performance.now();
    await page.goto(pathToFileURL(join(out, 'report.html')).href, { waitUntil: 'load' });
    openMs = performance.now() - t;
    const id = results.items[ITEMS - 1].id;
    const d = performance.now();
    await page.click(`#item-index a[data-item="${id}"]`);
    await page.waitForSelector(`#drilldown-panel[data-open-item="${id}"]`);
    drillMs = performance.now() - d;
  } finally {
    await browser.close();
  }
  console.log(`opens in ${(openMs / 1000).toFixed(2)} s; an item's drill-down in ${drillMs.toFixed(0)} ms`);

  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const section = [
    '<!-- report:begin -->',
    '## Report',
    '',
    `Measured by \`npx tsx test/bench/report.ts\` (also run by \`npm run bench\`) at commit ${commit}, ${new Date().toISOString().slice(0, 16)} UTC, ${cpus().length} CPU cores (${cpus()[0]?.model.trim()}), load average ${loadavg()[0].toFixed(1)} at the end, Node ${process.version}.`,
    `Input: ${RESPONDENTS} respondents (29 models, 1 doctor) x ${ITEMS.toLocaleString('en')} items with distraction variants and 2-turn dialogues: ${answers.toLocaleString('en')} scored answers of about 600 characters, 5 verdicts each. ` +
      `The analysis (${(analysisMs / 1000).toFixed(1)} s with B = 200) is not counted.`,
    '',
    '| part | time | size |',
    '| --- | ---: | ---: |',
    `| **buildReport, all four formats** | **${(totalMs / 1000).toFixed(2)} s** | ${(files.reduce((n, f) => n + statSync(f).size, 0) / 1e6).toFixed(1)} MB |`,
    ...rows.map((r) => `| ${r.part} | ${(r.ms / 1000).toFixed(2)} s | ${r.bytes ? `${(r.bytes / 1e6).toFixed(1)} MB` : ''} |`),
    '',
    `The parts, each timed alone in memory, add up to ${(rows.reduce((n, r) => n + r.ms, 0) / 1000).toFixed(2)} s; the rest of the total is encoding and writing ${(files.reduce((n, f) => n + statSync(f).size, 0) / 1e6).toFixed(0)} MB to disk. ` +
      'Answer texts and verdicts dominate: answers.csv, verdicts.csv and results.json hold every one of them; the HTML keeps them gzipped.',
    '',
    `The HTML opens in headless chromium in ${(openMs / 1000).toFixed(2)} s (navigation to the load event); opening one item's drill-down (decode and render ${RESPONDENTS * 4}-odd answers) takes ${drillMs.toFixed(0)} ms.`,
    '',
    'Target: the report of 30 respondents x 1,000 items in under 5 s.',
    '<!-- report:end -->',
  ].join('\n');
  const docs = join(here, '..', '..', 'docs', 'benchmarks.md');
  const current = existsSync(docs) ? readFileSync(docs, 'utf8') : '# Benchmarks\n';
  const next = /<!-- report:begin -->[\s\S]*<!-- report:end -->/.test(current)
    ? current.replace(/<!-- report:begin -->[\s\S]*<!-- report:end -->/, section)
    : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(docs, next);
  console.log(`wrote ${docs}`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
