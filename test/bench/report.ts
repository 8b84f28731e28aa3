/**
 * Report generation time at the scale of a real study, 30 respondents x 1,000 items, in two
 * cases: (a) one clean answer per respondent and item (30,000 answers) and (b) every
 * distraction variant and every turn of the multi-turn dialogues as well (about 115,000).
 * Each case times the whole `caps report` path from a run folder on disk (read, analyse with
 * the default bootstrap, write all four formats), then its parts, then how long the HTML takes
 * to open in a headless browser. Writes the report section of docs/benchmarks.md.
 * Run alone with `npx tsx test/bench/report.ts`.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { stringify } from 'yaml';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { analyze, DEFAULT_BOOTSTRAP } from '../../src/analysis/analyze.js';
import { buildReport, REPORT_FILES, REPORT_FORMATS, type ReportFormat } from '../../src/report/build.js';
import { reportRuns } from '../../src/report/from-runs.js';
import { bankInput, makeEvaluation, writeRun } from '../report/fixture.js';
import { headCommit, writeDocsSection } from './docs.js';

const RESPONDENTS = 30;
const ITEMS = 1000;
const ANSWER_CHARS = 600;

interface CaseFigures {
  label: string;
  answers: number;
  totalMs: number;
  analyzeMs: number;
  buildMs: number;
  formats: { format: ReportFormat; ms: number; bytes: number }[];
  openMs: number;
  drillMs: number;
  drillAnswers: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

async function time<T>(fn: () => T | Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

/** Navigation to the load event, then opening the last item's drill-down. */
async function openInBrowser(dir: string, html: string, itemId: string): Promise<{ openMs: number; drillMs: number }> {
  const browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const [, openMs] = await time(() => page.goto(pathToFileURL(html).href, { waitUntil: 'load' }));
    const [, drillMs] = await time(async () => {
      await page.click(`#item-index a[data-item="${itemId}"]`);
      await page.waitForSelector(`#drilldown-panel[data-open-item="${itemId}"]`);
    });
    return { openMs, drillMs };
  } finally {
    await browser.close();
  }
}

async function measure(label: string, variants: boolean): Promise<CaseFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'caps-bench-report-'));
  try {
    const bankFile = join(dir, 'bank', 'lung.yaml');
    mkdirSync(join(dir, 'bank'));
    writeFileSync(bankFile, stringify(bankInput(ITEMS, variants)));
    const bank = await loadBankOrThrow([bankFile]);
    const { scores, responses } = makeEvaluation({ items: ITEMS, respondents: RESPONDENTS, bank, answerChars: ANSWER_CHARS, variants });
    const runDir = join(dir, 'run');
    writeRun(runDir, 'bench', bank, responses, scores);
    console.log(`${label}: ${scores.length} answers written to a run folder`);

    const formats = [...REPORT_FORMATS];
    const [{ results }, totalMs] = await time(() => reportRuns({ runDirs: [runDir], outDir: join(dir, 'report'), formats }));
    console.log(`${label}: caps report path ${seconds(totalMs)}`);
    const [, analyzeMs] = await time(() => analyze({ bank, scores, responses }));
    const [, buildMs] = await time(() => buildReport({ results, outDir: join(dir, 'build'), formats }));
    const perFormat = [];
    for (const format of formats) {
      const out = join(dir, `only-${format}`);
      const [, ms] = await time(() => buildReport({ results, outDir: out, formats: [format] }));
      perFormat.push({ format, ms, bytes: REPORT_FILES[format].reduce((n, f) => n + statSync(join(out, f)).size, 0) });
    }
    const last = results.items[results.items.length - 1];
    const { openMs, drillMs } = await openInBrowser(dir, join(dir, 'report', 'report.html'), last.id);
    const figures = { label, answers: scores.length, totalMs, analyzeMs, buildMs, formats: perFormat, openMs, drillMs, drillAnswers: last.answers.length };
    console.log(JSON.stringify(figures));
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function section(cases: CaseFigures[], loadBefore: number): string {
  const commit = headCommit();
  const total = (c: CaseFigures) => c.formats.reduce((n, f) => n + f.bytes, 0);
  const row = (name: string, pick: (c: CaseFigures) => string) => `| ${name} | ${cases.map(pick).join(' | ')} |`;
  return [
    '<!-- report:begin -->',
    '## Report',
    '',
    `Measured by \`npx tsx test/bench/report.ts\` (also run by \`npm run bench\`) at commit ${commit}, ${new Date().toISOString().slice(0, 16)} UTC, ${cpus().length} CPU cores (${cpus()[0]?.model.trim()}), ` +
      `load average ${loadBefore.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end, Node ${process.version}.`,
    '',
    `"30 respondents x 1,000 items" is measured in two cases, both with 29 models and 1 doctor, answers of about ${ANSWER_CHARS} characters and 5 verdicts each:`,
    '(a) **clean**: one answer per respondent and item, the leaderboard study; (b) **heavy**: also every distraction variant (1 to 3 per item) and every turn of the 2-turn dialogues.',
    `The first row is the whole \`caps report\` path (\`reportRuns\`): read the run folder and the bank, analyse with the default ${DEFAULT_BOOTSTRAP} bootstrap replicates, write all four formats. The other rows are its parts, each timed alone.`,
    '',
    `| | (a) clean | (b) heavy |`,
    '| --- | ---: | ---: |',
    row('answers', (c) => c.answers.toLocaleString('en')),
    row('**caps report, whole path**', (c) => `**${seconds(c.totalMs)}**`),
    row('reading the run folder and the bank (whole path minus the two parts below)', (c) => seconds(Math.max(0, c.totalMs - c.analyzeMs - c.buildMs))),
    row(`analyze (B = ${DEFAULT_BOOTSTRAP})`, (c) => seconds(c.analyzeMs)),
    row('buildReport, all four formats', (c) => `${seconds(c.buildMs)} (${megabytes(total(c))})`),
    ...REPORT_FORMATS.map((format) =>
      row(`${REPORT_FILES[format].join(' + ')} alone`, (c) => {
        const f = c.formats.find((x) => x.format === format)!;
        return `${seconds(f.ms)} (${megabytes(f.bytes)})`;
      }),
    ),
    row('report.html opens in chromium (load event)', (c) => seconds(c.openMs)),
    row("one item's drill-down opens", (c) => `${c.drillMs.toFixed(0)} ms (${c.drillAnswers} answers)`),
    '',
    'The fixture answers repeat a few sentences, so they compress far better than real answers: with real text expect report.html to be several times larger ' +
      '(its item blocks are gzipped answer data) and the page to take longer to load; the CSV and JSON sizes are representative.',
    '',
    `Target: the report of 30 respondents x 1,000 items in under 5 s. buildReport for (a): ${seconds(cases[0].buildMs)} (${cases[0].buildMs < 5000 ? 'met' : 'not met'}); ` +
      `the whole caps report path for (a): ${seconds(cases[0].totalMs)} (${cases[0].totalMs < 5000 ? 'met' : 'not met'}).`,
    '<!-- report:end -->',
  ].join('\n');
}

const loadBefore = loadavg()[0];
const cases = [await measure('(a) clean', false), await measure('(b) heavy', true)];
const text = section(cases, loadBefore);
console.log(text);
writeDocsSection('report', text);
