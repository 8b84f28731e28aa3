/**
 * `caps report` before and after a change, on the data of the report row of targets.ts:
 * alternates a base build (a copy of another commit's dist/) and this checkout's dist/, several
 * rounds, each under /usr/bin/time (wall, CPU, peak RSS) with the load average at its start,
 * and checks that every file both write is the same byte for byte (generated_at aside, the only
 * field that differs between two runs). Exits 1 when a file differs.
 *
 *   cp -r dist .bench-base       # in a checkout of the base commit, built; then here:
 *   npx tsx test/bench/report-ab.ts --base /path/to/.bench-base [--rounds 3] [--data DIR]
 *
 * The base copy must sit inside a checkout (or beside a package.json with "type": "module" and
 * node_modules), as dist/ does, for node to load it.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeReportWorkload } from './report-workload.js';
import { BUILT_CLI, builtCliIn } from '../helpers/built-cli.js';
import { timedNode } from './timed-child.js';

const { values } = parseArgs({ options: { base: { type: 'string' }, rounds: { type: 'string', default: '3' }, data: { type: 'string' } } });
if (!values.base) throw new Error('pass --base DIR: a copy of the dist/ folder of the build to compare with');
const builds = { base: builtCliIn(resolve(values.base)), head: BUILT_CLI };
for (const bin of Object.values(builds)) if (!existsSync(bin)) throw new Error(`${bin} not found: build first (npm run build)`);

const root = mkdtempSync(join(tmpdir(), 'caps-report-ab-'));
const data = values.data ? { run: join(values.data, 'run'), bank: join(values.data, 'bank', 'lung.yaml') } : await writeReportWorkload(root);

/** The one field that differs between two runs of the same build. */
const GENERATED_AT = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;

async function report(bin: string, out: string): Promise<string> {
  rmSync(out, { recursive: true, force: true });
  const m = await timedNode(bin, ['report', data.run, '--bank', data.bank, '--out', out, '--quiet']);
  if (m.code !== 0) throw new Error(`${bin} report exited with ${m.code}`);
  return `wall ${m.wallS.toFixed(2)} s, CPU ${m.cpuS.toFixed(2)} s, peak ${m.peakMb.toFixed(0)} MB, load ${m.load.toFixed(1)}`;
}

let differ = false;
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const [name, bin] of Object.entries(builds)) console.log(`round ${round} ${name}: ${await report(bin, join(root, name))}`);
  const files = readdirSync(join(root, 'base')).sort();
  if (readdirSync(join(root, 'head')).sort().join() !== files.join()) throw new Error('the two builds wrote different files');
  const normal = (name: string, file: string) => readFileSync(join(root, name, file), 'latin1').replace(GENERATED_AT, 'GENERATED_AT');
  const different = files.filter((file) => normal('base', file) !== normal('head', file));
  differ ||= different.length > 0;
  console.log(different.length ? `  differ: ${different.join(', ')}` : `  all ${files.length} files the same`);
}
rmSync(root, { recursive: true, force: true });
process.exitCode = differ ? 1 : 0;
