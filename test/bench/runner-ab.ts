/**
 * The runner's CPU per answer, two or more builds side by side, alternating round by round so
 * that load from other jobs falls on all of them alike. By default in one process, steady state:
 * each build's `runEval` (tsc's output, DIST/runner/run.js) asks the simulated endpoint (its own
 * process, fixed latency) N answers at concurrency C after a warm-up of 2,000 answers each. With
 * --cli, each build's `caps run` as the targets bench runs it: the built command in a child
 * process under /usr/bin/time (start-up and warm-up included), with its wall time against ideal.
 * `npx tsx test/bench/runner-ab.ts --dist /copy/of/main/dist --dist dist [--cli] [--rounds 8] [--n 5000] [--c 100] [--latency 20]`
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { benchBank, benchConfig, writeBenchFiles } from './workload.js';
import { startSimProcess } from './sim-process.js';
import { timedNode } from './timed-child.js';
import { builtCliIn } from '../helpers/built-cli.js';
import type { runEval as RunEval } from '../../src/runner/run.js';

const { values } = parseArgs({ options: { dist: { type: 'string', multiple: true }, cli: { type: 'boolean', default: false }, rounds: { type: 'string', default: '8' }, n: { type: 'string', default: '5000' }, c: { type: 'string', default: '100' }, latency: { type: 'string', default: '20' } } });
const dists = (values.dist ?? []).map((d) => resolve(d));
const [n, c, latency] = [Number(values.n), Number(values.c), Number(values.latency)];
if (dists.length === 0) throw new Error('--dist: name at least one dist folder (tsc output with runner/run.js)');
if (!(n >= 1000 && n % 1000 === 0)) throw new Error(`--n must be a multiple of 1,000 (the bank has 1,000 items), not ${values.n}`);

const sim = await startSimProcess(latency);
const root = mkdtempSync(join(tmpdir(), 'caps-runner-ab-'));
const ideal = (Math.ceil(n / c) * latency) / 1000;

/** One round of one build: microseconds of CPU per answer, and a description of the round. */
type Round = () => Promise<{ us: number; note: string }>;

/** In process: this process's CPU while the build's runEval asks `answers`. */
async function inProcess(dist: string): Promise<Round> {
  const { runEval } = (await import(pathToFileURL(join(dist, 'runner', 'run.js')).href)) as { runEval: typeof RunEval };
  const bank = benchBank(1000);
  const run = async (answers: number) => {
    const out = mkdtempSync(join(root, 'run-'));
    const before = process.cpuUsage();
    const summary = await runEval({ bank, config: benchConfig(sim.baseURL, c), samples: answers / 1000, out: join(out, 'run'), cacheDir: false });
    const used = process.cpuUsage(before);
    rmSync(out, { recursive: true, force: true });
    if (summary.counts.done !== answers) throw new Error(`${summary.counts.done} of ${answers} answers recorded`);
    return { us: (used.user + used.system) / answers, note: '' };
  };
  await run(2000);
  return () => run(n);
}

/** The built command: its CPU as the OS counted it, and its wall time against ideal. */
async function asCommand(dist: string, files: { bank: string; config: string }): Promise<Round> {
  const cli = builtCliIn(dist);
  const env = { CI: '1', CAPS_CACHE_DIR: join(root, 'cache') };
  // The bank goes into the bank cache first: these rounds measure the runner, as the targets bench does.
  await timedNode(cli, ['run', '--plan', '--config', files.config, '--bank', files.bank], env);
  return async () => {
    const out = mkdtempSync(join(root, 'run-'));
    const m = await timedNode(cli, ['run', '--config', files.config, '--bank', files.bank, '--samples', String(n / 1000), '--no-cache', '--quiet', '--out', join(out, 'run')], env);
    rmSync(out, { recursive: true, force: true });
    if (m.code !== 0) throw new Error(`${cli} exited with ${m.code}`);
    return { us: (m.cpuS * 1e6) / n, note: `, ${(m.wallS / ideal).toFixed(2)}x ideal, ${m.peakMb.toFixed(0)} MB` };
  };
}

try {
  let files: { bank: string; config: string } | undefined;
  if (values.cli) {
    mkdirSync(join(root, 'bank'));
    files = writeBenchFiles(join(root, 'bank'), sim.baseURL, 1000, c);
  }
  const rounds: Round[] = [];
  for (const dist of dists) rounds.push(files ? await asCommand(dist, files) : await inProcess(dist));
  const figures: number[][] = dists.map(() => []);
  for (let round = 0; round < Number(values.rounds); round++) {
    for (let i = 0; i < dists.length; i++) {
      const load = loadavg()[0];
      const { us, note } = await rounds[i]();
      figures[i].push(us);
      console.log(`${dists[i]} load ${load.toFixed(2)}: ${us.toFixed(0)} us CPU per answer${note}`);
    }
  }
  for (let i = 0; i < dists.length; i++) {
    const sorted = [...figures[i]].sort((a, b) => a - b);
    console.log(`${dists[i]}: median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} us, ${sorted[0].toFixed(0)}-${sorted.at(-1)!.toFixed(0)} us (N = ${n}, C = ${c}, L = ${latency} ms${values.cli ? ', caps run' : ''})`);
  }
} finally {
  await sim.stop();
  rmSync(root, { recursive: true, force: true });
}
