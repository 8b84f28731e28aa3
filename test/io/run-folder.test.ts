/**
 * A run folder's scores read for the analysis: what only scoring needs (scorer, judge faults,
 * each decider's opinion) is left out, the rest is checked as every score line is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { RunFolder } from '../../src/io/run-folder.js';
import { setBadLinePolicy } from '../../src/io/jsonl.js';
import { UserError } from '../../src/errors.js';
import { AnswerScore, type AnswerScoreInput } from '../../src/schema/score.js';

const opinion = { met: true, quotes: ['Restage with PET-CT'], rationale: 'the answer restages first', judge: 'sim-judge', model: 'sim', template: 'caps-judge@1' };
const line: AnswerScoreInput = {
  key: 'vendor-a|lc-0001|clean|0|0',
  respondent: 'vendor-a',
  item: 'lc-0001',
  depth: 2,
  topic: 'treatment/early',
  profile: 'caps',
  score: 50,
  caps_score: 50,
  raw: 2,
  max: 4,
  status: 'complete',
  verdicts: [
    { entry: 'restage', kind: 'point', met: true, decided_by: 'judge', quotes: ['Restage with PET-CT'], points: 2, matcher: { met: false }, judge: opinion, judges: [opinion, opinion], agreement: false },
    { entry: 'mdt', kind: 'point', met: false, decided_by: 'matcher', points: 0 },
  ],
  scorer: { matcher: 'm1', judges: [{ name: 'sim-judge', model: 'sim', template: 'caps-judge@1' }], signature: 'abc' },
  judge_faults: [{ judge: 'sim-judge', kind: 'quote-not-found', detail: 'a quote not in the answer' }],
};

describe('RunFolder.latestAnalyzedScores', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'caps-run-folder-'));
  });
  afterAll(() => {
    setBadLinePolicy({ skip: false });
    rmSync(dir, { recursive: true, force: true });
  });

  const folderWith = (name: string, lines: unknown[]) => {
    const folder = new RunFolder(join(dir, name)).ensure();
    writeFileSync(folder.scoresPath, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    return folder;
  };

  it('keeps everything the analysis reads, defaults applied, and leaves out how the answer was scored', async () => {
    const folder = folderWith('lean', [line]);
    const full = (await folder.latestScores()).get(line.key)!;
    const read = (await folder.latestAnalyzedScores()).get(line.key)!;
    expect(read).not.toHaveProperty('scorer');
    expect(read).not.toHaveProperty('judge_faults');
    for (const verdict of read.verdicts) for (const key of ['matcher', 'judge', 'judges']) expect(verdict).not.toHaveProperty(key);
    const { scorer: _scorer, judge_faults: _faults, ...rest } = full;
    const verdicts = full.verdicts.map(({ matcher: _m, judge: _j, judges: _js, ...v }) => v);
    expect(read).toEqual({ ...rest, verdicts });
    expect(read.verdicts[1].quotes).toEqual([]);
    expect(read.respondent_kind).toBe('model');
    expect(AnswerScore.parse(line)).toEqual(full);
  });

  it('still refuses a line whose analysed fields are wrong, naming the file and line', async () => {
    setBadLinePolicy({ skip: false, report: () => undefined });
    const folder = folderWith('bad', [line, { ...line, key: 'k2', verdicts: [{ ...line.verdicts[0], met: 'yes' }] }]);
    await expect(folder.latestAnalyzedScores()).rejects.toThrow(UserError);
    const problems: { line: number; message: string }[] = [];
    setBadLinePolicy({ skip: true, report: () => undefined });
    const read = await folder.latestAnalyzedScores((p) => problems.push(p));
    expect([...read.keys()]).toEqual([line.key]);
    expect(problems).toEqual([{ line: 2, message: expect.stringContaining('verdicts.0.met') }]);
  });
});
