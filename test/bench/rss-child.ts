/**
 * Records ITEMS x SAMPLES answers into a fresh run folder and prints the process's peak RSS:
 * responses are streamed to disk, so memory must not grow with the number of answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runEval } from '../../src/runner/run.js';
import { benchBank, benchConfig } from './workload.js';

const [baseURL, items, samples, concurrency, budgetMs] = process.argv.slice(2);
const root = mkdtempSync(join(tmpdir(), 'caps-bench-rss-'));
const started = performance.now();
const summary = await runEval({
  bank: benchBank(Number(items)),
  config: benchConfig(baseURL, Number(concurrency)),
  samples: Number(samples),
  out: join(root, 'run'),
  cacheDir: false,
  signal: AbortSignal.timeout(Number(budgetMs)),
});
const result = { answers: summary.counts.done, wallMs: performance.now() - started, peakRssMb: process.resourceUsage().maxRSS / 1024, status: summary.status };
rmSync(root, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(result)}\n`);
