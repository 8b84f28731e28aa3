import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { inPlace } from '../../src/schema/in-place.js';
import { AnalyzedScore, AnswerScore, type AnswerScoreInput } from '../../src/schema/score.js';
import { ResponseRecord, type ResponseRecordInput } from '../../src/schema/run.js';
import { createRandom } from '../../src/analysis/random.js';

const score: AnswerScoreInput = {
  key: 'm|q1|clean|0|0',
  respondent: 'm',
  respondent_kind: 'model',
  item: 'q1',
  variant: 'clean',
  variant_kind: 'clean',
  turn: 0,
  last_turn: 0,
  sample: 0,
  depth: 2,
  topic: 't',
  profile: 'caps',
  score: 50,
  caps_score: 50,
  raw: 3,
  max: 6,
  status: 'complete',
  zeroed_by: [],
  vetoed_by: [],
  safety: [{ entry: 'v', kind: 'veto', text: 'stop', quotes: ['stop all'], citations: [{ quote: 'stop all', start: 0, end: 8, sentence: 'stop all.', sentence_start: 0 }] }],
  verdicts: [
    {
      entry: 'p',
      kind: 'point',
      met: true,
      decided_by: 'judge',
      quotes: ['x'],
      points: 3,
      judge: { met: true, quotes: ['x'], rationale: 'because', judge: 'j', citations: [{ quote: 'x', start: 1, end: 2, sentence: 'a x.', sentence_start: 0 }] },
      evidence: { scheme: 'nccn_category', level: '1' },
      critical: true,
    },
    { entry: 'd', kind: 'deduction', met: null, decided_by: 'none', quotes: [], points: 0, flags: ['split'] },
  ],
  scorer: { matcher: '1', judges: [{ name: 'j', model: 'm', template: 't@1' }] },
  judge_faults: [{ judge: 'j', kind: 'endpoint', detail: 'timeout' }],
};

const response: ResponseRecordInput = {
  key: 'm|q1|clean|0|0',
  respondent: 'm',
  respondent_kind: 'model',
  item: 'q1',
  variant: 'clean',
  turn: 0,
  sample: 0,
  messages: [{ role: 'user', content: 'q?' }],
  text: 'an answer',
  usage: { prompt_tokens: 3, completion_tokens: 5 },
  attempts: 1,
  error: null,
};

/** Values to put in place of a field: other types, edge numbers, nested damage. */
const REPLACEMENTS: unknown[] = [null, 'x', '', 0, -1, 1.5, 2 ** 60, true, [], {}, [1], { a: 1 }, 'clean', 'point', 'judge', 'model', { scheme: 'nccn_category', level: 1 }, { scheme: 'nccn_category', level: '9' }];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A random change somewhere in the value: a field replaced, removed or added, keys reordered, an element dropped. */
function mutate(value: Json, random: () => number): Json {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  if (Array.isArray(value)) {
    if (value.length === 0 || random() < 0.2) return random() < 0.5 ? [...value, pick(REPLACEMENTS) as Json] : value.slice(1);
    const i = Math.floor(random() * value.length);
    return value.map((v, j) => (j === i ? mutate(v, random) : v));
  }
  if (value === null || typeof value !== 'object') return pick(REPLACEMENTS) as Json;
  const keys = Object.keys(value);
  const roll = random();
  if (roll < 0.1) return Object.fromEntries([...keys].reverse().map((k) => [k, value[k]]));
  if (roll < 0.2) return { ...value, [pick(['extra', 'key', '__proto__', 'note'])]: pick(REPLACEMENTS) as Json };
  const key = pick(keys);
  if (roll < 0.35) return Object.fromEntries(keys.filter((k) => k !== key).map((k) => [k, value[k]]));
  return Object.fromEntries(keys.map((k) => [k, k === key ? mutate(value[k], random) : value[k]]));
}

/** Both schemas on copies of the same JSON: the same verdict, the same output (as JSON text, keys in order) and the same issues. */
function expectSame(schema: z.ZodType, json: string): boolean {
  const expected = schema.safeParse(JSON.parse(json));
  const actual = inPlace(schema).safeParse(JSON.parse(json));
  expect(actual.success).toBe(expected.success);
  if (expected.success) expect(JSON.stringify(actual.data)).toBe(JSON.stringify(expected.data));
  else expect(actual.error!.issues).toEqual(expected.error.issues);
  return expected.success;
}

describe('inPlace', () => {
  it('gives a line as caps writes it back as the very object, parts zod rewrites (evidence levels) put in place', () => {
    const line = JSON.parse(JSON.stringify(AnswerScore.parse(score)));
    line.verdicts[0].evidence.level = 1;
    const checked = inPlace(AnswerScore).parse(line);
    expect(checked).toBe(line);
    expect(checked.verdicts[0].evidence).toEqual({ scheme: 'nccn_category', level: '1' });
  });

  it('accepts, refuses and outputs exactly as the schema does, on thousands of damaged score and response lines', () => {
    const random = createRandom(7);
    const cases: [z.ZodType, Json][] = [
      [AnswerScore, JSON.parse(JSON.stringify(AnswerScore.parse(score)))],
      [AnswerScore, JSON.parse(JSON.stringify(score))],
      [ResponseRecord, JSON.parse(JSON.stringify(ResponseRecord.parse(response)))],
      [ResponseRecord, JSON.parse(JSON.stringify(response))],
    ];
    let accepted = 0;
    let refused = 0;
    for (const [schema, line] of cases) {
      for (let i = 0; i < 1000; i++) {
        let changed = line;
        for (let n = 1 + Math.floor(random() * 3); n > 0; n--) changed = mutate(changed, random);
        if (expectSame(schema, JSON.stringify(changed))) accepted++;
        else refused++;
      }
    }
    // Both kinds are exercised in number.
    expect(accepted).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(1000);
  });

  it('leaves schemas it does not know, checks and formats to zod: z.int(), transforms, records, catchalls, unions', () => {
    const schema = z.object({
      n: z.int(),
      t: z.string().transform((s) => s.length),
      r: z.record(z.string(), z.number()),
      l: z.looseObject({ a: z.string() }),
      u: z.union([z.object({ a: z.string().default('d') }), z.object({ b: z.number() })]),
      m: z.number().multipleOf(2).optional(),
    });
    const good = { n: 1, t: 'abc', r: { x: 1 }, l: { a: 'a', b: 2 }, u: { b: 1 }, m: 4 };
    for (const value of [good, { ...good, n: 1.5 }, { ...good, u: {} }, { ...good, u: { a: 'x' } }, { ...good, m: 3 }, { ...good, r: { x: 'y' } }, { ...good, l: { b: 1 } }]) {
      expectSame(schema, JSON.stringify(value));
    }
  });

  it('AnalyzedScore keeps what AnswerScore gives, less how it was scored', () => {
    const analyzed = AnalyzedScore.parse(JSON.parse(JSON.stringify(score)));
    const full = AnswerScore.parse(JSON.parse(JSON.stringify(score)));
    const { scorer, judge_faults, ...rest } = full;
    expect(scorer).toBeDefined();
    expect(judge_faults).toBeDefined();
    expect(JSON.parse(JSON.stringify(analyzed))).toEqual({ ...rest, verdicts: rest.verdicts.map(({ judge, matcher, judges, ...v }) => v) });
    expect(AnalyzedScore.safeParse({ ...score, scorer: { matcher: 5 } }).success).toBe(false);
    expect(AnalyzedScore.safeParse({ ...score, judge_faults: [{ judge: 'j', kind: 'nope', detail: '' }] }).success).toBe(false);
  });
});
