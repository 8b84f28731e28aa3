/** Review rounds through `caps review`, recorded in the bank files, then shown by `caps report`. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCaps } from '../helpers/cli.js';
import { lintBank } from '../../src/bank/lint.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { readReviewHistory } from '../../src/review/history-file.js';
import { replay } from '../../src/review/rounds.js';
import { Results } from '../../src/schema/results.js';
import { bankInput, makeEvaluation, writeRun } from '../report/fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'caps-review-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function caps(args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runCaps(args);
  if (code !== 0) throw new Error(`caps ${args.join(' ')} failed (${code}): ${stderr}`);
  return stdout;
}

describe('caps review and the bank provenance of caps report', () => {
  it('runs two rounds over 20 items (15% then 0%), admits them after the second, and reports rounds, reviewers and the drafted share', async () => {
    const bankDir = join(dir, 'bank');
    mkdirSync(bankDir);
    const input = bankInput(20, false);
    // Five items were drafted by a model; the others were written by two physicians.
    input.items.forEach((item, i) => Object.assign(item, { status: 'draft', ...(i < 5 ? { source: 'drafted by sim-drafter' } : { authors: [i % 2 ? 'dr-wang' : 'dr-li'] }) }));
    writeFileSync(join(bankDir, 'lung.yaml'), `# Bank under review\n${stringify(input)}`);
    const bank = ['--bank', bankDir];

    expect(await caps(['review', 'open', ...bank, '--reviewers', 'dr-wang,dr-li,dr-zhao', '--by', 'coordinator'])).toMatch(/^round 1 opened over 20 item\(s\), 2 reviewer\(s\) each/);
    expect((await lintBank([bankDir])).summary?.statuses).toMatchObject({ 'in-review': 20, draft: 0 });
    let state = replay(await readReviewHistory(join(bankDir, 'review-history.jsonl')));
    const flagged = ['lc-0002', 'lc-0009', 'lc-0016'];
    for (const [item, { reviewers }] of state.rounds[0].assignments) {
      for (const [k, reviewer] of reviewers.entries()) {
        const revise = flagged.includes(item) && k === 1;
        await caps(['review', 'decide', ...bank, '--item', item, '--reviewer', reviewer, ...(revise ? ['--revise', '--comment', '再分期的手段不完整', '--entry', 'restage'] : ['--accept'])]);
      }
    }
    expect(await caps(['review', 'close', ...bank, '--by', 'coordinator'])).toMatch(/3 of 20 item\(s\) with a revision request = 15\.0% \(threshold 5\.0%\): not passed, nothing admitted/);
    expect((await lintBank([bankDir])).summary?.statuses).toMatchObject({ 'in-review': 20, admitted: 0 });

    // Each author revises their own item; a drafted item is revised by the coordinator's colleague dr-chen.
    for (const item of flagged) {
      const author = (input.items.find((i) => i.id === item) as { authors?: string[] }).authors?.[0] ?? 'dr-chen';
      await caps(['review', 'revise', ...bank, '--item', item, '--by', author, '--note', '补充PET-CT和脑MRI']);
    }
    expect(await caps(['review', 'open', ...bank, '--reviewers', 'dr-wang,dr-li,dr-zhao', '--by', 'coordinator'])).toMatch(/^round 2 opened over 3 item\(s\)/);
    state = replay(await readReviewHistory(join(bankDir, 'review-history.jsonl')));
    for (const [item, { reviewers }] of state.rounds[1].assignments) {
      for (const reviewer of reviewers) await caps(['review', 'decide', ...bank, '--item', item, '--reviewer', reviewer, '--accept']);
    }
    expect(await caps(['review', 'close', ...bank, '--by', 'coordinator'])).toMatch(/0 of 3 item\(s\) with a revision request = 0\.0%.*passed, 20 item\(s\) admitted/);
    const lint = await lintBank([bankDir]);
    expect(lint.errors + lint.warnings).toBe(0);
    expect(lint.summary?.statuses).toMatchObject({ admitted: 20, 'in-review': 0 });
    expect(readFileSync(join(bankDir, 'lung.yaml'), 'utf8').startsWith('# Bank under review\n')).toBe(true);
    expect(await caps(['review', 'status', ...bank])).toMatch(/round 1: 20 item\(s\), 3 reviewer\(s\), 3 with a revision request, rate 15\.0%/);

    // The report finds the history beside the bank.
    const loaded = await loadBankOrThrow([bankDir]);
    const { scores, responses } = makeEvaluation({ items: 20, respondents: 2, bank: loaded });
    const runDir = join(dir, 'run');
    writeRun(runDir, 'review-run', loaded, responses, scores);
    const out = join(dir, 'report');
    await caps(['report', runDir, '--bank', bankDir, '--out', out, '--format', 'html,md,json', '--bootstrap', '200']);
    const results = Results.parse(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')));
    expect(results.bank.statuses).toMatchObject({ admitted: 20 });
    expect(results.provenance?.rounds.map((r) => [r.round, r.items, r.with_requests, r.revision_rate, r.passed, r.admitted])).toEqual([
      [1, 20, 3, 0.15, false, 0],
      [2, 3, 0, 0, true, 20],
    ]);
    expect(results.provenance).toMatchObject({ admitted_items: 20, admitted_drafted: 5, drafted_share: 0.25 });
    expect(results.provenance?.reviewers.map((r) => r.reviewer)).toEqual(['dr-li', 'dr-wang', 'dr-zhao']);
    expect(results.provenance?.reviewers.reduce((n, r) => n + r.decisions, 0)).toBe(46);
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toContain('## Bank provenance');
    expect(md).toMatch(/\| 1 \| 20 \| 3 \| 15\.0% \| 5\.0% \| no \| 0 \|/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<section id="provenance"');
    expect(html).toContain('Revision rate per round');
  }, 180_000);

  it('refuses to close a round that still waits for decisions, and to admit an item that fails lint', async () => {
    const bankDir = join(dir, 'bank2');
    mkdirSync(bankDir);
    const input = bankInput(2, false);
    input.items.forEach((item) => Object.assign(item, { status: 'in-review' }));
    writeFileSync(join(bankDir, 'lung.yaml'), stringify(input));
    const bank = ['--bank', bankDir];
    await caps(['review', 'open', ...bank, '--reviewers', 'a,b', '--per-item', '1', '--by', 'c']);
    const early = await runCaps(['review', 'close', ...bank, '--by', 'c']);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/round 1 still waits for 2 decisions/);
    // An author breaks an item's matcher while it is under review.
    const file = join(bankDir, 'lung.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('text: 多学科讨论', 'text: 多学科讨论\n          match: { any: [MDT] }\n          examples: { hit: [无关的话], miss: [] }'));
    const state = replay(await readReviewHistory(join(bankDir, 'review-history.jsonl')));
    for (const [item, { reviewers }] of state.rounds[0].assignments) await runCaps(['review', 'decide', ...bank, '--item', item, '--reviewer', reviewers[0], '--accept']);
    const refused = await runCaps(['review', 'close', ...bank, '--by', 'c']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the question bank has 1 error:\n.*hit example 1 of "mdt" is not matched/);
    expect(readFileSync(join(bankDir, 'review-history.jsonl'), 'utf8')).not.toContain('round-closed');
  });
});
