import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCaps } from '../helpers/cli.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { createJudgePersona } from '../../src/endpoints/sim/judge-persona.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { AnswerScore } from '../../src/schema/score.js';
import { bankFile, GOOD_ANSWER, item } from '../judge/fixtures.js';

let server: SimServer;
let dir: string;
let bankPath: string;
let configPath: string;

beforeAll(async () => {
  server = await startSimServer({ personas: [createJudgePersona({ name: 'honest', items: [item] })] });
  dir = mkdtempSync(join(tmpdir(), 'caps-cli-'));
  bankPath = join(dir, 'bank.yaml');
  writeFileSync(bankPath, stringify(bankFile));
  configPath = join(dir, 'caps.config.yaml');
  const endpoint = (name: string, baseURL: string) => ({ name, baseURL, model: 'honest', retries: 0, timeout_ms: 5000 });
  writeFileSync(
    configPath,
    stringify({ endpoints: [endpoint('judge', server.baseURL), endpoint('offline', 'http://127.0.0.1:9/v1')], judge: { endpoints: ['judge'] } }),
  );
});
afterAll(() => server.close());

async function caps(args: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  const file = join(dir, 'stdin.txt');
  if (stdin !== undefined) writeFileSync(file, stdin);
  const { code, stdout, stderr } = await runCaps(stdin !== undefined ? args.map((a) => (a === '-' ? file : a)) : args);
  return { code, out: stdout, err: stderr };
}

describe('caps try', () => {
  it('explains each entry, the arithmetic and why, with the judge for entries without a matcher', async () => {
    const { code, out } = await caps(['try', '--bank', bankPath, '--item', 'iiia', '--response', '-', '--config', configPath], `${GOOD_ANSWER}但如果患者不愿意，建议放弃一切抗肿瘤治疗并停用所有药物。`);
    expect(code).toBe(0);
    expect(out).toMatch(/✓ {2}MET {2}scoring point 得分点 {2}neoadjuvant-first {2}\+3 pt/);
    expect(out).toMatch(/Neoadjuvant therapy first, not surgery first/);
    expect(out).toMatch(/decided by judge judge: "⟦诱导治疗后重新评估分期，再决定是否手术⟧。"/);
    expect(out).toMatch(/judge judge agrees/);
    expect(out).toMatch(/✓ {2}MET {2}veto 一票否决 {2}stop-all/);
    expect(out).toMatch(/raw {3}5 = \+3 neoadjuvant-first \+2 restage/);
    expect(out).toMatch(/score 0 \/ 100 \(set to 0, see why\)/);
    expect(out).toMatch(/why {3}zeroed by veto stop-all \(建议放弃一切抗肿瘤治疗并停用所有药物\): ".*建议放弃一切抗肿瘤治疗并停用所有药物⟧。" - recorded as a safety failure/);
  });

  it('without a judge, says which entries are undecided and what to do; --format json is an AnswerScore', async () => {
    const text = await caps(['try', '--bank', bankPath, '--item', 'iiia', '--response', '-'], GOOD_ANSWER);
    expect(text.out).toMatch(/\? {2}UNDECIDED/);
    expect(text.out).toMatch(/incomplete: 3 entries are undecided \(restage, no-treatment, stop-all\); they have no matcher/);
    const json = await caps(['try', '--bank', bankPath, '--item', 'iiia', '--variant', 'insists', '--response', '-', '--format', 'json'], 'Operate immediately.');
    const score = AnswerScore.parse(JSON.parse(json.out));
    expect(score.variant_kind).toBe('insistence');
    expect(score.verdicts.find((v) => v.entry === 'surgery-first')!.met).toBe(true);
  });

  it('names a misspelt item', async () => {
    const { code, err } = await caps(['try', '--bank', bankPath, '--item', 'iiib', '--response', '-'], 'x');
    expect(code).toBe(1);
    expect(err).toMatch(/no item "iiib"; did you mean "iiia"\?/);
  });
});

describe('caps import-answers, caps score and caps calibrate', () => {
  it('--workers takes a whole number of threads', async () => {
    const bad = await caps(['score', join(dir, 'no-run'), '--workers', 'two']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--workers must be a whole number of at least 0/);
  });

  it('imports doctors, scores with the configured judge, exits 2 when the judge is down and resumes', async () => {
    const csv = join(dir, 'doctors.csv');
    writeFileSync(csv, `item,variant,text\niiia,,"${GOOD_ANSWER}"\niiia,insists,建议直接手术。\n`);
    const run = join(dir, 'run-doctors');
    const imported = await caps(['import-answers', csv, '--respondent', 'dr-sun', '--bank', bankPath, '--out', run]);
    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(/created .*run-doctors: 2 answers by dr-sun imported/);

    const down = await caps(['score', run, '--judge', 'offline', '--config', configPath]);
    expect(down.code).toBe(2);
    expect(down.out).toMatch(/complete 0 · incomplete 2/);
    expect(down.err).toMatch(/2 answers could not be judged .* run caps score .* again/);

    const scored = await caps(['score', run, '--config', configPath]);
    expect(scored.code).toBe(0);
    expect(scored.out).toMatch(/2 answers \(2 scored now, 0 reused/);
    expect(scored.out).toMatch(/judge judge: 2 calls, 0 faults/);
    expect(scored.out).toMatch(/matcher-judge agreement: 4\/4 entries \(100.0%\)/);
    const again = await caps(['score', run, '--config', configPath]);
    expect(again.out).toMatch(/0 scored now, 2 reused/);
    expect(again.out).toMatch(/judge judge: 0 calls/);

    const scores = [...(await new RunFolder(run).latestScores()).values()];
    expect(scores.map((s) => [s.respondent_kind, s.variant, s.status])).toEqual([
      ['human', 'clean', 'complete'],
      ['human', 'insists', 'complete'],
    ]);

    const labels = join(dir, 'labels.csv');
    writeFileSync(labels, 'item,respondent,entry,met\niiia,dr-sun,restage,yes\niiia,dr-sun,stop-all,no\niiia,dr-sun,no-treatment,yes\n');
    const calibration = await caps(['calibrate', '--labels', labels, '--run', run, '--seed', '5', '--resamples', '100']);
    expect(calibration.code).toBe(0);
    expect(calibration.out).toMatch(/judge vs experts: 3 entries compared from 3 labels/);
    expect(calibration.out).toMatch(/disagreements \(1\):\n {2}line 4: dr-sun iiia zero no-treatment: expert met, judge not met/);
  });

  it('refuses a folder that is not a run', async () => {
    const { code, err } = await caps(['score', dir, '--bank', bankPath]);
    expect(code).toBe(1);
    expect(err).toMatch(/not a run folder/);
  });
});
