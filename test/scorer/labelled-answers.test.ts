/**
 * The demo bank's deterministic matchers against hand-labelled answers (test/fixtures/labelled-answers).
 * Clinicians' answers were labelled by reading them; the matcher must agree with the labels on at
 * least 97% of (answer, entry) pairs and every answer's CAPS score must equal the score computed by
 * hand. When they disagree, the rubric's match spec (or, on re-reading, the label) is what gets fixed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bank } from '../../src/bank/bank.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { CLEAN, Id } from '../../src/schema/bank.js';
import { ResponseRecord } from '../../src/schema/run.js';
import type { AnswerScore } from '../../src/schema/score.js';
import { scoreAnswer } from '../../src/scorer/score-answer.js';
import { PACKAGE_ROOT } from '../../src/version.js';

const AnswerKind = z.enum(['good', 'partial', 'wrong-core', 'dangerous', 'negated', 'english', 'fullwidth', 'mixed', 'traditional', 'gaming']);

const LabelledAnswer = z.strictObject({
  id: Id,
  item: Id,
  variant: Id.default(CLEAN),
  kind: AnswerKind,
  text: z.string().min(1),
  /** The verdict a clinician gives every entry of the resolved rubric. */
  expected: z.record(z.string(), z.boolean()),
  /** CAPS score (0..100) computed by hand from the labels. */
  expected_score: z.number().min(0).max(100),
});
type LabelledAnswer = z.infer<typeof LabelledAnswer>;

const FIXTURE_DIR = join(PACKAGE_ROOT, 'test', 'fixtures', 'labelled-answers');
const FIXTURE_FILES = ['part1.yaml', 'part2.yaml', 'part3.yaml'].map((f) => join(FIXTURE_DIR, f)).filter((f) => existsSync(f));
const MIN_AGREEMENT = 0.97;

function readAnswers(file: string): LabelledAnswer[] {
  return z.array(LabelledAnswer).parse(parse(readFileSync(file, 'utf8')));
}

interface Scored {
  answer: LabelledAnswer;
  file: string;
  score: AnswerScore;
}

interface Disagreement {
  answer: string;
  item: string;
  entry: string;
  label: boolean;
  matcher: boolean | null;
  detail: string;
}

function score(bank: Bank, answer: LabelledAnswer, file: string): Scored {
  const item = bank.items.find((i) => i.id === answer.item);
  if (!item) throw new Error(`${file}: answer ${answer.id} refers to item ${answer.item}, which is not in the bank`);
  const response = ResponseRecord.parse({
    key: `labelled/${answer.id}`,
    respondent: 'labelled',
    respondent_kind: 'human',
    item: answer.item,
    variant: answer.variant,
    text: answer.text,
  });
  return { answer, file, score: scoreAnswer({ item, response, profile: 'caps' }) };
}

describe('hand-labelled answers to the demo bank', () => {
  let scored: Scored[] = [];

  beforeAll(async () => {
    const bank = await loadBankOrThrow([join(PACKAGE_ROOT, 'questions', 'lung-cancer')]);
    scored = FIXTURE_FILES.flatMap((file) => readAnswers(file).map((answer) => score(bank, answer, file)));
  });

  it('has labelled answers of every kind', () => {
    expect(FIXTURE_FILES.length).toBeGreaterThan(0);
    expect(new Set(scored.map((s) => s.answer.id)).size).toBe(scored.length);
    expect(new Set(scored.map((s) => s.answer.kind))).toEqual(new Set(AnswerKind.options));
  });

  it('labels every entry of each resolved rubric, and nothing else', () => {
    const mismatches = scored.flatMap(({ answer, score: s }) => {
      const entries = s.verdicts.map((v) => v.entry).sort();
      const labelled = Object.keys(answer.expected).sort();
      return entries.join() === labelled.join() ? [] : [`${answer.id} (${answer.item}/${answer.variant}): rubric ${entries.join(', ')}; labels ${labelled.join(', ')}`];
    });
    expect(mismatches).toEqual([]);
  });

  it(`matcher agrees with the labels on at least ${MIN_AGREEMENT * 100}% of entries`, () => {
    const disagreements: Disagreement[] = [];
    let pairs = 0;
    for (const { answer, score: s } of scored) {
      for (const verdict of s.verdicts) {
        const label = answer.expected[verdict.entry];
        if (label === undefined) continue;
        pairs++;
        if (verdict.met !== label) {
          disagreements.push({
            answer: answer.id,
            item: answer.item,
            entry: verdict.entry,
            label,
            matcher: verdict.met,
            detail: verdict.matcher?.rationale ?? verdict.rationale ?? '',
          });
        }
      }
    }
    if (disagreements.length > 0) {
      console.log(
        `matcher disagrees with ${disagreements.length} of ${pairs} labels:\n` +
          disagreements.map((d) => `  ${d.answer} ${d.item} ${d.entry}: label ${d.label}, matcher ${d.matcher} (${d.detail})`).join('\n'),
      );
    }
    expect(pairs).toBeGreaterThan(0);
    expect((pairs - disagreements.length) / pairs).toBeGreaterThanOrEqual(MIN_AGREEMENT);
  });

  it('scores every answer exactly as computed by hand', () => {
    const wrong = scored
      .filter(({ answer, score: s }) => s.caps_score === null || Math.abs(s.caps_score - answer.expected_score) > 0.01)
      .map(({ answer, score: s }) => `${answer.id} (${answer.item}/${answer.variant}): expected ${answer.expected_score}, scored ${s.caps_score} [${s.status}]`);
    if (wrong.length > 0) console.log(`scores that differ from the hand-computed ones:\n  ${wrong.join('\n  ')}`);
    expect(wrong).toEqual([]);
  });
});
