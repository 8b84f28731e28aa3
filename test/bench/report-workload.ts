/**
 * The data of the `caps report` benchmark: a scored run of 30 respondents x 1,000 clean items,
 * answers of about 600 characters, and its bank (YAML), written under `dir`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { bankInput, makeEvaluation, writeRun } from '../report/fixture.js';

export async function writeReportWorkload(dir: string): Promise<{ run: string; bank: string; answers: number }> {
  mkdirSync(join(dir, 'bank'), { recursive: true });
  const bankPath = join(dir, 'bank', 'lung.yaml');
  writeFileSync(bankPath, stringify(bankInput(1000, false)));
  const bank = await loadBankOrThrow([bankPath], null);
  const { scores, responses } = makeEvaluation({ items: 1000, respondents: 30, bank, answerChars: 600, variants: false });
  const run = join(dir, 'run');
  writeRun(run, 'report-bench', bank, responses, scores);
  return { run, bank: bankPath, answers: scores.length };
}
