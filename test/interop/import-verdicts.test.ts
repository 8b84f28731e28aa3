import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { RecordedAnswersWriter } from '../../src/interop/answers.js';
import { importVerdicts } from '../../src/interop/import-verdicts.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { UserError } from '../../src/errors.js';
import { tempDir } from './fixtures.js';

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
  return { dir, bank };
}

describe('caps import-verdicts', () => {
  it('lets the grade decide an entry that also has a matcher, and leaves ungraded matcher entries to the matcher', async () => {
    const { dir, bank } = await setup();
    // The matcher finds 新辅助 (met); the expert says not met: the grade decides. mdt graded met; surgery graded not met.
    writeFileSync(join(dir, 'g.yaml'), stringify([
      { item: 'q1', respondent: 'dr-a', entry: 'neo', met: false, rationale: 'names it but without the sequence' },
      { item: 'q1', respondent: 'dr-a', entry: 'mdt', met: '是', quote: '再评估' },
      { item: 'q1', respondent: 'dr-a', entry: 'surgery', met: 'no' },
    ]));
    await importVerdicts({ file: join(dir, 'g.yaml'), runDir: join(dir, 'run'), bank, grader: 'panel' });
    const score = (await new RunFolder(join(dir, 'run')).latestScores()).get('dr-a|q1|clean|t0|s0')!;
    expect(score).toMatchObject({ raw: 2, max: 5, score: 40, status: 'complete' });
    expect(score.verdicts.map((v) => [v.entry, v.met, v.decided_by])).toEqual([['neo', false, 'human'], ['mdt', true, 'human'], ['surgery', false, 'human']]);
    expect(score.verdicts[1].quotes).toEqual(['再评估']);

    writeFileSync(join(dir, 'partial.csv'), 'key,entry,met\ndr-a|q1|clean|t0|s0,mdt,true\ndr-a|q1|clean|t0|s0,surgery,false\n');
    await importVerdicts({ file: join(dir, 'partial.csv'), runDir: join(dir, 'run'), bank });
    const again = (await new RunFolder(join(dir, 'run')).latestScores()).get('dr-a|q1|clean|t0|s0')!;
    expect(again.verdicts[0]).toMatchObject({ entry: 'neo', met: true, decided_by: 'matcher' });
    expect(again).toMatchObject({ raw: 5, score: 100 });
  });

  it('names file and line of a bad grade', async () => {
    const { dir, bank } = await setup();
    const cases: [string, RegExp][] = [
      ['item,respondent,entry,met\nq1,dr-a,nope,true\n', /:2: item "q1" has no entry "nope" \(it has neo, mdt, surgery\)/],
      ['item,respondent,entry,met\nq1,dr-b,neo,true\n', /:2: no answer "dr-b\|q1\|clean\|t0\|s0"/],
      ['item,respondent,entry,met\nq1,dr-a,neo,maybe\n', /:2: met is "maybe"/],
      ['item,respondent,entry,met\nq1,dr-a,neo,true\nq1,dr-a,neo,false\n', /:3: entry "neo" of answer .* graded twice \(first on line 2\)/],
    ];
    for (const [csv, message] of cases) {
      writeFileSync(join(dir, 'bad.csv'), csv);
      const error = await importVerdicts({ file: join(dir, 'bad.csv'), runDir: join(dir, 'run'), bank }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(message);
    }
  });
});
