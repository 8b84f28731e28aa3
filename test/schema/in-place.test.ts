import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { inPlace } from '../../src/schema/in-place.js';
import { AnalyzedScore, AnswerScore, type AnswerScoreInput } from '../../src/schema/score.js';
import { ResponseRecord, type ResponseRecordInput } from '../../src/schema/run.js';
import { ChatMessage, EvidenceTag } from '../../src/schema/shared.js';
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

/** Every schema inside `schema` (itself included), through the definition fields zod nests schemas in. */
function partsOf(schema: z.ZodType, parts = new Set<z.ZodType>()): Set<z.ZodType> {
  if (parts.has(schema)) return parts;
  parts.add(schema);
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  const nested = [def.innerType, def.element, def.catchall, ...((def.options as z.ZodType[]) ?? []), ...Object.values((def.shape as Record<string, z.ZodType>) ?? {})];
  for (const part of nested) if (part) partsOf(part as z.ZodType, parts);
  return parts;
}

/** `inPlace(schema)` on a line, and the parts of the schema zod was asked to parse (the whole schema when the line fell back). */
function parsedByZod(schema: z.ZodType, line: unknown) {
  const spies = [...partsOf(schema)].map((part) => [part, vi.spyOn(part, 'safeParse')] as const);
  try {
    const checked = inPlace(schema).parse(line);
    return { checked, parts: spies.filter(([, spy]) => spy.mock.calls.length > 0).map(([part]) => part) };
  } finally {
    for (const [, spy] of spies) spy.mockRestore();
  }
}

describe('inPlace', () => {
  it('gives a line as caps writes it back as the very object, parts zod rewrites (evidence levels) put in place', () => {
    const line = JSON.parse(JSON.stringify(AnswerScore.parse(score)));
    line.verdicts[0].evidence.level = 1;
    const checked = inPlace(AnswerScore).parse(line);
    expect(checked).toBe(line);
    expect(checked.verdicts[0].evidence).toEqual({ scheme: 'nccn_category', level: '1' });
  });

  it('checks score and response lines as caps writes them in place: zod parses only the evidence tags and message texts', () => {
    const scoreLine = JSON.parse(JSON.stringify(AnswerScore.parse(score)));
    const scored = parsedByZod(AnswerScore, scoreLine);
    expect(scored.checked).toBe(scoreLine);
    expect(scored.parts).toEqual([EvidenceTag]);
    const responseLine = JSON.parse(JSON.stringify(ResponseRecord.parse(response)));
    const answered = parsedByZod(ResponseRecord, responseLine);
    expect(answered.checked).toBe(responseLine);
    expect(answered.parts).toEqual([ChatMessage.shape.content]);
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

  it('leaves to zod what it cannot check exactly: defaults under optional, numeric enums, xor and discriminated unions, a default over undefined', () => {
    enum Numeric {
      A,
      B,
    }
    const cases: [z.ZodType, unknown[]][] = [
      // An absent key under optional is filled by an inner default or prefault, and by a default under nullable.
      [z.object({ a: z.string().default('x').optional() }), [{}, { a: 'y' }, { a: 1 }]],
      [z.object({ a: z.string().prefault('p').optional() }), [{}, { a: 'y' }]],
      [z.object({ a: z.string().default('x').nullable() }), [{}, { a: null }, { a: 'y' }]],
      [z.object({ a: z.string().catch('c').optional() }), [{}, { a: 1 }, { a: 'y' }]],
      [z.object({ a: z.exactOptional(z.string()) }), [{}, { a: 'y' }, { a: 1 }]],
      [z.object({ a: z.unknown(), b: z.string().nullable().optional() }), [{}, { a: 1 }, { b: null }, { a: null, b: 'x' }]],
      // A numeric TypeScript enum accepts its values, not the names mapped back.
      [z.object({ a: z.enum(Numeric) }), [{ a: 'A' }, { a: 'B' }, { a: 0 }, { a: 1 }, { a: 2 }]],
      [z.object({ a: z.literal([0, 'a']) }), [{ a: 0 }, { a: 'a' }, { a: '0' }]],
      // xor needs exactly one option to pass.
      [z.object({ u: z.xor([z.string(), z.string().optional()]) }), [{ u: 'x' }, { u: 1 }, {}]],
      [z.object({ u: z.xor([z.string(), z.number()]) }), [{ u: 'x' }, { u: 1 }, { u: true }]],
      // A discriminated union picks its option by the discriminator, not the first that passes.
      [
        z.discriminatedUnion('t', [z.object({ t: z.literal('a').optional(), x: z.string() }), z.object({ t: z.literal('b').optional(), y: z.number() })]),
        [{ x: 's' }, { t: 'a', x: 's' }, { t: 'b', y: 1 }, { t: 'b', x: 's' }],
      ],
      // zod puts the default in place of an output undefined.
      [z.object({ a: z.string().transform((): string | undefined => undefined).default('x') }), [{ a: 's' }, {}]],
      [z.object({ a: z.string().transform(() => undefined).optional() }), [{ a: 's' }, {}]],
    ];
    for (const [schema, values] of cases) for (const value of values) expectSame(schema, JSON.stringify(value));
  });

  it('checks a recursive schema (a getter naming itself) without looping, as zod does', () => {
    interface Node {
      name: string;
      children?: Node[];
    }
    const Node: z.ZodType<Node> = z.object({
      name: z.string(),
      get children() {
        return z.array(Node).optional();
      },
    });
    const deep = (depth: number): Node => (depth === 0 ? { name: 'leaf' } : { name: `n${depth}`, children: [deep(depth - 1), { name: 'x' }] });
    for (const value of [deep(0), deep(5), { name: 'a', children: [{ name: 1 }] }, { name: 'a', children: [{ name: 'b', extra: 1 }] }, { name: 'a', children: [{}] }]) {
      expectSame(Node, JSON.stringify(value));
    }
    const line = JSON.parse(JSON.stringify(deep(3)));
    expect(inPlace(Node).parse(line)).toBe(line);
  });

  it('gives an object or array that is not plain (no prototype, a class) as zod does: a plain copy', () => {
    const schema = z.object({ a: z.array(z.string()) });
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: ['x'] });
    class Strings extends Array<string> {}
    for (const value of [bare, { a: Strings.from(['x']) }]) {
      const expected = schema.parse(value);
      const actual = inPlace(schema).parse(value);
      expect(actual).toEqual(expected);
      expect(Object.getPrototypeOf(actual)).toBe(Object.getPrototypeOf(expected));
      expect(Object.getPrototypeOf(actual.a)).toBe(Object.getPrototypeOf(expected.a));
    }
  });
});
