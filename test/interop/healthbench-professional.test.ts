import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { importVerdicts } from '../../src/interop/import-verdicts.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { Results } from '../../src/schema/results.js';
import { runCaps } from '../helpers/cli.js';
import { HEALTHBENCH_SAMPLE, tempDir } from './fixtures.js';

/** Rows in HealthBench's own format, tagged as a Professional set tags its use cases and strata. */
function professionalFile(dir: string): string {
  const rows = readFileSync(HEALTHBENCH_SAMPLE, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const tagged = rows.map((row, i) => ({ ...row, example_tags: [`use_case:${['care_consult', 'writing_documentation', 'medical_research'][i % 3]}`, `stratum:${i % 2 === 0 ? 'hard' : 'standard'}`] }));
  const file = join(dir, 'professional.jsonl');
  writeFileSync(file, tagged.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

describe('HealthBench Professional: its groups and the length-adjusted score', () => {
  it('records lambda in the bank, reports score - lambda x (characters - 2000) / 500 beside the raw score, keeps use-case and stratum groups, and lets the report override lambda', async () => {
    const dir = tempDir('hb-pro');
    const file = professionalFile(dir);
    const bankPath = join(dir, 'pro.yaml');
    const run = join(dir, 'run');
    expect((await runCaps(['import', 'healthbench', file, '--out', bankPath, '--answers', run, '--length-lambda', 'professional'])).code).toBe(0);
    const bank = await loadBankOrThrow([bankPath]);
    expect(bank.lengthAdjustment).toEqual({ lambda: 0.0147, center: 2000, per: 500, source: 'published for HealthBench professional (arXiv 2604.27470)' });

    // Grade every criterion of the ideal completions: positive ones met, negative ones not.
    const responses = [...(await new RunFolder(run).latestResponses()).values()];
    const grades = responses.flatMap((r) => {
      const item = bank.items.find((i) => i.id === r.item)!;
      return [...item.rubric.points.map((p) => ({ key: r.key, entry: p.id, met: true })), ...item.rubric.deductions.map((d) => ({ key: r.key, entry: d.id, met: false }))];
    });
    writeFileSync(join(dir, 'grades.yaml'), stringify(grades));
    await importVerdicts({ file: join(dir, 'grades.yaml'), runDir: run, bank });

    const report = async (extra: string[]) => {
      expect((await runCaps(['report', run, '--out', join(dir, 'report'), '--format', 'json,md', ...extra])).code).toBe(0);
      return Results.parse(JSON.parse(readFileSync(join(dir, 'report', 'results.json'), 'utf8')));
    };
    // By hand: every example scores 1; the adjusted example score is 1 - 0.0147 x (characters - 2000) / 500.
    const lengths = responses.map((r) => [...r.text!].length);
    const expected = (lambda: number) => lengths.reduce((sum, n) => sum + (1 - (lambda * (n - 2000)) / 500), 0) / lengths.length;
    let results = await report([]);
    const native = results.native!;
    expect(native.length_adjustment).toMatchObject({ lambda: 0.0147, center: 2000, per: 500 });
    const [row] = native.rows;
    expect(row.overall).toMatchObject({ examples: 7, unclipped_mean: 1, score: 1 });
    expect(row.length_adjusted!.examples).toBe(7);
    expect(row.length_adjusted!.unclipped_mean).toBeCloseTo(expected(0.0147), 12);
    expect(row.length_adjusted!.score).toBeCloseTo(Math.min(1, Math.max(0, expected(0.0147))), 12);
    expect(row.groups.map((g) => g.group)).toEqual(expect.arrayContaining(['use_case:care_consult', 'use_case:writing_documentation', 'use_case:medical_research', 'stratum:hard', 'stratum:standard']));
    expect(readFileSync(join(dir, 'report', 'summary.md'), 'utf8')).toContain('length-adjusted (λ 0.0147 per 500 characters beyond 2000)');

    results = await report(['--length-lambda', '0.03']);
    expect(results.native!.length_adjustment).toMatchObject({ lambda: 0.03, source: 'set by the user' });
    expect(results.native!.rows[0].length_adjusted!.unclipped_mean).toBeCloseTo(expected(0.03), 12);
    const bad = await runCaps(['report', run, '--length-lambda', 'plenty']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--length-lambda is "plenty"; give a number of at least 0, or professional/);
  });
});
