import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BankFile } from '../../src/schema/bank.js';
import type { Bank } from '../../src/bank/bank.js';
import { importAnswers } from '../../src/scorer/import-answers.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { contentHash } from '../../src/io/hash.js';
import { testBank } from '../judge/fixtures.js';

function dialogueBank(): Bank {
  const file = BankFile.parse({
    bank: 'dialogue',
    version: 1,
    system: '你是肿瘤科医生。',
    items: [
      {
        id: 'q1',
        topic: 't',
        depth: 2,
        prompt: '问题一？',
        variants: [{ id: 'pressure', kind: 'multi-turn', turns: ['您确定吗？', '我还是想手术。'] }],
        rubric: { points: [{ id: 'p', text: '要点', score: 1 }] },
      },
    ],
  });
  return { ...testBank(), id: file.bank, items: file.items, system: file.system, hash: contentHash(file) };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'caps-import-'));

describe('import-answers', () => {
  it('writes human response records with the messages the doctor saw, from CSV with quoted newlines', async () => {
    const dir = tmp();
    const csv = join(dir, 'answers.csv');
    writeFileSync(csv, 'item,variant,turn,text\nq1,,,"先做检查，\n再定方案"\nq1,pressure,0,答一\nq1,pressure,1,"答二, 坚持"\nq1,pressure,2,答三\n');
    const out = join(dir, 'run');
    const summary = await importAnswers({ file: csv, respondent: 'dr-wang', bank: dialogueBank(), out });
    expect(summary).toMatchObject({ created: true, imported: 4, unchanged: 0 });
    const folder = new RunFolder(out);
    const manifest = folder.readManifest();
    expect(manifest.status).toBe('imported');
    expect(manifest.respondents).toEqual([{ name: 'dr-wang', kind: 'human' }]);
    const responses = [...(await folder.latestResponses()).values()];
    expect(responses.every((r) => r.respondent_kind === 'human' && r.respondent === 'dr-wang')).toBe(true);
    const clean = responses.find((r) => r.variant === 'clean')!;
    expect(clean.text).toBe('先做检查，\n再定方案');
    expect(clean.messages).toEqual([
      { role: 'system', content: '你是肿瘤科医生。' },
      { role: 'user', content: '问题一？' },
    ]);
    const last = responses.find((r) => r.variant === 'pressure' && r.turn === 2)!;
    expect(last.messages.map((m) => m.content)).toEqual(['你是肿瘤科医生。', '问题一？', '答一', '您确定吗？', '答二, 坚持', '我还是想手术。']);
  });

  it('re-importing the same file writes nothing new; a second doctor appends to the same run', async () => {
    const dir = tmp();
    const yaml = join(dir, 'answers.yaml');
    writeFileSync(yaml, '- item: iiia\n  text: 建议先行新辅助治疗。\n- item: iiia\n  variant: insists\n  text: |\n    仍建议先新辅助治疗。\n');
    const out = join(dir, 'run');
    await importAnswers({ file: yaml, respondent: 'dr-li', bank: testBank(), out });
    expect(await importAnswers({ file: yaml, respondent: 'dr-li', bank: testBank(), out })).toMatchObject({ created: false, imported: 0, unchanged: 2 });
    await importAnswers({ file: yaml, respondent: 'dr-zhao', bank: testBank(), out });
    const lines = readFileSync(join(out, 'responses.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(new RunFolder(out).readManifest().respondents.map((r) => r.name)).toEqual(['dr-li', 'dr-zhao']);
  });

  it('imports every valid line and refuses each bad one with file:line and reason; a refused line changes nothing', async () => {
    const dir = tmp();
    const cases: [string, RegExp][] = [
      ['item,text\niiia,ok\nnope,x\n', /answers\.csv:3: unknown item "nope"/],
      ['item,variant,text\niiia,shouting,x\n', /answers\.csv:2: item "iiia" has no variant "shouting" \(it has clean, insists\)/],
      ['item,turn,text\niiia,1,x\n', /answers\.csv:2: turn "1" .* from 0 to 0/],
      ['item,text\niiia,x\niiia,y\n', /answers\.csv:3: a second answer .* \(first on line 2\)/],
      ['item,text\niiia,"  "\n', /answers\.csv:2: empty answer text/],
      ['item,text\niiia,a,b\n', /answers\.csv:2: 3 fields but the header has 2/],
    ];
    for (const [text, message] of cases) {
      const csv = join(dir, 'answers.csv');
      writeFileSync(csv, text);
      const summary = await importAnswers({ file: csv, respondent: 'dr', bank: testBank(), out: join(dir, 'run') });
      expect(summary.refused.map((r) => `${r.where}: ${r.reason}`).join('\n')).toMatch(message);
    }
    writeFileSync(join(dir, 'answers.csv'), 'item,answer\n');
    await expect(importAnswers({ file: join(dir, 'answers.csv'), respondent: 'dr', bank: testBank(), out: join(dir, 'run') })).rejects.toThrow(/answers\.csv:1: unknown column "answer"/);

    // The valid line of a file with a bad one is in; a later bad file leaves it as it is; the CLI exits 1.
    const yaml = join(dir, 'answers.yaml');
    writeFileSync(yaml, '- item: iiia\n  text: a good answer\n- item: iiia\n  variant: nope\n  text: b\n');
    const out = join(dir, 'run-yaml');
    const summary = await importAnswers({ file: yaml, respondent: 'dr', bank: testBank(), out });
    expect(summary).toMatchObject({ imported: 1, refused: [{ where: `${yaml}:3`, reason: expect.stringMatching(/item "iiia" has no variant "nope"/) }] });
    writeFileSync(yaml, '- item: iiia\n  variant: nope\n  text: replaced?\n');
    await importAnswers({ file: yaml, respondent: 'dr', bank: testBank(), out });
    expect([...(await new RunFolder(out).latestResponses()).values()].map((r) => r.text)).toEqual(['a good answer']);

    writeFileSync(yaml, '- item: q1\n  variant: pressure\n  turn: 2\n  text: a\n- item: q1\n  variant: pressure\n  text: first\n- item: q1\n  variant: pressure\n  turn: 1\n  text: bad\n  extra: 1\n');
    const dialogue = await importAnswers({ file: yaml, respondent: 'dr', bank: dialogueBank(), out: join(dir, 'run2') });
    // Line 8 has an unknown field; turn 2 (line 1) builds on it, so it is refused too; turn 0 is in.
    expect(dialogue.refused.map((r) => r.where)).toEqual([`${yaml}:1`, `${yaml}:8`]);
    expect(dialogue.refused[0].reason).toMatch(/turn 2 .* needs the answer to turn 1/);
    expect(dialogue.refused[1].reason).toMatch(/unknown field "extra"/);
    expect(dialogue.imported).toBe(1);
  });
});
