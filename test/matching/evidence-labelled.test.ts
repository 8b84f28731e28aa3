/**
 * Quote checking over the hand-labelled answers (test/fixtures/labelled-answers): every
 * quote that really proves an entry a clinician marked met must hold, and every phrase a
 * careless judge cuts out of the clause that rejects a deduction or veto the clinician marked
 * not met must be caught.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bank } from '../../src/bank/bank.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { checkEvidence, type EvidenceEntry } from '../../src/matching/evidence.js';
import { evaluateMatch, prepareAnswer } from '../../src/matching/matcher.js';
import { phrasesOf } from '../../src/matching/vocabulary.js';
import { resolveRubric, type ResolvedEntry } from '../../src/scorer/rubric.js';
import { PACKAGE_ROOT } from '../../src/version.js';

interface Labelled {
  id: string;
  item: string;
  variant?: string;
  text: string;
  expected: Record<string, boolean>;
}

const answers: Labelled[] = ['part1.yaml', 'part2.yaml', 'part3.yaml'].flatMap((f) =>
  parse(readFileSync(join(PACKAGE_ROOT, 'test', 'fixtures', 'labelled-answers', f), 'utf8')),
);

/** The entry as the judge path checks it: with its matcher's words, or (a judge-only entry) its text and examples alone. */
function asEvidence(e: ResolvedEntry, withMatcher: boolean): EvidenceEntry {
  const matcher = withMatcher && e.match ? [...phrasesOf(e.match).map((p) => p.phrase), ...[e.match.regex ?? []].flat()] : [];
  return { kind: e.kind, text: e.text, text_en: e.text_en, phrases: [...matcher, ...(e.examples?.hit ?? [])] };
}

interface Tally {
  held: number;
  faulted: string[];
}

let bank: Bank;
beforeAll(async () => {
  bank = await loadBankOrThrow([join(PACKAGE_ROOT, 'questions')]);
});

function survey(withMatcher: boolean) {
  const sentence: Tally = { held: 0, faulted: [] };
  const bare: Tally = { held: 0, faulted: [] };
  const cut: Tally = { held: 0, faulted: [] };
  for (const a of answers) {
    const item = bank.items.find((i) => i.id === a.item)!;
    const prepared = prepareAnswer(a.text);
    for (const e of resolveRubric(item, a.variant ?? 'clean')) {
      if (!e.match) continue;
      const entry = asEvidence(e, withMatcher);
      const outcome = evaluateMatch(e.match, prepared);
      if (a.expected[e.id] === true && outcome.met) {
        const c = outcome.citations[0];
        for (const [tally, quote] of [[sentence, c.sentence], [bare, c.quote]] as const) {
          const r = checkEvidence(prepared, quote, entry);
          if (r.ok) tally.held++;
          else tally.faulted.push(`${a.id} ${e.id}: ${r.detail}`);
        }
      }
      if (a.expected[e.id] === false && e.kind !== 'point') {
        // A careless judge: any mention counts, quoted bare.
        const careless = evaluateMatch({ ...e.match, unless_negated: false }, prepared);
        if (!careless.met) continue;
        const r = checkEvidence(prepared, careless.citations[0].quote, entry);
        if (r.ok) cut.held++;
        else cut.faulted.push(r.fault);
      }
    }
  }
  return { sentence, bare, cut };
}

describe('quote checking over the labelled answers', () => {
  it("with the entry's matcher words: every true quote holds, every cut quote is caught", () => {
    const { sentence, bare, cut } = survey(true);
    expect(sentence.faulted).toEqual([]);
    expect(bare.faulted).toEqual([]);
    expect(sentence.held).toBeGreaterThan(500);
    expect(cut.held).toBe(0);
    expect(cut.faulted.length).toBeGreaterThanOrEqual(30);
    expect(cut.faulted.every((f) => f === 'quote-rejected' || f === 'quote-unasserted')).toBe(true);
  });

  it('for a judge-only entry (text and examples): at least 98% of whole-sentence quotes hold, every cut quote is caught', () => {
    const { sentence, cut } = survey(false);
    const total = sentence.held + sentence.faulted.length;
    // The rest are paraphrases sharing no word with the entry (see docs/scoring.md, "Evidence").
    expect(sentence.held / total).toBeGreaterThanOrEqual(0.98);
    expect(cut.held).toBe(0);
  });
});
