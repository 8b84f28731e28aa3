import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { RecordedAnswersWriter } from '../../src/interop/answers.js';
import { importVerdicts } from '../../src/interop/import-verdicts.js';
import { importGaps } from '../../src/interop/import-gaps.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { ExternalVerdict } from '../../src/schema/external-verdict.js';
import { Results } from '../../src/schema/results.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { createJudgePersona } from '../../src/endpoints/sim/judge-persona.js';
import { readJsonlAll } from '../../src/io/jsonl.js';
import { parseCsvRows } from '../../src/io/csv.js';
import { runCaps } from '../helpers/cli.js';
import { GAPS_SAMPLE, tempDir } from './fixtures.js';

const KEY = 'dr-a|q1|clean|t0|s0';

async function setup() {
  const dir = tempDir('verdicts');
  const bankFile = {
    bank: 'v',
    version: 1,
    profile: 'caps',
    items: [
      {
        id: 'q1',
        topic: 't',
        depth: 2,
        prompt: 'IIIA 期如何处理？',
        rubric: {
          points: [
            { id: 'neo', text: '先行新辅助治疗', score: 3, match: { any: ['新辅助'] } },
            { id: 'mdt', text: '多学科讨论', score: 2 },
          ],
          deductions: [{ id: 'surgery', text: '建议直接手术', score: -2 }],
        },
      },
    ],
  };
  writeFileSync(join(dir, 'bank.yaml'), stringify(bankFile));
  const bank = await loadBankOrThrow([join(dir, 'bank.yaml')]);
  const writer = await RecordedAnswersWriter.open(join(dir, 'run'), { id: bank.id, version: bank.version, hash: bank.hash, paths: bank.files }, { file: 'x', format: 'test' });
  writer.add({ respondent: 'dr-a', kind: 'human', item: 'q1', messages: [{ role: 'user', content: 'IIIA 期如何处理？' }], text: '建议新辅助化疗后再评估。' });
  writer.close();
  return { dir, bank, run: join(dir, 'run') };
}

const latest = async (run: string, key = KEY) => (await new RunFolder(run).latestScores()).get(key)!;

describe('caps import-verdicts', () => {
  it('keeps grades in verdicts.jsonl: they decide over the matcher, survive caps score, and a later "cannot judge" withdraws them', async () => {
    const { dir, bank, run } = await setup();
    writeFileSync(join(dir, 'g.yaml'), stringify([
      { item: 'q1', respondent: 'dr-a', entry: 'neo', met: false, rationale: 'names it but without the sequence' },
      { item: 'q1', respondent: 'dr-a', entry: 'mdt', met: '是', quote: '再评估' },
      { item: 'q1', respondent: 'dr-a', entry: 'surgery', met: 'no' },
    ]));
    const summary = await importVerdicts({ file: join(dir, 'g.yaml'), runDir: run, bank, grader: 'panel' });
    expect(summary).toMatchObject({ lines: 3, recorded: 3, refused: [], answers: 1, complete: 1 });
    const lines = await readJsonlAll(join(run, 'verdicts.jsonl'), ExternalVerdict);
    expect(lines.map((l) => [l.entry, l.met, l.source, l.grader, l.origin])).toEqual([
      ['neo', false, 'imported', 'panel', `${join(dir, 'g.yaml')}:1`],
      ['mdt', true, 'imported', 'panel', `${join(dir, 'g.yaml')}:6`],
      ['surgery', false, 'imported', 'panel', `${join(dir, 'g.yaml')}:11`],
    ]);
    let score = await latest(run);
    expect(score).toMatchObject({ raw: 2, max: 5, score: 40, status: 'complete' });
    expect(score.verdicts.map((v) => [v.entry, v.met, v.decided_by])).toEqual([['neo', false, 'imported'], ['mdt', true, 'imported'], ['surgery', false, 'imported']]);
    expect(score.verdicts[0]).toMatchObject({ rationale: 'names it but without the sequence', matcher: { met: true } });
    expect(score.verdicts[1].provenance).toMatchObject({ graders: ['panel'], origin: [`${join(dir, 'g.yaml')}:6`] });

    // Re-scoring (matcher only) keeps them; the summary says where they came from.
    const scored = await runCaps(['score', run]);
    expect(scored.code).toBe(0);
    expect(scored.stdout).toMatch(/verdicts\.jsonl: 3 entries decided by imported 3/);
    expect(await latest(run)).toMatchObject({ score: 40, status: 'complete' });

    // The same file again changes nothing; a withdrawal gives neo back to its matcher.
    expect(await importVerdicts({ file: join(dir, 'g.yaml'), runDir: run, bank, grader: 'panel' })).toMatchObject({ recorded: 0, unchanged: 3 });
    writeFileSync(join(dir, 'w.csv'), `key,entry,met,grader\n${KEY},neo,cannot judge,panel\n`);
    await importVerdicts({ file: join(dir, 'w.csv'), runDir: run, bank });
    score = await latest(run);
    expect(score.verdicts[0]).toMatchObject({ entry: 'neo', met: true, decided_by: 'matcher' });
    expect(score).toMatchObject({ raw: 5, score: 100 });
    expect((await readJsonlAll(join(run, 'verdicts.jsonl'), ExternalVerdict)).length).toBe(4); // append-only: the earlier lines stay
  });

  it('imports every valid line, refuses each bad one with file:line and reason, exits non-zero, and changes nothing for a refused line', async () => {
    const { dir, run } = await setup();
    writeFileSync(join(dir, 'first.csv'), `key,entry,met\n${KEY},surgery,true\n`);
    expect((await runCaps(['import-verdicts', join(dir, 'first.csv'), '--run', run])).code).toBe(0);
    const file = join(dir, 'bad.csv');
    writeFileSync(
      file,
      [
        'item,respondent,entry,met',
        'q1,dr-a,nope,true',
        'q1,dr-b,neo,true',
        'q1,dr-a,neo,maybe',
        'q1,dr-a,mdt,true',
        'q1,dr-a,mdt,false',
        'q1,dr-a,too,many,fields',
        'q1,dr-a,surgery,bogus',
        ',,neo,true',
      ].join('\n') + '\n',
    );
    const { code, stderr, stdout } = await runCaps(['import-verdicts', file, '--run', run]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${file}:2: refused: item "q1" has no entry "nope" (it has neo, mdt, surgery)`);
    expect(stderr).toContain(`${file}:3: refused: no answer "dr-b|q1|clean|t0|s0"`);
    expect(stderr).toContain(`${file}:4: refused: met is "maybe"`);
    expect(stderr).toContain(`${file}:6: refused: entry "mdt" of answer "${KEY}" is graded twice by imported in this file (first on line 5)`);
    expect(stderr).toContain(`${file}:7: refused: 5 fields but the header has 4`);
    expect(stderr).toContain(`${file}:8: refused: met is "bogus"`);
    expect(stderr).toContain(`${file}:9: refused: name the answer with "key"`);
    expect(stderr).toMatch(/7 of 8 lines refused/);
    expect(stdout).toMatch(/1 grades recorded/);
    const score = await latest(run);
    // mdt (line 5) is in; surgery keeps the grade of the first file (line 8 was refused).
    expect(score.verdicts.map((v) => [v.entry, v.met, v.decided_by])).toEqual([['neo', true, 'matcher'], ['mdt', true, 'imported'], ['surgery', true, 'imported']]);
  });

  it('verdicts.csv round-trips: edit met in the export, import it, and only the edited entries change', async () => {
    const { dir, bank, run } = await setup();
    writeFileSync(join(dir, 'g.csv'), `key,entry,met\n${KEY},mdt,false\n${KEY},surgery,false\n`);
    await importVerdicts({ file: join(dir, 'g.csv'), runDir: run, bank });
    const before = await latest(run);
    expect((await runCaps(['report', run, '--out', join(dir, 'report'), '--format', 'csv'])).code).toBe(0);
    const csvPath = join(dir, 'report', 'verdicts.csv');
    const text = readFileSync(csvPath, 'utf8');
    const rows = parseCsvRows(text, csvPath);
    const header = rows[0].cells;
    expect(header).toContain('respondent_kind');
    const met = header.indexOf('met');
    const entry = header.indexOf('entry');
    // The reviewer flips mdt to true in a spreadsheet; nothing else changes.
    const edited = rows.map((r, i) => (i > 0 && r.cells[entry] === 'mdt' ? r.cells.map((c, j) => (j === met ? 'true' : c)) : r.cells));
    writeFileSync(join(dir, 'edited.csv'), edited.map((cells) => cells.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n'));
    const s = await importVerdicts({ file: join(dir, 'edited.csv'), runDir: run, bank, grader: 'reviewer' });
    expect(s).toMatchObject({ recorded: 1, unchanged: 2, refused: [] });
    const after = await latest(run);
    const changed = after.verdicts.filter((v, i) => JSON.stringify(v) !== JSON.stringify(before.verdicts[i]));
    expect(changed.map((v) => [v.entry, v.met, v.decided_by, v.provenance?.graders])).toEqual([['mdt', true, 'imported', ['reviewer']]]);
    expect(after.score).toBe(100);
  });
});

describe('imported grades on the GAPS sample: import-verdicts, score (also with a judge), report', () => {
  let server: SimServer;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('gaps-grades');
    await importGaps({ file: GAPS_SAMPLE, out: join(dir, 'gaps.yaml'), answers: join(dir, 'run') });
    const bank = await loadBankOrThrow([join(dir, 'gaps.yaml')]);
    server = await startSimServer({ personas: [createJudgePersona({ name: 'sim-judge', items: bank.items })] });
    writeFileSync(join(dir, 'caps.config.yaml'), stringify({ endpoints: [{ name: 'judge', baseURL: server.baseURL, model: 'sim-judge', retries: 0, timeout_ms: 5000 }], judge: { endpoints: ['judge'] } }));
  });
  afterAll(() => server?.close());

  it('finds every imported grade in the scores, the explanation, verdicts.csv and the drill-down, before and after judging', async () => {
    const run = join(dir, 'run');
    const bank = await loadBankOrThrow([join(dir, 'gaps.yaml')]);
    const responses = [...(await new RunFolder(run).latestResponses()).values()].filter((r) => r.respondent === 'gpt_5');
    // Grade every claim of gpt_5's answers: met for the positive claims, not met for the errors.
    const rows = responses.flatMap((r) => {
      const item = bank.items.find((i) => i.id === r.item)!;
      return [...item.rubric.points.map((p) => [r.key, p.id, 'true']), ...item.rubric.deductions.map((d) => [r.key, d.id, 'false'])];
    });
    writeFileSync(join(dir, 'grades.csv'), ['key,entry,met,grader', ...rows.map((r) => `"${r[0]}",${r[1]},${r[2]},published`)].join('\n'));
    const imported = await runCaps(['import-verdicts', join(dir, 'grades.csv'), '--run', run]);
    expect(imported.code).toBe(0);

    const check = async (judged: boolean) => {
      const scores = [...(await new RunFolder(run).latestScores()).values()].filter((s) => s.respondent === 'gpt_5');
      expect(scores).toHaveLength(8);
      for (const s of scores) {
        expect(s.status).toBe('complete');
        expect(s.score).toBe(100);
        for (const v of s.verdicts) {
          expect(v.decided_by).toBe('imported');
          expect(v.provenance!.graders).toEqual(['published']);
          if (judged) expect(v.judge).toBeDefined();
        }
      }
      const report = await runCaps(['report', run, '--out', join(dir, 'report'), '--format', 'csv,json']);
      expect(report.code).toBe(0);
      const results = Results.parse(JSON.parse(readFileSync(join(dir, 'report', 'results.json'), 'utf8')));
      const views = results.items.flatMap((i) => i.answers.filter((a) => a.respondent === 'gpt_5').flatMap((a) => a.verdicts));
      expect(views).toHaveLength(rows.length);
      expect(views.every((v) => v.decided_by === 'imported' && v.provenance?.graders[0] === 'published')).toBe(true);
      const csv = readFileSync(join(dir, 'report', 'verdicts.csv'), 'utf8');
      expect(csv.split('\n').filter((l) => l.startsWith('gpt_5|') && l.includes(',imported,') && l.includes(`${join(dir, 'grades.csv')}:`))).toHaveLength(rows.length);
    };
    const plain = await runCaps(['score', run]);
    expect(plain.stdout).toMatch(new RegExp(`verdicts\\.jsonl: ${rows.length} entries decided by imported ${rows.length}`));
    await check(false);
    const judged = await runCaps(['score', run, '--config', join(dir, 'caps.config.yaml')]);
    expect(judged.code).toBe(0);
    expect(judged.stdout).toMatch(/complete 24 · incomplete 0/);
    await check(true);

    const explained = await runCaps(['try', '--run', run, '--key', responses[0].key]);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toMatch(new RegExp(`decided by imported grade by published \\(\\S+, ${join(dir, 'grades.csv').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+\\)`));
  });
});
