/**
 * Interop bench: import of a synthetic 5,000-row HealthBench file (the 10 fixture rows repeated
 * with fresh prompt ids and varied text, about 60 MB), wall time and peak RSS of the importing
 * process, bank and ideal completions included. Run: npx tsx test/bench/interop.ts [ROWS]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importHealthBench } from '../../src/interop/import-healthbench.js';

const ROWS = process.argv[2] && process.argv[2] !== '--child' ? Number(process.argv[2]) : 5_000;
const SAMPLE = fileURLToPath(new URL('../../../shared/fixtures/healthbench/oss_eval_sample.jsonl', import.meta.url));

function syntheticFile(path: string): void {
  const rows = readFileSync(SAMPLE, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const lines: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    const row = structuredClone(rows[i % rows.length]);
    row.prompt_id = `bench-${i}-${row.prompt_id}`;
    row.prompt[row.prompt.length - 1].content += ` (case ${i})`;
    lines.push(JSON.stringify(row));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

if (process.argv[2] === '--child') {
  const [file, out] = process.argv.slice(3);
  const started = performance.now();
  const summary = await importHealthBench({ file, out: join(out, 'bank.yaml'), answers: join(out, 'run') });
  const ms = performance.now() - started;
  process.stdout.write(JSON.stringify({ ms, items: summary.counts.items, ideal: summary.counts.idealCompletions, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'caps-bench-interop-'));
  try {
    const file = join(dir, `healthbench-${ROWS}.jsonl`);
    syntheticFile(file);
    const mb = statSync(file).size / 1e6;
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', file, dir], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(child.stderr);
    const r = JSON.parse(child.stdout) as { ms: number; items: number; ideal: number; maxRssMb: number };
    const bankMb = statSync(join(dir, 'bank.yaml')).size / 1e6;
    process.stdout.write(
      `caps import healthbench: ${r.items} rows (${mb.toFixed(1)} MB JSONL) -> bank ${bankMb.toFixed(1)} MB YAML + ${r.ideal} ideal completions ` +
        `in ${(r.ms / 1000).toFixed(2)} s, peak RSS ${r.maxRssMb.toFixed(0)} MB (Node ${process.version})\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
