/**
 * The first pass of a scoring reads only the keys of responses.jsonl; the scoring pass reads
 * every line in full. Lines written by other tools score as ours do, and a line whose key is
 * readable but which is not a record counts for nothing: it supersedes no earlier line, is not
 * an answer, and is reported with file and line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { scoreRun } from '../../src/scorer/score-run.js';
import { setBadLinePolicy } from '../../src/io/jsonl.js';
import { UserError } from '../../src/errors.js';
import { ResponseRecord } from '../../src/schema/run.js';
import { tempRunFolder } from '../helpers/run-folder.js';
import { BAD_ANSWER, GOOD_ANSWER, item, testBank } from '../judge/fixtures.js';

const reported: string[] = [];
afterEach(() => {
  reported.length = 0;
  setBadLinePolicy({ skip: false, report: (m) => process.stderr.write(`caps: ${m}\n`) });
});

function response(respondent: string, text: string | null): ResponseRecord {
  return ResponseRecord.parse({ key: `${respondent}|iiia|clean|t0|s0`, respondent, item: 'iiia', messages: [{ role: 'user', content: String(item.prompt) }], text });
}

/** A run folder whose responses.jsonl holds exactly these lines. */
function runWith(lines: string[]): string {
  const bank = testBank();
  const folder = tempRunFolder('caps-first-pass-', { id: bank.id, version: bank.version, hash: bank.hash, paths: [] });
  folder.ensure();
  writeFileSync(folder.responsesPath, lines.map((l) => `${l}\n`).join(''));
  return folder.dir;
}

const scoresOf = (run: string) => readFileSync(`${run}/scores.jsonl`, 'utf8');

describe('the first pass over responses.jsonl', () => {
  it('takes lines of other layouts (spacing, key order, \\u escapes) as the scoring pass reads them', async () => {
    const records = [response('good', GOOD_ANSWER), response('bad', BAD_ANSWER), response('good', BAD_ANSWER)];
    const ours = runWith(records.map((r) => JSON.stringify(r)));
    const pythonLike = (r: ResponseRecord) => {
      const { key, ...rest } = r;
      // Key last, spaces after separators, every non-ASCII character escaped (json.dumps' defaults).
      return JSON.stringify({ ...rest, key }, null, 1).replace(/\n\s*/g, ' ').replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    };
    const theirs = runWith(records.map(pythonLike));
    const a = await scoreRun(ours, { bank: testBank() });
    const b = await scoreRun(theirs, { bank: testBank() });
    expect(a).toMatchObject({ answers: 2, scored: 2 });
    expect({ ...b, runDir: ours }).toEqual(a);
    expect(scoresOf(theirs)).toBe(scoresOf(ours));
  });

  it('a repeated key supersedes the earlier line only from a line that is a record', async () => {
    setBadLinePolicy({ skip: true, report: (m) => reported.push(m) });
    const notRecord = JSON.stringify({ ...response('good', BAD_ANSWER), text: 5 });
    const run = runWith([JSON.stringify(response('good', GOOD_ANSWER)), notRecord]);
    const alone = runWith([JSON.stringify(response('good', GOOD_ANSWER))]);
    const summary = await scoreRun(run, { bank: testBank() });
    expect(summary).toMatchObject({ answers: 1, scored: 1 });
    await scoreRun(alone, { bank: testBank() });
    expect(scoresOf(run)).toBe(scoresOf(alone));
    expect(reported).toEqual([expect.stringMatching(/responses\.jsonl:2: not a record of this file: text: .*; skipped \(--skip-bad-lines\)$/)]);
  });

  it('a line that is not a record is no answer, and a later record of its key is scored', async () => {
    setBadLinePolicy({ skip: true, report: (m) => reported.push(m) });
    const notRecord = JSON.stringify({ ...response('good', GOOD_ANSWER), text: 5 });
    const run = runWith([notRecord, JSON.stringify(response('lone', null)).replace('"text":null', '"text":[]'), JSON.stringify(response('good', GOOD_ANSWER))]);
    const alone = runWith([JSON.stringify(response('good', GOOD_ANSWER))]);
    const summary = await scoreRun(run, { bank: testBank() });
    expect(summary).toMatchObject({ answers: 1, scored: 1 });
    await scoreRun(alone, { bank: testBank() });
    expect(scoresOf(run)).toBe(scoresOf(alone));
    expect(reported).toHaveLength(2);
    expect(reported[0]).toMatch(/responses\.jsonl:1: not a record of this file/);
    expect(reported[1]).toMatch(/responses\.jsonl:2: not a record of this file/);
  });

  it('without --skip-bad-lines such a line fails the scoring, named with file and line, once the other answers are scored', async () => {
    setBadLinePolicy({ skip: false, report: (m) => reported.push(m) });
    const run = runWith([JSON.stringify(response('good', GOOD_ANSWER)), JSON.stringify({ ...response('bad', BAD_ANSWER), text: 5 })]);
    const error = await scoreRun(run, { bank: testBank() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/responses\.jsonl: 1 line cannot be read \(listed above\)/);
    expect((error as Error).message).toMatch(/The 1 answer that could be read was scored and kept in scores\.jsonl/);
    expect(reported).toEqual([expect.stringMatching(/responses\.jsonl:2: not a record of this file: text: .*; cannot be read$/)]);
    // The answer that is a record was scored and is kept: scoring again after the repair reuses it.
    expect(JSON.parse(scoresOf(run))).toMatchObject({ key: 'good|iiia|clean|t0|s0' });
  });
});
