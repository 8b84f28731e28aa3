/**
 * A synthetic scoring workload: a bank of 1,000 items with 20 matcher-decided rubric entries
 * each (15 points, 4 deductions, a veto) and a complete run folder of N answers of about 600
 * characters that meet a third of the points. Used by the targets benchmark and for profiling
 * (`npx tsx test/bench/score-workload.ts DIR N` writes DIR/bank.yaml and DIR/run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { JsonlAppender } from '../../src/io/jsonl.js';
import { answerKey } from '../../src/runner/plan.js';

export const SCORE_ITEMS = 1000;
/** Rubric entries per item, all decided by the matchers. */
export const SCORE_ENTRIES = 20;
const phrase = (i: number, e: number) => `finding ${i}-${e} confirmed`;

export function writeScoreBank(path: string): void {
  writeFileSync(path, stringify({
    bank: 'score-bench', version: 1, language: 'en',
    items: Array.from({ length: SCORE_ITEMS }, (_, i) => ({
      id: `s${i}`, topic: 'screening', depth: 1 + (i % 4), prompt: `Case ${i}: what do you do?`,
      rubric: {
        points: Array.from({ length: 15 }, (_, e) => ({ id: `p${e}`, text: phrase(i, e), score: 1, match: { any: [phrase(i, e), `check ${e} of case ${i}`] } })),
        deductions: Array.from({ length: 4 }, (_, e) => ({ id: `d${e}`, text: `wrong ${e}`, score: -1, match: { any: [`wrong step ${e} for ${i}`] } })),
        veto: [{ id: 'v', text: 'unsafe', match: { any: [`unsafe dose ${i}`] } }],
      },
    })),
  }));
}

/** A complete run folder of `answers` answers to the bank at `bankPath` (written by writeScoreBank). */
export async function writeScoreRun(dir: string, bankPath: string, answers: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const bank = await loadBankOrThrow([bankPath], null);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ id: 'score-bench', harness_version: '0.1.0', bank: { id: 'score-bench', version: '1', hash: bank.hash, paths: [bankPath], profile: 'caps' }, endpoints: [], respondents: [{ name: 'm', kind: 'model' }], plan: {}, counts: { planned: answers, done: answers, errors: 0 }, started_at: new Date().toISOString(), status: 'complete' }));
  const out = new JsonlAppender(join(dir, 'responses.jsonl'));
  for (let n = 0; n < answers; n++) {
    const item = n % SCORE_ITEMS;
    const sample = Math.floor(n / SCORE_ITEMS);
    const said = Array.from({ length: 15 }, (_, e) => ((n + e) % 3 === 0 ? `${phrase(item, e)}. ` : '')).join('');
    const text = `${said}We review the history and examine the patient carefully. Follow-up in two weeks with results; explain risks and benefits to the patient and family.${n % 50 === 0 ? ` wrong step 1 for ${item}.` : ''}`;
    out.append({ key: answerKey({ respondent: 'm', item: `s${item}`, variant: 'clean', turn: 0, sample }), respondent: 'm', respondent_kind: 'model', item: `s${item}`, variant: 'clean', turn: 0, sample, messages: [{ role: 'user', content: `Case ${item}: what do you do?` }], text, attempts: 1, error: null });
  }
  out.close();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, n] = process.argv.slice(2);
  mkdirSync(dir, { recursive: true });
  writeScoreBank(join(dir, 'bank.yaml'));
  await writeScoreRun(join(dir, 'run'), join(dir, 'bank.yaml'), Number(n));
}
