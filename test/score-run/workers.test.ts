import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bank } from '../../src/bank/bank.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { scoreRun, workersFor } from '../../src/scorer/score-run.js';
import { ScorePool, ScoringWorkerError, type ScoreJob } from '../../src/scorer/score-pool.js';
import { scoreWithMatchers } from '../../src/scorer/score-judged.js';
import type { ResponseRecord } from '../../src/schema/run.js';
import { AnswerScore } from '../../src/schema/score.js';
import { UserError } from '../../src/errors.js';
import { writeScoreBank, writeScoreRun } from '../bench/score-workload.js';

let root: string;
let bank: Bank;
const ANSWERS = 700;

/** A fresh copy of the prepared run folder. */
function copyRun(name: string): string {
  const dir = join(root, name);
  cpSync(join(root, 'run'), dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'caps-workers-'));
  writeScoreBank(join(root, 'bank.yaml'));
  await writeScoreRun(join(root, 'run'), join(root, 'bank.yaml'), ANSWERS);
  // A re-asked answer (the later line counts), an answer that failed, and one to an item not in the bank.
  const responses = join(root, 'run', 'responses.jsonl');
  const first = JSON.parse(readFileSync(responses, 'utf8').split('\n')[0]);
  const extra = [
    { ...first, text: 'finding 0-0 confirmed. finding 0-1 confirmed. unsafe dose 0.' },
    { ...first, key: 'm|s1|clean|t0|s9', sample: 9, item: 's1', text: null, error: { kind: 'timeout', message: 'timed out' } },
    { ...first, key: 'm|gone|clean|t0|s0', item: 'gone' },
  ];
  appendFileSync(responses, extra.map((r) => `${JSON.stringify(r)}\n`).join(''));
  bank = await loadBankOrThrow([join(root, 'bank.yaml')], null);
}, 60_000);

describe('scoring on worker threads', () => {
  it('writes scores.jsonl byte for byte as scoring in one thread does, with the same summary', async () => {
    const one = copyRun('one');
    const many = copyRun('many');
    const inThread = await scoreRun(one, { bank });
    const onWorkers = await scoreRun(many, { bank, workers: 2, minAnswersPerWorker: 100 });
    expect(onWorkers.workers).toBe(2);
    expect(readFileSync(join(many, 'scores.jsonl')).equals(readFileSync(join(one, 'scores.jsonl')))).toBe(true);
    expect({ ...onWorkers, runDir: one, workers: 0 }).toEqual(inThread);
    expect(inThread.scored).toBe(ANSWERS + 1);
    expect(inThread.errors).toBe(1);
    expect(inThread.unknownItems).toEqual(['m|gone|clean|t0|s0']);
    const lines = readFileSync(join(many, 'scores.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(ANSWERS + 1);
    const reasked = lines.map((l) => AnswerScore.parse(JSON.parse(l))).find((s) => s.item === 's0' && s.sample === 0)!;
    expect(reasked.verdicts.find((v) => v.entry === 'v')!.met).toBe(true);

    // Scored again: every complete score is reused; the failed answer is scored again, as in one thread.
    const again = await scoreRun(many, { bank, workers: 2, minAnswersPerWorker: 100 });
    // One answer to score: no worker is started for it.
    expect(again).toMatchObject({ scored: 1, reused: ANSWERS, workers: 0 });
    expect({ ...again, runDir: one }).toEqual(await scoreRun(one, { bank }));
    expect(readFileSync(join(many, 'scores.jsonl')).equals(readFileSync(join(one, 'scores.jsonl')))).toBe(true);
  }, 120_000);

  it('a worker that fails is a clear error; no score is lost or written out of order, and scoring again completes the file', async () => {
    const one = copyRun('one-again');
    await scoreRun(one, { bank });
    const failing = copyRun('failing');
    // A heap far too small for the bank: the workers run out of memory.
    const error = await scoreRun(failing, { bank, workers: 2, workerHeapMb: 2, minAnswersPerWorker: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScoringWorkerError);
    expect((error as Error).message).toMatch(/a scoring worker (ran out of its 2 MB heap|stopped).*Run caps score again to continue/);
    const kept = readFileSync(join(failing, 'scores.jsonl'), 'utf8');
    expect(readFileSync(join(one, 'scores.jsonl'), 'utf8').startsWith(kept)).toBe(true);
    const resumed = await scoreRun(failing, { bank, workers: 2, minAnswersPerWorker: 0 });
    expect(resumed.scored + resumed.reused).toBe(ANSWERS + 1);
    expect(readFileSync(join(failing, 'scores.jsonl')).equals(readFileSync(join(one, 'scores.jsonl')))).toBe(true);
  }, 120_000);

  it('a line that is not a record, found late in the read, fails the command after every answer read is scored and written, as in one thread', async () => {
    const broken = (name: string) => {
      const dir = copyRun(name);
      const path = join(dir, 'responses.jsonl');
      const lines = readFileSync(path, 'utf8').trim().split('\n');
      // The key reads, the record does not: reported only at the end of the read.
      lines.splice(lines.length - 3, 0, '{"key":"m|s1|clean|t0|s8","text":1}');
      writeFileSync(path, `${lines.join('\n')}\n`);
      return dir;
    };
    const inThread = broken('bad-line-in-thread');
    const onWorkers = broken('bad-line-on-workers');
    const expected = await scoreRun(inThread, { bank }).catch((e: unknown) => e);
    const error = await scoreRun(onWorkers, { bank, workers: 2, minAnswersPerWorker: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(expected).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/responses\.jsonl: 1 line cannot be read/);
    const kept = readFileSync(join(onWorkers, 'scores.jsonl'), 'utf8');
    expect(kept.trim().split('\n')).toHaveLength(ANSWERS + 1);
    expect(kept).toBe(readFileSync(join(inThread, 'scores.jsonl'), 'utf8'));
    // Repaired: what was scored is reused (the failed answer is scored again, as always).
    const path = join(onWorkers, 'responses.jsonl');
    writeFileSync(path, readFileSync(path, 'utf8').replace('{"key":"m|s1|clean|t0|s8","text":1}\n', ''));
    expect(await scoreRun(onWorkers, { bank, workers: 2, minAnswersPerWorker: 100 })).toMatchObject({ scored: 1, reused: ANSWERS });
  }, 120_000);

  it('starts only the workers the answers to score keep busy', async () => {
    const small = copyRun('small');
    const inThread = copyRun('small-in-thread');
    await scoreRun(inThread, { bank, workers: 0 });
    const summary = await scoreRun(small, { bank, workers: 2 });
    expect(summary.workers).toBe(0);
    expect(readFileSync(join(small, 'scores.jsonl')).equals(readFileSync(join(inThread, 'scores.jsonl')))).toBe(true);
    expect(workersFor(2, 49_999)).toBe(0);
    expect(workersFor(2, 50_000)).toBe(2);
    expect(workersFor(8, 100_000)).toBe(4);
    expect(workersFor(3, 60_000, 20_000)).toBe(3);
    expect(workersFor(4, 10, 0)).toBe(4);
    expect(workersFor(1, 1_000_000)).toBe(0);
  }, 120_000);

  it('scores each answer on the worker that holds its item and gives a batch back in its order', async () => {
    const responses = readFileSync(join(root, 'run', 'responses.jsonl'), 'utf8').trim().split('\n').slice(0, 40).map((l) => JSON.parse(l) as ResponseRecord);
    // Items of every worker's share, out of bank order and repeated.
    const jobs: ScoreJob[] = [...responses.slice(20), ...responses.slice(0, 20), responses[7]].map((response) => ({ response, signature: `sig-${response.key}`, labelHash: undefined, decided: undefined }));
    const pool = new ScorePool({ bank, workers: 3 });
    try {
      const results = await pool.score(jobs);
      expect(results.map((r) => r.line)).toEqual(
        jobs.map((j) => JSON.stringify(scoreWithMatchers({ profile: bank.profile, item: bank.items.find((i) => i.id === j.response.item)!, response: j.response, signature: j.signature, labelHash: undefined }))),
      );
      const stray = { ...jobs[0], response: { ...jobs[0].response, key: 'm|gone|clean|t0|s0', item: 'gone' } };
      await expect(pool.score([jobs[1], stray])).rejects.toThrow(/answer m\|gone\|clean\|t0\|s0: item gone is not in the bank/);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it("names the batch's first failing answer when answers fail on several workers", async () => {
    const responses = readFileSync(join(root, 'run', 'responses.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResponseRecord);
    // Two workers: the bank's first item is held by the first, its second item by the second.
    const onFirst = responses.filter((r) => r.item === bank.items[0].id);
    const onSecond = responses.filter((r) => r.item === bank.items[1].id);
    const job = (response: ResponseRecord): ScoreJob => ({ response, signature: 'sig', labelHash: undefined, decided: undefined });
    // An answer whose text is not a string cannot be scored.
    const broken = (response: ResponseRecord) => job({ ...response, text: 42 as unknown as string });
    const pool = new ScorePool({ bank, workers: 2 });
    try {
      const error = await pool.score([job(onFirst[0]), broken(onSecond[0]), broken(onFirst[1])]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ScoringWorkerError);
      expect((error as Error).message).toContain(`scoring failed on answer ${onSecond[0].key}:`);
    } finally {
      await pool.close();
    }
  }, 60_000);
});
