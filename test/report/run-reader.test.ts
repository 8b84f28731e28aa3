/**
 * The run folder read on a worker thread gives the report what reading it in this thread
 * gives: the same records (zod's output, defaults filled in, keys in the same order), the same
 * reports of unreadable lines and the same error, and a clear error when the worker stops.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { badLinePolicy, setBadLinePolicy, type JsonlProblem } from '../../src/io/jsonl.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { readInThisThread, RunReadWorker, type RunFile, type RunRecordsReader } from '../../src/report/run-reader.js';
import { reportRuns } from '../../src/report/from-runs.js';
import { REPORT_FILES } from '../../src/report/formats.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { bankInput, makeEvaluation, writeRun } from './fixture.js';

const original = { ...badLinePolicy() };
afterEach(() => setBadLinePolicy(original));

/** What a reader gives for one file: the records as text (so key order counts), each report and problem, and the error. */
async function readWith(reader: RunRecordsReader, dir: string, file: RunFile, skip: boolean) {
  const reports: string[] = [];
  const problems: JsonlProblem[] = [];
  setBadLinePolicy({ skip, report: (message) => reports.push(message) });
  try {
    const latest = await reader.latest(dir, file, (p) => problems.push(p));
    return { records: JSON.stringify([...latest]), reports, problems, error: null };
  } catch (error) {
    return { records: null, reports, problems, error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

describe('run folder read on a worker thread', () => {
  let root: string;
  let bankPath: string;
  let run: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'caps-run-reader-'));
    mkdirSync(join(root, 'bank'));
    bankPath = join(root, 'bank', 'lung.yaml');
    writeFileSync(bankPath, stringify(bankInput(12)));
    const bank = await loadBankOrThrow([bankPath], null);
    const { responses, scores } = makeEvaluation({ items: 12, respondents: 3, bank });
    run = join(root, 'run');
    writeRun(run, 'reader-test', bank, responses, scores);
    const folder = new RunFolder(run);
    // A line zod completes (defaults), keys in an order other than the schema's, an answer
    // read again (the later line wins), text JSON escapes, and a blank line.
    const first = responses[0];
    appendFileSync(folder.responsesPath, '\n' + JSON.stringify({ text: 'again: "quoted" \u2028 \ud800 ½', item: first.item, respondent: first.respondent, key: first.key }) + '\n');
    appendFileSync(folder.scoresPath, JSON.stringify({ ...scores[1], zeroed_by: undefined, variant: undefined }) + '\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('gives the records, in order, that reading in this thread gives', async () => {
    const worker = new RunReadWorker();
    try {
      for (const file of ['responses', 'scores'] as const) {
        const here = await readWith(readInThisThread, run, file, false);
        expect(here.error).toBeNull();
        expect(await readWith(worker, run, file, false)).toEqual(here);
      }
    } finally {
      await worker.close();
    }
  }, 60_000);

  it('reports unreadable lines and fails, or skips them, exactly as reading in this thread does', async () => {
    const broken = join(root, 'broken');
    rmSync(broken, { recursive: true, force: true });
    mkdirSync(broken);
    for (const name of ['manifest.json', 'responses.jsonl', 'scores.jsonl']) writeFileSync(join(broken, name), readFileSync(join(run, name)));
    const folder = new RunFolder(broken);
    const lines = readFileSync(folder.responsesPath, 'utf8').split('\n');
    lines[1] = '{"key": "x", "text": "trunc';
    lines[3] = JSON.stringify({ hello: 'world' });
    lines[4] = '\u0000'.repeat(20);
    writeFileSync(folder.responsesPath, lines.join('\n') + '{"unfinished": ');
    for (const skip of [false, true]) {
      const here = await readWith(readInThisThread, broken, 'responses', skip);
      const worker = new RunReadWorker();
      try {
        expect(await readWith(worker, broken, 'responses', skip)).toEqual(here);
      } finally {
        await worker.close();
      }
      expect(here.reports).toHaveLength(4);
      expect(here.error === null).toBe(skip);
      if (!skip) expect(here.error).toMatch(/^UserError: .*responses\.jsonl: 3 lines cannot be read \(listed above\)/);
    }
  }, 60_000);

  it('fails with a clear error, not a hang, when its worker stops', async () => {
    const worker = new RunReadWorker();
    const reading = expect(worker.latest(run, 'scores')).rejects.toThrow(/reading the run folder failed on its worker thread \(it was closed\); no report was written/);
    await worker.close();
    await reading;
    await expect(worker.latest(run, 'responses')).rejects.toThrow(/worker thread/);
  }, 60_000);

  // Each frame is drawn on a worker of its own: ECharts numbers its SVG classes per thread.
  it('writes the same report files as reading in this thread', async () => {
    const outputs = await Promise.all(
      [true, false].map(async (readWorker) => {
        const outDir = join(root, `report-${readWorker}`);
        await reportRuns({ runDirs: [run], bankPaths: [bankPath], outDir, formats: [], readWorker, htmlWorker: true, analysis: { bootstrap: 100, generatedAt: '2026-01-01T00:00:00.000Z' } });
        return Object.values(REPORT_FILES).flat().map((name) => readFileSync(join(outDir, name), 'utf8'));
      }),
    );
    expect(outputs[0]).toEqual(outputs[1]);
  }, 120_000);
});
