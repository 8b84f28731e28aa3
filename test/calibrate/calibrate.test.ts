import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrate, UNSCORED } from '../../src/scorer/calibrate.js';
import { tempRunFolder } from '../helpers/run-folder.js';
import type { AnswerScoreInput, Verdict } from '../../src/schema/score.js';

/** judge verdicts per answer and entry: [entry, kind, judge met] */
type Row = [string, Verdict['kind'], boolean | null];

function scoreRecord(respondent: string, item: string, rows: Row[]): AnswerScoreInput {
  return {
    key: `${respondent}|${item}|clean|t0|s0`,
    respondent,
    item,
    depth: 3,
    topic: 't',
    profile: 'caps',
    score: 50,
    caps_score: 50,
    raw: 1,
    max: 2,
    status: 'complete',
    verdicts: rows.map(([entry, kind, met]) => ({
      entry,
      kind,
      met,
      decided_by: met === null ? 'none' : 'judge',
      ...(met === null ? {} : { judge: { met, quotes: met ? ['q'] : [], rationale: 'because' } }),
      ...(kind === 'point' ? { evidence: { scheme: 'nccn_category', level: '1' } } : {}),
    })),
    scorer: { matcher: 'm' },
  };
}

function runWithScores(records: AnswerScoreInput[]): string {
  const folder = tempRunFolder('caps-calibrate-');
  const appender = folder.scoreAppender();
  for (const r of records) appender.append(r);
  appender.close();
  return folder.dir;
}

describe('calibrate', () => {
  // 10 units: expert met 5, judge met 6, 7 agreements (same table as the agreement test).
  const judge: Row[] = [
    ['p1', 'point', true], ['p2', 'point', true], ['p3', 'point', true], ['p4', 'point', true],
    ['p5', 'point', false],
    ['d1', 'deduction', true], ['d2', 'deduction', true],
    ['d3', 'deduction', false], ['d4', 'deduction', false], ['v1', 'veto', false],
    ['u1', 'point', null],
  ];
  const expert = { p1: 1, p2: 1, p3: 1, p4: 1, p5: 1, d1: 0, d2: 0, d3: 0, d4: 0, v1: 0, u1: 1 } as Record<string, number>;

  it('computes kappa, AC1 and macro-F1 with CIs overall and per kind, and lists disagreements', async () => {
    const run = runWithScores([scoreRecord('m1', 'q', judge)]);
    const labels = join(run, 'labels.csv');
    writeFileSync(labels, 'item,respondent,entry,met\n' + Object.entries(expert).map(([e, m]) => `q,m1,${e},${m ? 'yes' : 'no'}`).join('\n') + '\n');
    const report = await calibrate({ labels, runDir: run, seed: 3, resamples: 200 });
    expect(report.compared).toBe(10);
    expect(report.skipped).toEqual([expect.objectContaining({ entry: 'u1', reason: expect.stringMatching(/no judge verdict/) })]);
    const overall = report.groups.find((g) => g.group === 'overall')!;
    expect(overall.n).toBe(10);
    expect(overall.kappa).toBeCloseTo(0.4, 12);
    expect(overall.ac1).toBeCloseTo(0.205 / 0.505, 12);
    expect(overall.macroF1).toBeCloseTo((8 / 11 + 6 / 9) / 2, 12);
    expect(overall.ci.kappa!.low).toBeLessThanOrEqual(0.4);
    const points = report.groups.find((g) => g.group === 'kind:point')!;
    expect(points).toMatchObject({ n: 5, agreement: 0.8 });
    expect(report.groups.map((g) => g.group)).toEqual(
      expect.arrayContaining(['kind:deduction', 'kind:veto', 'depth:3', 'distraction:clean', 'evidence:nccn_category/1', 'safety']),
    );
    expect(report.disagreements.map((d) => [d.entry, d.expert, d.rater, d.line])).toEqual([
      ['p5', true, false, 6],
      ['d1', false, true, 7],
      ['d2', false, true, 8],
    ]);
    expect(await calibrate({ labels, runDir: run, seed: 3, resamples: 200 })).toEqual(report);
  });

  it('several experts: Krippendorff alpha among them, majority as reference, ties skipped', async () => {
    const run = runWithScores([scoreRecord('m1', 'q', judge)]);
    const labels = join(run, 'labels.yaml');
    writeFileSync(
      labels,
      [
        ['a', 'p1', true], ['b', 'p1', true],
        ['a', 'p5', true], ['b', 'p5', false],
        ['a', 'd3', false], ['b', 'd3', false],
        ['a', 'd1', true], ['b', 'd1', true], ['c', 'd1', false],
      ].map(([who, entry, met]) => `- {key: "m1|q|clean|t0|s0", expert: ${who}, entry: ${entry}, met: ${met}}`).join('\n'),
    );
    const report = await calibrate({ labels, runDir: run, resamples: 100 });
    // units [T,T], [T,F], [F,F], [T,T,F]: o_TT = 2+1 = 3, o_TF = o_FT = 1+1 = 2, o_FF = 2
    // n_T = 5, n_F = 4, n = 9 -> alpha = 1 - 8*4 / (2*5*4)
    expect(report.experts).toMatchObject({ count: 3, units: 4 });
    expect(report.experts!.alpha).toBeCloseTo(1 - 32 / 40, 12);
    expect(report.skipped).toEqual([expect.objectContaining({ entry: 'p5', reason: 'experts split 1-1' })]);
    expect(report.compared).toBe(3);
  });

  it('labels across several runs name their run folder, relative to the labels file', async () => {
    const a = runWithScores([scoreRecord('m1', 'q', judge)]);
    const b = runWithScores([scoreRecord('dr', 'q', judge)]);
    const labels = join(a, '..', 'labels.csv');
    writeFileSync(labels, `run,item,respondent,entry,met\nrun,q,m1,p5,yes\n${b},q,dr,p5,no\n`);
    const report = await calibrate({ labels });
    expect(report.compared).toBe(2);
    expect(report.disagreements.map((d) => d.respondent)).toEqual(['m1']);
    writeFileSync(labels, 'item,respondent,entry,met\nq,m1,p5,yes\n');
    await expect(calibrate({ labels })).rejects.toThrow(/labels\.csv:2: which run was labelled\? Pass --run/);
  });

  it('names file and line for labels it cannot place', async () => {
    const run = runWithScores([scoreRecord('m1', 'q', judge)]);
    const labels = join(run, 'labels.csv');
    const cases: [string, RegExp][] = [
      ['item,respondent,entry,met\nq,m2,p1,yes\n', /labels\.csv:2: no scored answer for item "q" by "m2"/],
      ['item,respondent,entry,met\nq,m1,zz,yes\n', /labels\.csv:2: item "q" has no entry "zz"/],
      ['item,respondent,entry,met\nq,m1,p1,maybe\n', /labels\.csv:2: met is "maybe"/],
      ['entry,met\np1,yes\n', /labels\.csv:2: name the answer/],
    ];
    for (const [text, message] of cases) {
      writeFileSync(labels, text);
      await expect(calibrate({ labels, runDir: run })).rejects.toThrow(message);
    }
  });

  it('with skipUnscored, leaves out the labels of answers not scored yet and says so, comparing the rest', async () => {
    const run = runWithScores([scoreRecord('m1', 'q', judge)]);
    const labels = join(run, 'labels.csv');
    writeFileSync(labels, 'item,respondent,entry,met\nq,m2,p5,yes\nq,m1,p5,yes\n');
    const report = await calibrate({ labels, runDir: run, skipUnscored: true });
    expect(report.compared).toBe(1);
    expect(report.skipped).toEqual([{ line: 2, key: 'q', entry: 'p5', reason: UNSCORED }]);
    // Other labels it cannot place still stop it.
    writeFileSync(labels, 'item,respondent,entry,met\nq,m1,zz,yes\n');
    await expect(calibrate({ labels, runDir: run, skipUnscored: true })).rejects.toThrow(/labels\.csv:2: item "q" has no entry "zz"/);
  });
});
