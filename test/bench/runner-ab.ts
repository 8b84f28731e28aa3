/**
 * The runner's steady-state CPU per answer, two or more builds side by side in one process:
 * each build's `runEval` (tsc's output, DIST/runner/run.js) asks the simulated endpoint (its own
 * process, fixed latency) N answers at concurrency C, builds alternating round by round after a
 * warm-up of 2,000 answers each, so that load from other jobs falls on all of them alike.
 * `npx tsx test/bench/runner-ab.ts --dist /copy/of/main/dist --dist dist [--rounds 8] [--n 5000] [--c 100] [--latency 20]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { benchBank, benchConfig } from './workload.js';
import { startSimProcess } from './sim-process.js';
import type { runEval as RunEval } from '../../src/runner/run.js';

const { values } = parseArgs({ options: { dist: { type: 'string', multiple: true }, rounds: { type: 'string', default: '8' }, n: { type: 'string', default: '5000' }, c: { type: 'string', default: '100' }, latency: { type: 'string', default: '20' } } });
const dists = (values.dist ?? []).map((d) => resolve(d));
const [n, c] = [Number(values.n), Number(values.c)];
if (dists.length === 0) throw new Error('--dist: name at least one dist folder (tsc output with runner/run.js)');
if (!(n >= 1000 && n % 1000 === 0)) throw new Error(`--n must be a multiple of 1,000 (the bank has 1,000 items), not ${values.n}`);

const evals = await Promise.all(dists.map(async (d) => ((await import(pathToFileURL(join(d, 'runner', 'run.js')).href)) as { runEval: typeof RunEval }).runEval));
const sim = await startSimProcess(Number(values.latency));
const bank = benchBank(1000);
const root = mkdtempSync(join(tmpdir(), 'caps-runner-ab-'));

/** Microseconds of this process's CPU per answer for one run of `answers`. */
async function cpuPerAnswer(runEval: typeof RunEval, answers: number): Promise<number> {
  const out = mkdtempSync(join(root, 'run-'));
  const before = process.cpuUsage();
  const summary = await runEval({ bank, config: benchConfig(sim.baseURL, c), samples: answers / 1000, out: join(out, 'run'), cacheDir: false });
  const used = process.cpuUsage(before);
  rmSync(out, { recursive: true, force: true });
  if (summary.counts.done !== answers) throw new Error(`${summary.counts.done} of ${answers} answers recorded`);
  return (used.user + used.system) / answers;
}

try {
  for (const runEval of evals) await cpuPerAnswer(runEval, 2000);
  const figures: number[][] = dists.map(() => []);
  for (let round = 0; round < Number(values.rounds); round++) {
    for (let i = 0; i < evals.length; i++) {
      const load = loadavg()[0];
      const us = await cpuPerAnswer(evals[i], n);
      figures[i].push(us);
      console.log(`${dists[i]} load ${load.toFixed(2)}: ${us.toFixed(0)} us CPU per answer`);
    }
  }
  for (let i = 0; i < dists.length; i++) {
    const sorted = [...figures[i]].sort((a, b) => a - b);
    console.log(`${dists[i]}: median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} us, ${sorted[0].toFixed(0)}-${sorted.at(-1)!.toFixed(0)} us (N = ${n}, C = ${c}, L = ${values.latency} ms)`);
  }
} finally {
  await sim.stop();
  rmSync(root, { recursive: true, force: true });
}
