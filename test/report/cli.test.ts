/** `caps report` end to end on real run folders: two runs compared, warnings, and clean errors. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { runCaps } from '../helpers/cli.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { Results } from '../../src/schema/results.js';
import { bankInput, makeEvaluation, writeRun } from './fixture.js';

const run = runCaps;

describe('caps report', () => {
  let dir: string;
  let vendors: string;
  let doctors: string;
  let bankFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caps-report-cli-'));
    bankFile = join(dir, 'bank', 'lung.yaml');
    mkdirSync(join(dir, 'bank'));
    writeFileSync(bankFile, stringify(bankInput(15)));
    const bank = await loadBankOrThrow([bankFile]);
    const { scores, responses } = makeEvaluation({ items: 15, respondents: 4, bank });
    const isDoctor = (r: { respondent: string }) => r.respondent === 'dr-li';
    vendors = join(dir, 'runs', 'vendors');
    doctors = join(dir, 'runs', 'doctors');
    // Two answers of the vendors' run are not scored yet: reported as a note, left out.
    const vendorScores = scores.filter((s) => !isDoctor(s));
    writeRun(vendors, 'vendors-2026', bank, responses.filter((r) => !isDoctor(r)), vendorScores.slice(0, -2));
    writeRun(doctors, 'doctors-2026', bank, responses.filter(isDoctor), scores.filter(isDoctor));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  it('compares several runs in one report and prints the files and knee verdicts', async () => {
    const out = join(dir, 'report');
    const { code, stdout, stderr } = await run(['report', vendors, doctors, '--out', out, '--format', 'md,json,csv', '--bootstrap', '200', '--seed', '5']);
    expect(stderr).toContain('2 answer(s) are not scored yet');
    expect(code).toBe(0);
    expect(stdout).toContain(`wrote ${join(out, 'summary.md')}`);
    expect(stdout).toContain(`wrote ${join(out, 'results.json')}`);
    expect(stdout).toMatch(/vendor-a: (knee|no knee)/);
    const results = Results.parse(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
    expect(results.runs.map((r) => r.id)).toEqual(['vendors-2026', 'doctors-2026']);
    expect(results.leaderboard.rows.map((r) => r.respondent).sort()).toEqual(['dr-li', 'vendor-a', 'vendor-b', 'vendor-c']);
    expect(results.humans_vs_models.available).toBe(true);
    expect(results.settings).toMatchObject({ seed: 5, bootstrap_b: 200 });
    expect(results.warnings.some((w) => w.includes('not scored yet'))).toBe(true);
  });

  it('takes the bank from the manifest, or from --bank', async () => {
    const out = join(dir, 'report-bank');
    const { code } = await run(['report', doctors, '--bank', join(dir, 'bank'), '--out', out, '--format', 'json', '--bootstrap', '200']);
    expect(code).toBe(0);
    expect(Results.parse(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).bank.items).toBe(15);
  });

  it('explains what to do when a run is not scored, not a run, or the format is unknown', async () => {
    const unscored = join(dir, 'runs', 'unscored');
    const bank = await loadBankOrThrow([bankFile]);
    writeRun(unscored, 'unscored', bank, makeEvaluation({ items: 15, respondents: 1, bank }).responses, []);
    let r = await run(['report', unscored]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`caps score ${unscored}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);

    r = await run(['report', join(dir, 'bank')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not a run folder');

    r = await run(['report', doctors, '--format', 'html,pdf']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown report format "pdf"');
  });
});
