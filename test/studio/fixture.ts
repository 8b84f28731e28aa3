/** A small scored run of the demo bank (matchers only) for the studio's tests. */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bankRef, type Bank } from '../../src/bank/bank.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { DEMO_BANK_PATH } from '../../src/demo/demo.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { answerKey } from '../../src/runner/plan.js';
import { itemQuestion } from '../../src/scorer/question.js';
import { scoreRun } from '../../src/scorer/score-run.js';

export interface StudioFixture {
  dir: string;
  bank: Bank;
  bankDir: string;
  runDir: string;
}

/** `answers` answers by two respondents over the demo bank's clean items; the bank is copied so a test may edit it. */
export async function studioFixture(answers = 12, texts: (i: number, reference?: string) => string = defaultText): Promise<StudioFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'caps-studio-'));
  const bankDir = join(dir, 'bank');
  cpSync(DEMO_BANK_PATH, bankDir, { recursive: true });
  const bank = await loadBankOrThrow([bankDir]);
  const runDir = join(dir, 'runs', 'run-a');
  const folder = new RunFolder(runDir);
  folder.writeManifest({ id: 'run-a', harness_version: '0', bank: bankRef(bank), endpoints: [], respondents: [{ name: 'model-a', kind: 'model' }, { name: 'model-b', kind: 'model' }], plan: {}, counts: {}, started_at: new Date(0).toISOString(), status: 'complete' });
  const appender = folder.responseAppender();
  for (let i = 0; i < answers; i++) {
    const item = bank.items[Math.floor(i / 2) % bank.items.length];
    const respondent = i % 2 === 0 ? 'model-a' : 'model-b';
    appender.append({ key: answerKey({ respondent, item: item.id, variant: 'clean', turn: 0, sample: 0 }), respondent, respondent_kind: 'model', item: item.id, variant: 'clean', turn: 0, sample: 0, messages: itemQuestion(bank, item), text: texts(i, item.reference), attempts: 1, error: null });
  }
  appender.close();
  await scoreRun(runDir, { bank });
  return { dir, bank, bankDir, runDir };
}

function defaultText(i: number, reference?: string): string {
  return i % 3 === 0 ? (reference ?? 'no reference') : `Answer ${i}: 建议完善检查后再决定治疗方案。`;
}
