import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { UserError } from '../../src/errors.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importHealthBench } from '../../src/interop/import-healthbench.js';
import { exportHealthBench } from '../../src/interop/export.js';
import { clippedStats, healthBenchHeadline } from '../../src/interop/healthbench-score.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { scoreAnswer } from '../../src/scorer/score-answer.js';
import { resolveRubric } from '../../src/scorer/rubric.js';
import type { Bank } from '../../src/bank/bank.js';
import type { AnswerScore, Opinion } from '../../src/schema/score.js';
import { HEALTHBENCH_SAMPLE, tempDir } from './fixtures.js';

const A = 'bbd759b4-8e4d-4db7-bc36-f2e069396c1c'; // [8 7 6 6 5 -6], all completeness
const B = '6f7a2ee9-e9c6-42d8-b79f-22dea966b8d2'; // [5 accuracy, 5 context_awareness]
const C = '8f2a65de-dea7-48e8-8adb-6194eca26c08'; // 8 ctx, 9 9 -8 8 compl, 7 acc, -7 compl, 10 instr, 10 6 -10 compl

async function imported(): Promise<{ dir: string; bank: Bank }> {
  const dir = tempDir('hb');
  await importHealthBench({ file: HEALTHBENCH_SAMPLE, out: join(dir, 'hb.yaml'), answers: join(dir, 'run') });
  return { dir, bank: await loadBankOrThrow([join(dir, 'hb.yaml')]) };
}

/** A score from a hand-made verdict table: the listed entries met, every other not. */
function handScore(bank: Bank, itemId: string, met: string[], respondent = 'r'): AnswerScore {
  const item = bank.items.find((i) => i.id === itemId)!;
  const opinions = new Map<string, Opinion>(resolveRubric(item).map((e) => [e.id, { met: met.includes(e.id), quotes: [] }]));
  const response = { key: `${respondent}|${itemId}`, respondent, respondent_kind: 'model' as const, item: itemId, variant: 'clean', turn: 0, sample: 0, messages: [], text: 'an answer', attempts: 1, error: null };
  return scoreAnswer({ item, response, profile: bank.profile, judgeOpinions: opinions });
}

describe('caps import healthbench', () => {
  it('imports the 10 rows: criteria with signed points and tags, example tags, ideal completions as a reference respondent', async () => {
    const { dir, bank } = await imported();
    expect(bank.profile).toBe('healthbench');
    expect(bank.items).toHaveLength(10);
    expect(bank.items.reduce((n, i) => n + i.rubric.points.length, 0)).toBe(85);
    expect(bank.items.reduce((n, i) => n + i.rubric.deductions.length, 0)).toBe(33);
    const c = bank.items.find((i) => i.id === C)!;
    expect(c.rubric.points.map((p) => `${p.id}:${p.score}`)).toEqual(['p1:8', 'p2:9', 'p3:9', 'p5:8', 'p6:7', 'p8:10', 'p9:10', 'p10:6']);
    expect(c.rubric.deductions.map((d) => `${d.id}:${d.score}`)).toEqual(['d4:-8', 'd7:-7', 'd11:-10']);
    expect(c.rubric.points[0].tags).toEqual(['level:example', 'axis:context_awareness']);
    expect(c.topic).toBe('global_health');
    expect(c.tags).toEqual(['theme:global_health']);
    const multiTurn = bank.items.find((i) => i.id === '19ec4833-86e9-4166-8b82-d1da09f31fd7')!;
    expect(Array.isArray(multiTurn.prompt) && multiTurn.prompt.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user']);

    const responses = [...(await new RunFolder(join(dir, 'run')).latestResponses()).values()];
    expect(responses).toHaveLength(7);
    expect(new Set(responses.map((r) => `${r.respondent}/${r.respondent_kind}`))).toEqual(new Set(['healthbench-ideal/reference']));
    expect(responses.find((r) => r.item === multiTurn.id)!.messages).toEqual(multiTurn.prompt);
    // The streamed bank hash is the loader's.
    expect(new RunFolder(join(dir, 'run')).readManifest().bank.hash).toBe(bank.hash);
  });

  it('reproduces per-example, per-axis and headline numbers computed by hand', async () => {
    const { bank } = await imported();
    const scores = [handScore(bank, A, ['p1', 'd6']), handScore(bank, B, ['p1']), handScore(bank, C, ['p1', 'd4', 'd11'])];
    // A: (8 - 6) / 32; B: 5 / 10; C: (8 - 8 - 10) / 67, negative and not clipped per example.
    expect(scores.map((s) => s.score)).toEqual([(2 / 32) * 100, 50, (-10 / 67) * 100]);
    expect(scores[2].caps_score).toBe(0);
    const [headline] = healthBenchHeadline(bank, scores, { seed: 7, resamples: 200 });
    expect(headline.respondent).toBe('r');
    expect(headline.overall.examples).toBe(3);
    expect(headline.overall.unclipped_mean).toBeCloseTo((2 / 32 + 0.5 - 10 / 67) / 3, 12);
    expect(headline.overall.score).toBeCloseTo(0.13774876, 8);
    const axis = Object.fromEntries(headline.criterionTags.map((a) => [a.group, a]));
    // completeness: A 2/32 and C (-8 - 10) / (9 + 9 + 8 + 10 + 6) = -18/42; mean negative -> clipped to 0.
    expect(axis['axis:completeness']).toMatchObject({ examples: 2, score: 0 });
    expect(axis['axis:completeness'].unclipped_mean).toBeCloseTo((2 / 32 - 18 / 42) / 2, 12);
    // accuracy: B 5/5, C 0/7 (A has no accuracy criterion: left out).
    expect(axis['axis:accuracy']).toMatchObject({ examples: 2, unclipped_mean: 0.5, score: 0.5 });
    expect(axis['axis:context_awareness']).toMatchObject({ examples: 2, unclipped_mean: 0.5 });
    expect(axis['axis:instruction_following']).toMatchObject({ examples: 1, unclipped_mean: 0, bootstrap_std: 0 });
    const theme = Object.fromEntries(headline.exampleTags.map((t) => [t.group, t]));
    expect(theme['theme:global_health']).toMatchObject({ examples: 1, score: 0 });
    expect(theme['theme:global_health'].unclipped_mean).toBeCloseTo(-10 / 67, 12);
  });

  it('per-group scores for every tag prefix the rows carry, with the headline bootstrap, checked against the raw rows', async () => {
    const { bank } = await imported();
    const rows = readFileSync(HEALTHBENCH_SAMPLE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { prompt_id: string; example_tags: string[]; rubrics: { points: number; tags: string[] }[] });
    // Every odd-numbered criterion (1st, 3rd, ...) is met.
    const metAt = (n: number) => n % 2 === 1;
    const scores = rows.map((row) => handScore(bank, row.prompt_id, row.rubrics.map((c, i) => `${c.points > 0 ? 'p' : 'd'}${i + 1}`).filter((_, i) => metAt(i + 1))));
    const [headline] = healthBenchHeadline(bank, scores, { seed: 11, resamples: 300 });
    const groups = new Map([...headline.criterionTags, ...headline.exampleTags].map((g) => [g.group, g]));
    // simple-evals: sum(points of met criteria) / sum(positive points) over the criteria carrying the tag (None without a positive one); example tags take the whole example.
    const rowScore = (criteria: { points: number; n: number }[]) => {
      const positive = criteria.filter((c) => c.points > 0).reduce((a, c) => a + c.points, 0);
      return positive === 0 ? null : criteria.filter((c) => metAt(c.n)).reduce((a, c) => a + c.points, 0) / positive;
    };
    const numbered = (row: (typeof rows)[number]) => row.rubrics.map((c, i) => ({ ...c, n: i + 1 }));
    const byCriterionTag = (tag: string) => rows.map((r) => rowScore(numbered(r).filter((c) => c.tags.includes(tag)))).filter((v): v is number => v !== null);
    const byExampleTag = (tag: string) => rows.filter((r) => r.example_tags.includes(tag)).map((r) => rowScore(numbered(r))!);
    const checks: [string, number[]][] = [
      ['axis:completeness', byCriterionTag('axis:completeness')],
      ['level:cluster', byCriterionTag('level:cluster')],
      ['cluster:hedging_any-reducible-uncertainty_hedges', byCriterionTag('cluster:hedging_any-reducible-uncertainty_hedges')],
      ['theme:global_health', byExampleTag('theme:global_health')],
      ['physician_agreed_category:non-emergent', byExampleTag('physician_agreed_category:non-emergent')],
    ];
    for (const [tag, values] of checks) {
      expect(values.length).toBeGreaterThan(0);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      expect(groups.get(tag)).toMatchObject({ examples: values.length, score: Math.min(1, Math.max(0, groups.get(tag)!.unclipped_mean!)) });
      expect(groups.get(tag)!.unclipped_mean).toBeCloseTo(mean, 12);
      expect(groups.get(tag)!.bootstrap_std).toBe(clippedStats(tag, values, { seed: 11, resamples: 300 }).bootstrap_std);
    }
    // Every prefix present is a group; the tags caps adds itself (ideal_completions_group:) are not.
    expect(new Set([...groups.keys()].map((g) => g.split(':')[0]))).toEqual(new Set(['axis', 'level', 'cluster', 'theme', 'physician_agreed_category']));
    // By hand: level:cluster criteria (all +5) are in rows 1 (18, 19), 3 (1, 2), 4 (18, 19, 20), 5 (12, 13), 7 (13, 14), 8 (10, 11):
    // one of two met in five rows (0.5), one of three in row 4 (1/3) -> (5 x 0.5 + 1/3) / 6. The hedges cluster is row 4, criterion 19, met: 1.
    expect(groups.get('level:cluster')!.unclipped_mean).toBeCloseTo((2.5 + 1 / 3) / 6, 12);
    expect(groups.get('cluster:hedging_any-reducible-uncertainty_hedges')).toMatchObject({ examples: 1, unclipped_mean: 1, score: 1, bootstrap_std: 0 });
  });

  it('bootstrap standard error: std of clipped resample means, seeded', () => {
    // [0, 1]: resample means 0, .5, 1 with probabilities 1/4, 1/2, 1/4 -> std sqrt(1/8).
    expect(clippedStats('x', [0, 1], { seed: 3, resamples: 40_000 }).bootstrap_std).toBeCloseTo(Math.sqrt(1 / 8), 2);
    // [-1, 1]: means -1, 0, 1 clipped to 0, 0, 1 -> mean 1/4, std sqrt(3/16); without clipping it would be sqrt(1/2).
    expect(clippedStats('x', [-1, 1], { seed: 3, resamples: 40_000 }).bootstrap_std).toBeCloseTo(Math.sqrt(3 / 16), 2);
    expect(clippedStats('x', [0.2, 0.9, -0.4], { seed: 5 })).toEqual(clippedStats('x', [0.2, 0.9, -0.4], { seed: 5 }));
    expect(clippedStats('x', [])).toMatchObject({ examples: 0, score: null, bootstrap_std: null });
  });

  it('round-trips: export writes the source rows back (criteria, points, tags, prompt, canary), re-import gives the same bank', async () => {
    const { dir, bank } = await imported();
    exportHealthBench(bank, join(dir, 'out.jsonl'));
    const source = readFileSync(HEALTHBENCH_SAMPLE, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const written = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const comparable = (row: Record<string, any>) => ({
      ...row,
      ideal_completions_data: row.ideal_completions_data && { ideal_completion: row.ideal_completions_data.ideal_completion, ideal_completions_group: row.ideal_completions_data.ideal_completions_group },
    });
    const byId = new Map(written.map((r) => [r.prompt_id, r]));
    for (const row of source) expect(byId.get(row.prompt_id)).toEqual(comparable(row));
    await importHealthBench({ file: join(dir, 'out.jsonl'), out: join(dir, 'again.yaml'), bankId: bank.id });
    const again = await loadBankOrThrow([join(dir, 'again.yaml')]);
    expect(again.items).toEqual(bank.items);
  });

  it('names the line of a bad row', async () => {
    const dir = tempDir('hb-bad');
    const first = readFileSync(HEALTHBENCH_SAMPLE, 'utf8').split('\n')[0];
    const noPositive = JSON.stringify({ ...JSON.parse(first), prompt_id: 'neg-only', rubrics: [{ criterion: 'Bad advice.', points: -5, tags: [] }] });
    writeFileSync(join(dir, 'bad.jsonl'), `${first}\n${noPositive}\n`);
    await expect(importHealthBench({ file: join(dir, 'bad.jsonl'), out: join(dir, 'b.yaml') })).rejects.toThrow(/bad\.jsonl:2: example neg-only: .*at least one positive criterion/);
    writeFileSync(join(dir, 'dup.jsonl'), `${first}\n${first}\n`);
    await expect(importHealthBench({ file: join(dir, 'dup.jsonl'), out: join(dir, 'd.yaml') })).rejects.toThrow(/dup\.jsonl:2: prompt_id .* again \(first on line 1\)/);
    writeFileSync(join(dir, 'zero.jsonl'), `${JSON.stringify({ ...JSON.parse(first), rubrics: [{ criterion: 'x', points: 0, tags: [] }] })}\n`);
    await expect(importHealthBench({ file: join(dir, 'zero.jsonl'), out: join(dir, 'z.yaml') })).rejects.toThrow(/zero\.jsonl:1: rubrics\.0\.points: points is never 0/);
    // A failed import leaves no bank, no scratch file and no manifest behind.
    await expect(importHealthBench({ file: join(dir, 'bad.jsonl'), out: join(dir, 'b.yaml'), answers: join(dir, 'run') })).rejects.toThrow(UserError);
    expect(readdirSync(dir).sort()).toEqual(['bad.jsonl', 'dup.jsonl', 'run', 'zero.jsonl']);
    expect(existsSync(join(dir, 'run', 'manifest.json'))).toBe(false);
  });
});
