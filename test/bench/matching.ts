/**
 * Matching benchmark: rubric checks per second (one answer against one rubric entry) over the
 * hand-labelled answers to the demo bank, and the time to score one very long answer of
 * ordinary prose against an item's whole rubric. Uses only scoreAnswer and the bank loader,
 * so the same file measures an older checkout.
 *
 *   npx tsx test/bench/matching.ts [--quick]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { ResponseRecord } from '../../src/schema/run.js';
import { scoreAnswer } from '../../src/scorer/score-answer.js';

const root = join(import.meta.dirname, '..', '..');

interface Labelled {
  id: string;
  item: string;
  variant?: string;
  text: string;
}

export interface MatchingFigures {
  answers: number;
  checks: number;
  checksPerSecond: number;
  longAnswerChars: number;
  longAnswerMs: number;
  longAnswerEntries: number;
}

export async function benchMatching(quick = false): Promise<MatchingFigures> {
  const bank = await loadBankOrThrow([join(root, 'questions', 'lung-cancer')]);
  const dir = join(root, 'test', 'fixtures', 'labelled-answers');
  const answers = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parse(readFileSync(join(dir, f), 'utf8')) as Labelled[]);
  const items = new Map(bank.items.map((i) => [i.id, i]));
  const response = (a: Labelled, text = a.text) =>
    ResponseRecord.parse({ key: `bench/${a.id}`, respondent: 'bench', respondent_kind: 'human', item: a.item, variant: a.variant ?? 'clean', text });

  const rounds = quick ? 3 : 10;
  let checks = 0;
  const start = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const a of answers) checks += scoreAnswer({ item: items.get(a.item)!, response: response(a), profile: 'caps' }).verdicts.length;
  }
  const seconds = (performance.now() - start) / 1000;

  // About 5 MB of ordinary prose: the labelled answers, one after another, until long enough.
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < 5_000_000; i++) {
    const text = answers[i % answers.length].text;
    parts.push(text);
    length += text.length + 1;
  }
  const long = parts.join('\n');
  const target = answers.find((a) => a.item === 'lc-locally-advanced-002')!;
  const t0 = performance.now();
  const scored = scoreAnswer({ item: items.get(target.item)!, response: response(target, long), profile: 'caps' });
  const longAnswerMs = performance.now() - t0;
  return { answers: answers.length, checks, checksPerSecond: checks / seconds, longAnswerChars: long.length, longAnswerMs, longAnswerEntries: scored.verdicts.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await benchMatching(process.argv.includes('--quick'));
  console.log(JSON.stringify(figures));
}
