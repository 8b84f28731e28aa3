/**
 * Fault soak (part of `npm run bench`; alone: `npx tsx test/bench/soak.ts [--quick]`): N answers
 * through a fault-injecting proxy (30% of requests spoiled) while the runner process is killed
 * with SIGKILL 20 times at random moments and resumed, then finished. Counts answers lost,
 * duplicated and corrupted, requests sent per answer, and wall time against a fault-free run.
 * Writes the fault-soak section of docs/benchmarks.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createRandom } from '../../src/analysis/random.js';
import { startFaultProxy } from './fault-proxy.js';
import { writeDocsSection } from './docs.js';

const quick = process.argv.includes('--quick');
const ANSWERS = quick ? 2_000 : 10_000;
const KILLS = 20;
const FAULT_RATE = 0.3;
const here = import.meta.dirname;

async function startSim(): Promise<{ baseURL: string; proc: ChildProcess; requests(): Promise<number> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(here, 'sim-child.ts'), '5'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  const baseURL = (await lines.next()).value as string;
  const requests = async () => {
    proc.stdin!.write('usage\n');
    return (JSON.parse((await lines.next()).value as string) as { requests: number }).requests;
  };
  return { baseURL, proc, requests };
}

function startRunner(baseURL: string, out: string): { proc: ChildProcess; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(here, 'soak-child.ts'), baseURL, out, join(out, '..', '.cache'), String(ANSWERS)], { stdio: 'ignore' });
  return { proc, exited: once(proc, 'exit').then(([code]) => code as number | null) };
}

/** Runs to completion (re-running an incomplete run, as a user would), killing it `kills` times on the way. */
async function soak(baseURL: string, kills: number, seed: number) {
  const out = join(mkdtempSync(join(tmpdir(), 'caps-soak-')), 'run');
  const random = createRandom(seed);
  const started = performance.now();
  let killed = 0;
  let runs = 0;
  for (;;) {
    runs++;
    const runner = startRunner(baseURL, out);
    if (killed < kills) {
      const delay = 1_500 + random() * 4_000;
      const finished = await Promise.race([runner.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), delay))]);
      if (!finished) {
        runner.proc.kill('SIGKILL');
        await runner.exited;
        killed++;
        continue;
      }
    }
    const code = await runner.exited;
    if (code === 0 || runs > kills + 10) break;
  }
  return { out, wallMs: performance.now() - started, killed, runs };
}

function audit(out: string) {
  const lines = readFileSync(join(out, 'responses.jsonl'), 'utf8').split('\n');
  const unterminated = lines.at(-1) !== '' ? 1 : 0;
  let unreadable = 0;
  let wrong = 0;
  const answered = new Map<string, number>();
  for (const line of lines.filter(Boolean)) {
    let r: { key: string; item: string; text: string | null; error: unknown };
    try {
      r = JSON.parse(line);
    } catch {
      unreadable++;
      continue;
    }
    if (r.error || r.text === null) continue;
    if (r.text !== `echo: Question ${r.item}?`) wrong++;
    answered.set(r.key, (answered.get(r.key) ?? 0) + 1);
  }
  const duplicated = [...answered.values()].reduce((s, n) => s + n - 1, 0);
  return { lost: ANSWERS - answered.size, duplicated, corrupted: wrong + unreadable + unterminated, lines: lines.filter(Boolean).length };
}

const loadAtStart = loadavg()[0];
const sim = await startSim();
const proxy = await startFaultProxy(sim.baseURL, FAULT_RATE, 7);
try {
  const clean = await soak(sim.baseURL, 0, 1);
  const cleanAudit = audit(clean.out);
  const cleanRequests = await sim.requests();
  console.log(`fault-free: ${(clean.wallMs / 1000).toFixed(1)} s`, cleanAudit);
  const faulty = await soak(proxy.baseURL, KILLS, 2);
  const faultyAudit = audit(faulty.out);
  const { requests, faults } = proxy.counts();
  console.log(`soak: ${(faulty.wallMs / 1000).toFixed(1)} s, ${faulty.killed} kills, ${faulty.runs} runs, ${requests} requests (${faults} spoiled)`, faultyAudit);

  const section = [
    '<!-- soak:begin -->',
    '## Fault soak',
    '',
    `Measured by \`npm run bench${quick ? ' -- --quick' : ''}\` (test/bench/soak.ts) on ${new Date().toISOString().slice(0, 16)} UTC, ${cpus().length} CPU cores, load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end, Node ${process.version}.`,
    `${ANSWERS.toLocaleString('en')} answers (one endpoint, concurrency 32, retries 10, timeout 1 s, backoff base 50 ms, response cache on) asked of the simulated endpoint (L = 5 ms) through a fault-injecting proxy that spoils ${FAULT_RATE * 100}% of requests, evenly: connection reset, 500, 429 with Retry-After 0, body cut off mid-way, invalid JSON with status 200, and a 2 s stall (the 1 s timeout fires). The runner process was killed with SIGKILL ${faulty.killed} times at random moments (1.5-5.5 s after each start) and started again on the same run folder; runs that ended incomplete (answers that failed all their retries) were started again, as a user would.`,
    '',
    '| | fault-free | 30% faults + kill -9 |',
    '| --- | ---: | ---: |',
    `| answers lost | ${cleanAudit.lost} | **${faultyAudit.lost}** |`,
    `| answers duplicated | ${cleanAudit.duplicated} | **${faultyAudit.duplicated}** |`,
    `| answers corrupted (wrong text, unreadable or unfinished lines) | ${cleanAudit.corrupted} | **${faultyAudit.corrupted}** |`,
    `| runner processes started | ${clean.runs} | ${faulty.runs} |`,
    `| requests sent per answer | ${(cleanRequests / ANSWERS).toFixed(2)} | ${(requests / ANSWERS).toFixed(2)} (${requests.toLocaleString('en')} requests, ${faults.toLocaleString('en')} spoiled) |`,
    `| lines in responses.jsonl | ${cleanAudit.lines.toLocaleString('en')} | ${faultyAudit.lines.toLocaleString('en')} (errors recorded, then superseded) |`,
    `| wall time | ${(clean.wallMs / 1000).toFixed(1)} s | ${(faulty.wallMs / 1000).toFixed(1)} s (${(faulty.wallMs / clean.wallMs).toFixed(1)}x) |`,
    '',
    `Wall time with faults includes every restart (each loads the bank and re-reads the run folder) and the retry backoff.${cleanAudit.lines > ANSWERS ? ` The fault-free run goes to the endpoint directly; on this loaded machine ${cleanAudit.lines - ANSWERS} of its requests also passed the 1 s timeout after all retries and were asked again by a second run.` : ''}`,
    '<!-- soak:end -->',
  ].join('\n');
  writeDocsSection('soak', section);
  rmSync(join(clean.out, '..'), { recursive: true, force: true });
  rmSync(join(faulty.out, '..'), { recursive: true, force: true });
} finally {
  await proxy.close();
  sim.proc.kill('SIGTERM');
}
