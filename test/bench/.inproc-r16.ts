import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { runEval } from '../../src/runner/run.js';
import { createHttpFetch } from '../../src/endpoints/http-fetch.js';
import { benchBank, benchConfig } from './workload.js';
import { startSimProcess } from './sim-process.js';
const sim = await startSimProcess(Number(process.argv[2] ?? 20));
const bank = benchBank(10000);
async function run(n: number, c: number) {
  const root = mkdtempSync(join(tmpdir(), 'caps-b16-'));
  const b = n === 10000 ? bank : benchBank(n);
  const cpu = process.cpuUsage(); const t = performance.now();
  const s = await runEval({ bank: b, config: benchConfig(sim.baseURL, c), out: join(root, 'run'), cacheDir: false });
  const u = process.cpuUsage(cpu); rmSync(root, { recursive: true, force: true });
  return { ms: performance.now() - t, cpu: (u.user + u.system) / 1000 / s.counts.done };
}
const pooled = createHttpFetch({ maxSockets: 100 });
const openai = new OpenAI({ apiKey: 'none', baseURL: sim.baseURL, maxRetries: 0, logLevel: 'off', fetch: pooled.fetch });
async function stack(n: number, c: number) {
  let next = 0; const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: c }, async () => { while (next < n) { const i = next++; await openai.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: `Question q${i}?` }] }); } }));
  const u = process.cpuUsage(cpu); return (u.user + u.system) / 1000 / n;
}
await run(2000, 100); await stack(2000, 100);
for (let r = 0; r < Number(process.argv[3] ?? 3); r++) {
  const a = await run(10000, 100); const s = await stack(10000, 100);
  console.log(`load ${loadavg()[0].toFixed(1)} runner ${a.cpu.toFixed(3)} ms/answer (wall ${a.ms.toFixed(0)}) | openai+fetch alone ${s.toFixed(3)} ms/request`);
}
pooled.close(); await sim.stop();
