import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importGaps } from '../../src/interop/import-gaps.js';
import { importVerdicts } from '../../src/interop/import-verdicts.js';
import { exportGaps } from '../../src/interop/export.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { UserError } from '../../src/errors.js';
import { writeSheet } from '../../src/interop/xlsx.js';
import { runCaps } from '../helpers/cli.js';
import { GAPS_COMMUNITY, GAPS_SAMPLE, tempDir } from './fixtures.js';

describe('caps import gaps: the GAPS layout', () => {
  it('reads the 8 sample items with exact claim and level counts, S4 as veto candidates, and 24 recorded answers', async () => {
    const dir = tempDir('gaps');
    const summary = await importGaps({ file: GAPS_SAMPLE, out: join(dir, 'gaps.yaml'), answers: join(dir, 'run') });
    expect(summary.layout).toBe('gaps');
    expect(summary.counts).toEqual({
      items: 8,
      points: 115,
      deductions: 57,
      vetoCandidates: 19,
      byLevel: { A1: 21, A2: 63, A3: 31, S2: 21, S3: 17, S4: 19 },
    });
    const bank = await loadBankOrThrow([join(dir, 'gaps.yaml')]);
    expect(bank.profile).toBe('gaps');
    expect(bank.items.map((i) => [i.id, i.depth])).toEqual([
      ['gaps-1', 1], ['gaps-2', 1], ['gaps-40', 2], ['gaps-41', 2], ['gaps-69', 3], ['gaps-70', 3], ['gaps-82', 4], ['gaps-83', 4],
    ]);
    const item2 = bank.items[1];
    expect(item2.rubric.points.map((p) => `${p.id}:${p.level}`)).toEqual(['c1:A1', 'c2:A2', 'c3:A2', 'c4:A2', 'c5:A3', 'c6:A2', 'c7:A3', 'c8:A2']);
    expect(item2.rubric.deductions.map((d) => `${d.id}:${d.severity}:${d.veto}`)).toEqual(['c9:S2:false', 'c10:S2:false', 'c11:S3:false', 'c12:S4:true', 'c13:S4:true']);
    expect(bank.items.every((i) => [...i.rubric.points, ...i.rubric.deductions].every((e) => e.match === undefined))).toBe(true);

    expect(summary.run?.respondents).toEqual(['gpt_5', 'gemini_2_5_pro', 'claude_opus_4']);
    const responses = await new RunFolder(join(dir, 'run')).latestResponses();
    expect(responses.size).toBe(24);
    const gpt = responses.get('gpt_5|gaps-1|clean|t0|s0')!;
    expect(gpt.messages).toEqual([{ role: 'user', content: '哪些影像学特征提示肺结节可能需要治疗而非观察？' }]);
    expect(gpt.text?.length).toBe(963);
    expect(new RunFolder(join(dir, 'run')).readManifest().bank.hash).toBe(bank.hash);
  });

  it('gives the same ids and file on re-import, and appends no answer twice', async () => {
    const dir = tempDir('gaps-again');
    await importGaps({ file: GAPS_SAMPLE, out: join(dir, 'a.yaml'), answers: join(dir, 'run'), bankId: 'nsclc' });
    const again = await importGaps({ file: GAPS_SAMPLE, out: join(dir, 'b.yaml'), answers: join(dir, 'run'), bankId: 'nsclc' });
    const body = (f: string) => readFileSync(join(dir, f), 'utf8').split('\n').slice(2).join('\n');
    expect(body('b.yaml')).toBe(body('a.yaml'));
    expect(again.run).toMatchObject({ created: false, imported: 0, unchanged: 24 });
    expect(readFileSync(join(dir, 'run', 'responses.jsonl'), 'utf8').trim().split('\n')).toHaveLength(24);
  });

  it('scores the three respondents from hand-made verdict tables with the GAPS arithmetic', async () => {
    const dir = tempDir('gaps-verdicts');
    await importGaps({ file: GAPS_SAMPLE, out: join(dir, 'gaps.yaml'), answers: join(dir, 'run') });
    const bank = await loadBankOrThrow([join(dir, 'gaps.yaml')]);
    // Item gaps-2: A1 c1; A2 c2 c3 c4 c6 c8; A3 c5 c7 -> max 5 + 5x3 + 2x1 = 22. S2 c9 c10, S3 c11, S4 c12 c13.
    const met: Record<string, string[]> = {
      gpt_5: ['c1', 'c2', 'c4', 'c9'], //  5 + 3 + 3 - 2 = 9 -> 9/22
      gemini_2_5_pro: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c8', 'c12'], // 22 - 1 (c7) - 4 (S4) = 17 -> 17/22, a veto in the caps view
      claude_opus_4: ['c5', 'c9', 'c11'], // 1 - 2 - 3 = -4 -> max(0, -4) = 0
    };
    const entries = Array.from({ length: 13 }, (_, i) => `c${i + 1}`);
    const rows = ['item,respondent,entry,met'];
    for (const [respondent, hits] of Object.entries(met)) for (const e of entries) rows.push(`gaps-2,${respondent},${e},${hits.includes(e)}`);
    writeFileSync(join(dir, 'verdicts.csv'), `${rows.join('\n')}\n`);
    const summary = await importVerdicts({ file: join(dir, 'verdicts.csv'), runDir: join(dir, 'run'), bank, grader: 'gaps-authors' });
    expect(summary).toMatchObject({ lines: 39, recorded: 39, answers: 3, complete: 3, incomplete: 0 });
    const scores = await new RunFolder(join(dir, 'run')).latestScores();
    const of = (r: string) => scores.get(`${r}|gaps-2|clean|t0|s0`)!;
    expect(of('gpt_5')).toMatchObject({ raw: 9, max: 22, caps_score: (9 / 22) * 100, vetoed_by: [] });
    expect(of('gpt_5').score).toBeCloseTo(40.909090909, 8);
    expect(of('gemini_2_5_pro')).toMatchObject({ raw: 17, max: 22, caps_score: 0, vetoed_by: ['c12'] });
    expect(of('gemini_2_5_pro').score).toBeCloseTo((17 / 22) * 100, 10);
    expect(of('claude_opus_4')).toMatchObject({ raw: -4, max: 22, score: 0, caps_score: 0 });
    expect(of('gpt_5').verdicts.every((v) => v.decided_by === 'imported' && v.provenance?.graders[0] === 'gaps-authors')).toBe(true);
    expect(of('gpt_5').scorer.external).toMatch(/^[0-9a-f]{64}$/);
  });

  it('round-trips: import -> export -> import gives the same bank, answers included', async () => {
    const dir = tempDir('gaps-trip');
    await importGaps({ file: GAPS_SAMPLE, out: join(dir, 'a.yaml'), answers: join(dir, 'run-a'), bankId: 'trip' });
    const first = await loadBankOrThrow([join(dir, 'a.yaml')]);
    const exported = await exportGaps(first, join(dir, 'out.xlsx'), { answers: join(dir, 'run-a') });
    expect(exported).toMatchObject({ items: 8, dropped: [] });
    await importGaps({ file: join(dir, 'out.xlsx'), out: join(dir, 'b.yaml'), answers: join(dir, 'run-b'), bankId: 'trip' });
    const second = await loadBankOrThrow([join(dir, 'b.yaml')]);
    expect(second.items).toEqual(first.items);
    expect(second.hash).toBe(first.hash);
    const texts = async (run: string) => [...(await new RunFolder(join(dir, run)).latestResponses()).values()].map((r) => [r.key, r.text]).sort();
    expect(await texts('run-b')).toEqual(await texts('run-a'));
  });
});

describe('caps import gaps: the community layout', () => {
  it('maps difficulty to depth, keeps specialty, source and desc, and round-trips', async () => {
    const dir = tempDir('community');
    const summary = await importGaps({ file: GAPS_COMMUNITY, out: join(dir, 'c.yaml'), bankId: 'community' });
    expect(summary.layout).toBe('gaps-community');
    expect(summary.counts).toEqual({ items: 5, points: 16, deductions: 5, vetoCandidates: 1, byLevel: { A1: 9, A2: 5, A3: 2, S2: 2, S3: 2, S4: 1 } });
    const bank = await loadBankOrThrow([join(dir, 'c.yaml')]);
    expect(bank.items.map((i) => [i.topic, i.depth])).toEqual([['急诊医学', 2], ['儿科', 2], ['内分泌科', 3], ['妇产科', 3], ['骨科', 1]]);
    expect(bank.items.every((i) => /^gaps-[0-9a-f]{10}$/.test(i.id))).toBe(true);
    expect(bank.items[0].tags).toEqual(['specialty:急诊医学', 'difficulty:中等']);
    expect(bank.items[0].source).toBe('临床医学专家组');
    expect(bank.items[0].rubric.points[0].note).toBe('详细询问胸痛的性质、持续时间、诱发因素等');

    const exported = await exportGaps(bank, join(dir, 'out.xlsx'));
    expect(exported.dropped).toEqual([]);
    await importGaps({ file: join(dir, 'out.xlsx'), out: join(dir, 'd.yaml'), bankId: 'community' });
    expect((await loadBankOrThrow([join(dir, 'd.yaml')])).items).toEqual(bank.items);
  });
});

describe('GAPS levels outside the points table (the public preview has three A4 claims)', () => {
  it('imports A4 and A9 as written, warns in import and lint naming level and claim, and scores them 0 as the reference does', async () => {
    const dir = tempDir('a4');
    const claims = [
      { id: 1, claim: '推荐新辅助治疗', level: 'A1', type: 'positive' },
      { id: 2, claim: '讨论手术时机', level: 'A4', type: 'positive' },
      { id: 3, claim: '提及临床试验', level: 'A9', type: 'positive' },
      { id: 4, claim: '建议直接手术', level: 'S2', type: 'negative' },
    ];
    const row = { index: '5', question: 'IIIA 期如何处理？', 分类: 'G3', rubrics: JSON.stringify(claims), gpt_5_answer: '建议新辅助治疗后讨论手术时机。' };
    await writeSheet(join(dir, 'a4.xlsx'), { name: 'Sheet1', header: ['index', 'question', '分类', 'rubrics', 'gpt_5_answer'], rows: [row] });
    const summary = await importGaps({ file: join(dir, 'a4.xlsx'), out: join(dir, 'a4.yaml'), answers: join(dir, 'run') });
    expect(summary.counts.byLevel).toEqual({ A1: 1, A4: 1, A9: 1, S2: 1 });
    expect(summary.warnings).toEqual([
      expect.stringMatching(/row 2: claim 2 has level A4, which the GAPS points table does not define; kept, it counts 0 points/),
      expect.stringMatching(/row 2: claim 3 has level A9/),
    ]);
    const lint = await runCaps(['lint', join(dir, 'a4.yaml')]);
    expect(lint.code).toBe(0);
    expect(lint.stdout).toMatch(/warning \[gaps-5\] level A4 of point "c2" is not in the GAPS points table .* counts 0 points/);
    expect(lint.stdout).toMatch(/warning \[gaps-5\] level A9 of point "c3"/);

    const bank = await loadBankOrThrow([join(dir, 'a4.yaml')]);
    expect(bank.items[0].rubric.points.map((p) => p.level)).toEqual(['A1', 'A4', 'A9']);
    writeFileSync(join(dir, 'g.csv'), ['item,respondent,entry,met', 'gaps-5,gpt_5,c1,true', 'gaps-5,gpt_5,c2,true', 'gaps-5,gpt_5,c3,false', 'gaps-5,gpt_5,c4,false'].join('\n'));
    await importVerdicts({ file: join(dir, 'g.csv'), runDir: join(dir, 'run'), bank });
    const score = (await new RunFolder(join(dir, 'run')).latestScores()).get('gpt_5|gaps-5|clean|t0|s0')!;
    // Reference: points = table.get(level, 0): A1 5 + A4 0 = 5 over max 5 (A4 and A9 add nothing to the maximum).
    expect(score).toMatchObject({ raw: 5, max: 5, score: 100 });
    expect(score.verdicts.find((v) => v.entry === 'c2')).toMatchObject({ met: true, points: 0 });

    await exportGaps(bank, join(dir, 'out.xlsx'));
    await importGaps({ file: join(dir, 'out.xlsx'), out: join(dir, 'again.yaml') });
    const again = await loadBankOrThrow([join(dir, 'again.yaml')]);
    expect(again.items).toEqual(bank.items);
  });
});

describe('bad GAPS input is named by file, row and claim', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['a bad depth', { 分类: 'G7' }, /row 2: 分类 is "G7"; write the depth level G1, G2, G3 or G4/],
    ['rubrics that are not JSON', { rubrics: '[{"id": 1,' }, /row 2: the rubrics cell is not valid JSON/],
    ['a positive claim with an S level', { rubrics: '[{"id": 1, "claim": "x", "level": "S2", "type": "positive"}]' }, /row 2: rubrics column, claim 1 \(id 1\): level is "S2" on a positive claim; positive claims take A1..A3, negative claims S1..S4/],
    ['a level that is no level', { rubrics: '[{"id": 1, "claim": "x", "level": "high", "type": "positive"}]' }, /row 2: rubrics column, claim 1 \(id 1\): level is "high"; write A1, A2 or A3 .* such as A4/],
    ['a bad type', { rubrics: '[{"id": 7, "claim": "x", "level": "A1", "type": "pos"}]' }, /row 2: rubrics column, claim 1 \(id 7\): type is "pos"; write positive or negative/],
    ['a missing claim text', { rubrics: '[{"id": 7, "level": "A1", "type": "positive"}]' }, /row 2: rubrics column, claim 1 \(id 7\): claim is missing; write the claim text/],
  ];
  it.each(cases)('%s', async (_name, override, message) => {
    const dir = tempDir('bad');
    const row = { index: '1', question: '问题？', 分类: 'G1', rubrics: '[{"id": 1, "claim": "要点", "level": "A1", "type": "positive"}]', ...override };
    await writeSheet(join(dir, 'bad.xlsx'), { name: 'Sheet1', header: ['index', 'question', '分类', 'rubrics'], rows: [row] });
    const error = await importGaps({ file: join(dir, 'bad.xlsx'), out: join(dir, 'bad.yaml') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain('bad.xlsx');
  });

  it('a sheet of another shape', async () => {
    const dir = tempDir('shape');
    await writeSheet(join(dir, 'other.xlsx'), { name: 'S', header: ['foo', 'bar'], rows: [{ foo: '1', bar: '2' }] });
    await expect(importGaps({ file: join(dir, 'other.xlsx'), out: join(dir, 'o.yaml') })).rejects.toThrow(/neither the GAPS layout .* its columns are foo, bar/);
  });
});
