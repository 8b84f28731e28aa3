/**
 * The performance targets, measured with the built CLI from outside: each command runs as a
 * child process under /usr/bin/time (its CPU and peak RSS from the OS), on generated data of
 * the stated sizes, the simulated endpoint in its own process. Writes the "Targets" section of
 * docs/benchmarks.md (`npx tsx test/bench/targets.ts [--quick]`; also run by `npm run bench`).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBenchFiles } from './workload.js';
import { startSimProcess } from './sim-process.js';
import { SCORE_ENTRIES, writeScoreBank, writeScoreRun } from './score-workload.js';
import { headCommit, writeDocsSection } from './docs.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { bankCacheDir } from '../../src/bank/cache.js';
import { writeReportWorkload } from './report-workload.js';
import { BUILT_CLI } from '../helpers/built-cli.js';
import { timedNode, type Timed } from './timed-child.js';

const quick = process.argv.includes('--quick');

/** Runs the built caps with arguments; CPU (user + system) and peak RSS as the OS counted them. */
const caps = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Timed> => timedNode(BUILT_CLI, args, { CI: '1', ...env });

async function best(times: number, run: () => Promise<Timed>): Promise<Timed> {
  const all: Timed[] = [];
  for (let i = 0; i < times; i++) all.push(await run());
  return all.sort((a, b) => a.cpuS - b.cpuS)[0];
}

const root = mkdtempSync(join(tmpdir(), 'caps-bench-targets-'));
const cache = join(root, 'cache');
const rows: { what: string; measured: string; target: string; met: boolean; load: number }[] = [];
const fmt = (m: Timed) => `${m.cpuS.toFixed(2)} s CPU, ${m.wallS.toFixed(2)} s wall, ${m.peakMb.toFixed(0)} MB`;

// caps --version
const version = await best(3, () => caps(['--version']));
rows.push({ what: '`caps --version` CPU', measured: fmt(version), target: '< 0.3 s', met: version.cpuS < 0.3, load: version.load });

// A 10,000-item bank (3 MB of YAML): cold (parsed and checked), then from the bank cache; lint.
const bankDir = join(root, 'bank');
mkdirSync(bankDir);
const files = writeBenchFiles(bankDir, 'http://127.0.0.1:9/v1', 10_000, 20);
const bankMb = statSync(files.bank).size / 1048576;
const plan = ['run', '--plan', '--config', files.config, '--bank', files.bank];
const cold = await caps(plan, { CAPS_CACHE_DIR: 'off' });
await caps(plan, { CAPS_CACHE_DIR: cache });
const warm = await best(3, () => caps(plan, { CAPS_CACHE_DIR: cache }));
const lint = await caps(['lint', files.bank]);
rows.push({ what: `\`caps run --plan\`, 10,000-item bank (${bankMb.toFixed(1)} MB YAML), no bank cache`, measured: fmt(cold), target: '< 1.5 s, < 200 MB', met: cold.cpuS < 1.5 && cold.peakMb < 200, load: cold.load });
rows.push({ what: '`caps run --plan`, same bank, from the bank cache', measured: fmt(warm), target: '< 1.5 s, < 200 MB', met: warm.cpuS < 1.5 && warm.peakMb < 200, load: warm.load });
rows.push({ what: '`caps lint`, same bank', measured: fmt(lint), target: '< 200 MB', met: lint.peakMb < 200, load: lint.load });

// caps score, matchers only: a bank of 1,000 items with 20 rubric entries each, answers of about 600 characters.
// The bank is put in the bank cache first: its cold load is what the `run --plan` rows measure.
const scoreBank = join(root, 'score-bank.yaml');
writeScoreBank(scoreBank);
await loadBankOrThrow([scoreBank], bankCacheDir({ CAPS_CACHE_DIR: cache }));

// Each size scored twice from the same responses: in one thread (--workers 0) and on two worker threads; the two scores.jsonl must be equal byte for byte.
for (const n of [1_000, 10_000, 100_000]) {
  const dir = join(root, `score-${n}`);
  await writeScoreRun(dir, scoreBank, n);
  cpSync(dir, `${dir}-w0`, { recursive: true });
  const checks = n * SCORE_ENTRIES;
  for (const [label, run, extra] of [['two worker threads (`--workers 2`)', dir, ['--workers', '2']], ['one thread (`--workers 0`)', `${dir}-w0`, ['--workers', '0']]] as const) {
    const m = await caps(['score', run, '--bank', scoreBank, '--format', 'json', ...extra], { CAPS_CACHE_DIR: cache });
    rows.push({ what: `\`caps score\`, matchers only, ${label}, ${n.toLocaleString('en')} answers x ${SCORE_ENTRIES} entries`, measured: `${Math.round(checks / m.cpuS).toLocaleString('en')} checks/s of CPU (${fmt(m)})`, target: '>= 100,000 checks/s; < 200 MB, flat', met: checks / m.cpuS >= 100_000 && m.peakMb < 200, load: m.load });
  }
  if (!readFileSync(join(dir, 'scores.jsonl')).equals(readFileSync(join(`${dir}-w0`, 'scores.jsonl')))) throw new Error(`scores.jsonl of ${n} answers differs between worker threads and one thread`);
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${dir}-w0`, { recursive: true, force: true });
}

// caps report, whole path (read the run folder and bank, analyse with the default bootstrap, write every format):
// a scored run of 30 respondents x 1,000 clean items, answers of about 600 characters.
{
  const dir = join(root, 'report');
  const workload = await writeReportWorkload(dir);
  const m = await caps(['report', workload.run, '--bank', workload.bank, '--out', join(dir, 'out'), '--quiet'], { CAPS_CACHE_DIR: cache });
  if (m.code !== 0) throw new Error(`caps report exited with ${m.code}`);
  rows.push({ what: `\`caps report\`, whole path, 30 respondents x 1,000 items (${workload.answers.toLocaleString('en')} scored answers), all formats`, measured: fmt(m), target: '< 5 s wall', met: m.wallS < 5, load: m.load });
  rmSync(dir, { recursive: true, force: true });
}

// caps run against the simulated endpoint in its own process, fixed latency.
for (const [n, c, latency, ratio] of [[1_000, 20, 100, 1.05], [10_000, 100, 100, 1.1], ...(quick ? [] : [[100_000, 200, 0, 0]])] as const) {
  const sim = await startSimProcess(latency);
  const dir = mkdtempSync(join(root, 'run-'));
  const f = writeBenchFiles(dir, sim.baseURL, 1000, c);
  // The bank's cold load is what the `run --plan` rows measure; these measure the runner, so the
  // built caps puts the bank in the bank cache first (its entries are keyed by the loader's own code).
  await caps(['run', '--plan', '--config', f.config, '--bank', f.bank], { CAPS_CACHE_DIR: cache });
  const m = await caps(['run', '--config', f.config, '--bank', f.bank, '--samples', String(n / 1000), '--no-cache', '--quiet', '--out', join(dir, 'run')], { CAPS_CACHE_DIR: cache });
  await sim.stop();
  const ideal = (Math.ceil(n / c) * latency) / 1000;
  const perAnswer = `${((m.cpuS * 1000) / n).toFixed(2)} ms CPU per answer`;
  if (ratio > 0) {
    rows.push({ what: `\`caps run\`, N = ${n.toLocaleString('en')}, C = ${c}, L = ${latency} ms`, measured: `${(m.wallS / ideal).toFixed(2)}x ideal (${m.wallS.toFixed(2)} s / ${ideal.toFixed(1)} s), ${m.peakMb.toFixed(0)} MB, ${perAnswer}`, target: `<= ${ratio}x${n >= 10_000 ? ', < 200 MB' : ''}; <= 0.5 ms CPU per answer`, met: m.wallS / ideal <= ratio && (n < 10_000 || m.peakMb < 200) && (m.cpuS * 1000) / n <= 0.5, load: m.load });
  } else {
    rows.push({ what: `\`caps run\` peak RSS, ${n.toLocaleString('en')} answers (C = ${c}, L = 0)`, measured: `${m.peakMb.toFixed(0)} MB (${m.wallS.toFixed(1)} s, ${perAnswer})`, target: '< 200 MB', met: m.peakMb < 200, load: m.load });
  }
}
rmSync(root, { recursive: true, force: true });

const commit = headCommit();
const section = [
  '<!-- targets:begin -->',
  '## Targets',
  '',
  `Measured by \`npx tsx test/bench/targets.ts${quick ? ' --quick' : ''}\` (also run by \`npm run bench\`) at commit ${commit}, ${new Date().toISOString().slice(0, 16)} UTC, on ${cpus().length} CPU cores (${cpus()[0]?.model.trim()}) shared with other jobs, Node ${process.version}. Each figure is the built \`caps\` (\`node dist/bin/caps.js\`) run as a child process under \`/usr/bin/time\`: CPU is user + system time of that process, peak RSS its maximum resident set as the OS reports it; "load" is the 1-minute load average when it started. The simulated endpoint runs in its own process (test/bench/sim-child.ts); its CPU is not counted.`,
  '',
  '| what | measured | load | target | met |',
  '| --- | --- | ---: | --- | --- |',
  ...rows.map((r) => `| ${r.what} | ${r.measured} | ${r.load.toFixed(1)} | ${r.target} | ${r.met ? 'yes' : '**no**'} |`),
  '<!-- targets:end -->',
].join('\n');
writeDocsSection('targets', section);
console.log(section);
