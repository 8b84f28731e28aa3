/**
 * Where the wall time of `caps run` goes, measured from outside: the built CLI against the
 * simulated endpoint in its own process (fixed latency L, tracing every request's arrival and
 * send time), the bank already in the bank cache, `--no-cache --quiet`. For each run it prints
 *   start   process spawn -> first request arrives at the endpoint
 *   ramp    first -> C-th request arrives (the first round's requests leaving one by one)
 *   server  how far the endpoint itself overshoots L (time from arrival to response sent, minus L)
 *   turn    per request, response k-C sent -> request k arrives (with C in flight, request k
 *           replaces the k-C-th to finish): record building, appends and the client, per answer
 *   slip    per round of C: the run's middle (first arrival -> last response) minus rounds x L
 *   tail    last response sent -> process exit
 * `npx tsx test/bench/run-timeline.ts [--bin dist] [--rounds 3] [--rows 1000x20,10000x100]`;
 * several --bin folders alternate, run by run, for a before/after on a shared machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeBenchFiles } from './workload.js';
import { startSimProcess } from './sim-process.js';
import { builtCliIn } from '../helpers/built-cli.js';
import { timedNode } from './timed-child.js';

const { values } = parseArgs({ options: { bin: { type: 'string', multiple: true }, rounds: { type: 'string', default: '3' }, rows: { type: 'string', default: '1000x20,10000x100' }, latency: { type: 'string', default: '100' } } });
const here = import.meta.dirname;
const bins = (values.bin ?? [join(here, '..', '..', 'dist')]).map((b) => resolve(b));
const latency = Number(values.latency);
const rows = values.rows.split(',').map((r) => r.split('x').map(Number) as [number, number]);
// The bank has 1,000 items; N is asked as N / 1,000 samples of each.
for (const [n, c] of rows) if (!(n >= 1000 && n % 1000 === 0 && c >= 1)) throw new Error(`--rows: N must be a multiple of 1,000 and C at least 1 (NxC, e.g. 1000x20), not ${n}x${c}`);

/** The built caps of `bin` with arguments, under /usr/bin/time; a failed run stops the benchmark. */
async function timed(bin: string, args: string[], env: NodeJS.ProcessEnv) {
  const m = await timedNode(builtCliIn(bin), args, { CI: '1', ...env });
  if (m.code !== 0) throw new Error(`caps exited with ${m.code}`);
  return m;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return `mean ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2)} p50 ${at(0.5).toFixed(2)} p95 ${at(0.95).toFixed(2)} max ${s.at(-1)!.toFixed(2)}`;
};

const root = mkdtempSync(join(tmpdir(), 'caps-timeline-'));
const cache = join(root, 'cache');
for (const [n, c] of rows) {
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const bin of bins) {
      const sim = await startSimProcess(latency, { trace: true });
      const dir = mkdtempSync(join(root, 'run-'));
      const f = writeBenchFiles(dir, sim.baseURL, 1000, c);
      let m: Awaited<ReturnType<typeof timed>>;
      let log: [number, number | null][];
      try {
        await timed(bin, ['run', '--plan', '--config', f.config, '--bank', f.bank], { CAPS_CACHE_DIR: cache });
        m = await timed(bin, ['run', '--config', f.config, '--bank', f.bank, '--samples', String(n / 1000), '--no-cache', '--quiet', '--out', join(dir, 'run')], { CAPS_CACHE_DIR: cache });
        log = await sim.timeline();
      } finally {
        await sim.stop();
      }
      if (log.length !== n) throw new Error(`the endpoint served ${log.length} requests, not ${n}`);
      const arrived = log.map(([a]) => a).sort((a, b) => a - b);
      const sent = log.map(([, s]) => s!).sort((a, b) => a - b);
      const turn = arrived.slice(c).map((a, k) => a - sent[k]);
      const rounds = Math.ceil(n / c);
      const wall = m.exitedAt - m.startedAt;
      const ideal = rounds * latency;
      const middle = sent.at(-1)! - arrived[0];
      console.log(
        [
          `N=${n} C=${c} L=${latency} ${bin.split('/').at(-1)} load ${m.load.toFixed(2)}: wall ${wall.toFixed(0)} ms = ${(wall / ideal).toFixed(3)}x ideal, ${((m.cpuS * 1000) / n).toFixed(2)} ms CPU/answer, ${m.peakMb.toFixed(0)} MB`,
          `  start ${(arrived[0] - m.startedAt).toFixed(0)} ms | ramp ${(arrived[c - 1] - arrived[0]).toFixed(1)} ms | slip/round ${((middle - ideal) / rounds).toFixed(2)} ms (x${rounds} = ${(middle - ideal).toFixed(0)} ms) | tail ${(m.exitedAt - sent.at(-1)!).toFixed(0)} ms`,
          `  server overshoot ${stats(log.map(([a, s]) => s! - a - latency))}`,
          `  turn (response k-C sent -> request k arrives) ${stats(turn)}`,
        ].join('\n'),
      );
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
rmSync(root, { recursive: true, force: true });
