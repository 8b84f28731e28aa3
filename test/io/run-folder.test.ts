/**
 * A run folder's scores and responses read for the analysis: what only scoring needs (scorer,
 * judge faults, each decider's opinion) and what only the runner needs (the request, reasoning,
 * timings) is left out, the rest is checked as every line is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { RunFolder } from '../../src/io/run-folder.js';
import { setBadLinePolicy } from '../../src/io/jsonl.js';
import { UserError } from '../../src/errors.js';
import { AnswerScore, type AnswerScoreInput } from '../../src/schema/score.js';
import { AnalyzedResponse, ResponseRecord, type ResponseRecordInput } from '../../src/schema/run.js';

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

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'caps-run-folder-'));
});
afterAll(() => {
  setBadLinePolicy({ skip: false });
  rmSync(dir, { recursive: true, force: true });
});

/** A run folder whose scores or responses file holds these lines. */
function folderWith(name: string, file: 'scoresPath' | 'responsesPath', lines: unknown[]): RunFolder {
  const folder = new RunFolder(join(dir, name)).ensure();
  writeFileSync(folder[file], lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return folder;
}

describe('RunFolder.latestAnalyzedScores', () => {
  it('keeps everything the analysis reads, defaults applied, and leaves out how the answer was scored', async () => {
    const folder = folderWith('lean', 'scoresPath', [line]);
    const full = (await folder.latestScores()).get(line.key)!;
    const read = (await folder.latestAnalyzedScores()).get(line.key)!;
    // Let go in place (see AnalyzedScore): undefined, so neither kept in memory nor written.
    expect(full.scorer).toBeDefined();
    expect((read as Partial<typeof full>).scorer).toBeUndefined();
    expect((read as Partial<typeof full>).judge_faults).toBeUndefined();
    expect(full.verdicts.some((v) => v.judge || v.matcher)).toBe(true);
    for (const verdict of read.verdicts as Partial<(typeof full.verdicts)[number]>[]) for (const key of ['matcher', 'judge', 'judges'] as const) expect(verdict[key]).toBeUndefined();
    const { scorer: _scorer, judge_faults: _faults, ...rest } = full;
    const verdicts = full.verdicts.map(({ matcher: _m, judge: _j, judges: _js, ...v }) => v);
    expect(JSON.parse(JSON.stringify(read))).toEqual(JSON.parse(JSON.stringify({ ...rest, verdicts })));
    expect(read.verdicts[1].quotes).toEqual([]);
    expect(read.respondent_kind).toBe('model');
    expect(AnswerScore.parse(line)).toEqual(full);
  });

  it('refuses, or skips, the lines latestScores does, also for what it lets go (scorer, judge faults, opinions)', async () => {
    const bad = [
      { ...line, key: 'k2', scorer: { matcher: 5 } },
      { ...line, key: 'k3', judge_faults: [{ judge: 'j', kind: 'nonsense', detail: '' }] },
      { ...line, key: 'k4', verdicts: [{ ...line.verdicts[0], judge: { met: 'yes' } }] },
      { ...line, key: 'k5', verdicts: [{ ...line.verdicts[0], judges: [{ met: true, citations: [{ quote: 'x' }] }] }] },
    ];
    const folder = folderWith('bad-dropped', 'scoresPath', [line, ...bad]);
    setBadLinePolicy({ skip: false, report: () => undefined });
    await expect(folder.latestAnalyzedScores()).rejects.toThrow(UserError);
    setBadLinePolicy({ skip: true, report: () => undefined });
    const read = async (how: (onProblem: (p: { line: number; message: string }) => void) => Promise<Map<string, unknown>>) => {
      const problems: { line: number; message: string }[] = [];
      return { keys: [...(await how((p) => problems.push(p))).keys()], problems };
    };
    const full = await read((p) => folder.latestScores(p));
    expect(full.keys).toEqual([line.key]);
    expect(full.problems.map((p) => p.line)).toEqual([2, 3, 4, 5]);
    expect(await read((p) => folder.latestAnalyzedScores(p))).toEqual(full);
  });

  it('still refuses a line whose analysed fields are wrong, naming the file and line', async () => {
    setBadLinePolicy({ skip: false, report: () => undefined });
    const folder = folderWith('bad', 'scoresPath', [line, { ...line, key: 'k2', verdicts: [{ ...line.verdicts[0], met: 'yes' }] }]);
    await expect(folder.latestAnalyzedScores()).rejects.toThrow(UserError);
    const problems: { line: number; message: string }[] = [];
    setBadLinePolicy({ skip: true, report: () => undefined });
    const read = await folder.latestAnalyzedScores((p) => problems.push(p));
    expect([...read.keys()]).toEqual([line.key]);
    expect(problems).toEqual([{ line: 2, message: expect.stringContaining('verdicts.0.met') }]);
  });
});

const response: ResponseRecordInput = {
  key: 'vendor-a|lc-0001|clean|0|0',
  request_hash: 'h1',
  respondent: 'vendor-a',
  model: 'vendor-a-chat',
  served_model: 'vendor-a-chat-2026',
  item: 'lc-0001',
  messages: [{ role: 'user', content: 'A 62-year-old with stage IIIA NSCLC...' }],
  text: 'Restage with PET-CT and brain MRI before surgery.',
  reasoning: 'long hidden reasoning',
  finish_reason: 'stop',
  usage: { prompt_tokens: 120, completion_tokens: 40 },
  latency_ms: 812,
  attempts: 2,
  started_at: '2026-01-01T00:00:00.000Z',
  finished_at: '2026-01-01T00:00:01.000Z',
};

describe('RunFolder.latestAnalyzedResponses', () => {
  it('keeps who answered what, the text, usage and error, defaults applied, and leaves out the request, reasoning and timings', async () => {
    const folder = folderWith('lean-responses', 'responsesPath', [response]);
    const full = (await folder.latestResponses()).get(response.key)!;
    const read = (await folder.latestAnalyzedResponses()).get(response.key)!;
    const kept = ['key', 'respondent', 'respondent_kind', 'model', 'served_model', 'item', 'variant', 'turn', 'sample', 'text', 'usage', 'error'] as const;
    expect(read).toEqual(Object.fromEntries(kept.map((k) => [k, full[k]])));
    expect(read).toMatchObject({ respondent_kind: 'model', variant: 'clean', error: null, usage: { prompt_tokens: 120 } });
    expect(AnalyzedResponse.parse(ResponseRecord.parse(response))).toEqual(read);
  });

  it('keeps the latest record of each key, and refuses a line whose read fields are wrong, naming the file and line', async () => {
    setBadLinePolicy({ skip: false, report: () => undefined });
    const retried = { ...response, text: 'the second answer' };
    const folder = folderWith('bad-responses', 'responsesPath', [response, retried, { ...response, key: 'k2', text: 42 }]);
    await expect(folder.latestAnalyzedResponses()).rejects.toThrow(UserError);
    const problems: { line: number; message: string }[] = [];
    setBadLinePolicy({ skip: true, report: () => undefined });
    const read = await folder.latestAnalyzedResponses((p) => problems.push(p));
    expect([...read.values()].map((r) => r.text)).toEqual(['the second answer']);
    expect(problems).toEqual([{ line: 3, message: expect.stringContaining('text') }]);
  });

  it('refuses, or skips, the lines latestResponses does, also for fields it does not keep', async () => {
    const bad: ResponseRecordInput[] = [
      { ...response, text: 'bad messages', messages: 'oops' as unknown as ResponseRecordInput['messages'] },
      { ...response, text: 'bad latency', latency_ms: -5 },
      { ...response, text: 'bad attempts', attempts: 1.5 },
      { ...response, text: 'bad reasoning', reasoning: 7 as unknown as string },
    ];
    const folder = folderWith('bad-dropped-fields', 'responsesPath', [response, ...bad]);
    setBadLinePolicy({ skip: false, report: () => undefined });
    await expect(folder.latestAnalyzedResponses()).rejects.toThrow(UserError);
    setBadLinePolicy({ skip: true, report: () => undefined });
    const lines = (read: (onProblem: (p: { line: number }) => void) => Promise<Map<string, { text: string | null }>>) => {
      const problems: number[] = [];
      return read((p) => problems.push(p.line)).then((map) => ({ texts: [...map.values()].map((r) => r.text), problems }));
    };
    const full = await lines((p) => folder.latestResponses(p));
    expect(full).toEqual({ texts: [response.text], problems: [2, 3, 4, 5] });
    expect(await lines((p) => folder.latestAnalyzedResponses(p))).toEqual(full);
  });
});
