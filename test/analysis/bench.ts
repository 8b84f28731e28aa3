/**
 * Analysis benchmark: analyze() on a synthetic evaluation of 30 model respondents x 1,000
 * items (30,000 clean answers plus distracted and multi-turn answers) with B = 2,000.
 * Writes the analysis section of docs/benchmarks.md.
 *
 *   npx tsx test/analysis/bench.ts
 */
import { cpus, loadavg } from 'node:os';
import { analyze } from '../../src/analysis/analyze.js';
import { syntheticEvaluation } from '../../src/analysis/synthetic.js';
import { headCommit, writeDocsSection } from '../bench/docs.js';

const MODELS = 30;
const ITEMS = 1000;
const B = 2000;
const RUNS = 3;

const data = syntheticEvaluation({ models: MODELS, items: ITEMS, seed: 1 });
const clean = data.scores.filter((s) => s.variant === 'clean').length;
const timings: { wallMs: number; cpuMs: number }[] = [];
let resultsBytes = 0;
for (let run = 0; run < RUNS; run++) {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const results = analyze({ ...data, options: { bootstrap: B } });
  const used = process.cpuUsage(cpu);
  timings.push({ wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 });
  resultsBytes = Buffer.byteLength(JSON.stringify(results));
  console.log(`run ${run + 1}: ${(timings.at(-1)!.wallMs / 1000).toFixed(2)} s wall, ${(timings.at(-1)!.cpuMs / 1000).toFixed(2)} s CPU`);
}
const best = timings.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
const commit = headCommit();

const section = [
  '<!-- analysis:begin -->',
  '## Analysis',
  '',
  `Measured by \`npx tsx test/analysis/bench.ts\` at commit ${commit}, ${new Date().toISOString().slice(0, 16)} UTC, on ${cpus().length} CPU cores (${cpus()[0]?.model.trim()}), load average ${loadavg()[0].toFixed(1)} at the end, Node ${process.version}.`,
  `Workload: \`syntheticEvaluation\` with ${MODELS} model respondents x ${ITEMS.toLocaleString('en')} items: ${data.scores.length.toLocaleString('en')} scored answers (${clean.toLocaleString('en')} clean, the rest distracted and multi-turn), B = ${B.toLocaleString('en')} for every bootstrap (leaderboard, ${((MODELS * (MODELS - 1)) / 2).toLocaleString('en')} paired comparisons, depth curves and knees, distraction, multi-turn).`,
  '',
  '| run | wall time | CPU time |',
  '| ---: | ---: | ---: |',
  ...timings.map((t, i) => `| ${i + 1} | ${(t.wallMs / 1000).toFixed(2)} s | ${(t.cpuMs / 1000).toFixed(2)} s |`),
  '',
  `Best: **${(best.wallMs / 1000).toFixed(2)} s** wall. The Results object (drill-down with every answer included) is ${(resultsBytes / 1e6).toFixed(1)} MB as JSON.`,
  'Target: a few seconds. Wall time grows with the machine load; CPU time is the better guide on a shared machine.',
  '<!-- analysis:end -->',
].join('\n');

writeDocsSection('analysis', section);
