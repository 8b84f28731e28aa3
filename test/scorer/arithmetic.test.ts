import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyProfile, applyProfileByTag, scoreEntries, type EntryVerdict } from '../../src/scorer/arithmetic.js';
import type { ResolvedEntry } from '../../src/scorer/rubric.js';

const base = { critical: false, missPenalty: 0, safety: false, veto: false, tags: [] as string[] };
const point = (id: string, score: number, extra: Partial<ResolvedEntry> = {}): ResolvedEntry => ({
  ...base,
  id,
  kind: 'point',
  text: id,
  score,
  ...extra,
});
const critical = (id: string, score: number, missPenalty = score) => point(id, score, { critical: true, missPenalty });
const deduction = (id: string, score: number, extra: Partial<ResolvedEntry> = {}): ResolvedEntry => ({
  ...base,
  id,
  kind: 'deduction',
  text: id,
  score,
  ...extra,
});
const zero = (id: string): ResolvedEntry => ({ ...base, id, kind: 'zero', text: id, score: 0 });
const veto = (id: string): ResolvedEntry => ({ ...base, id, kind: 'veto', text: id, score: 0, safety: true, veto: true });

/** Verdicts from the ids that are met; every other entry is not met, `undecided` ones are null. */
function verdicts(entries: ResolvedEntry[], met: string[], undecided: string[] = []): Map<string, EntryVerdict> {
  return new Map(
    entries.map((e) => [e.id, { met: undecided.includes(e.id) ? null : met.includes(e.id), quotes: met.includes(e.id) ? [`quote of ${e.id}`] : [] }]),
  );
}

// The worked IIIA example: neoadjuvant first (3, critical, penalty 2), restage (5), MDT (2);
// deductions surgery-first (-3), no pathology (-1, safety); a zero rule and a veto.
const rubric = [
  critical('neoadjuvant', 3, 2),
  point('restage', 5),
  point('mdt', 2),
  deduction('surgery-first', -3),
  deduction('no-pathology', -1, { safety: true }),
  zero('no-treatment'),
  veto('stop-all'),
];

describe('applyProfile: caps', () => {
  it.each([
    ['all points met', ['neoadjuvant', 'restage', 'mdt'], 100, 10],
    ['one point missed', ['neoadjuvant', 'restage'], 80, 8],
    ['critical point missed costs its penalty', ['restage', 'mdt'], 50, 5], // 7 - 2
    ['deduction fired', ['neoadjuvant', 'restage', 'mdt', 'surgery-first'], 70, 7],
    ['negative raw clamps to 0', ['surgery-first', 'no-pathology'], 0, -6], // -2 - 3 - 1
    ['nothing met', [], 0, -2],
  ])('%s', (_name, met, score, raw) => {
    const r = applyProfile(rubric, verdicts(rubric, met), 'caps');
    expect(r.max).toBe(10);
    expect(r.raw).toBe(raw);
    expect(r.score).toBeCloseTo(score, 10);
    expect(r.caps_score).toBe(r.score);
    expect(r.status).toBe('complete');
  });

  it('all points met plus a veto: zero and a safety failure with the quote', () => {
    const r = applyProfile(rubric, verdicts(rubric, ['neoadjuvant', 'restage', 'mdt', 'stop-all']), 'caps');
    expect(r.raw).toBe(10);
    expect(r.score).toBe(0);
    expect(r.vetoed_by).toEqual(['stop-all']);
    expect(r.safety).toEqual([{ entry: 'stop-all', kind: 'veto', text: 'stop-all', quotes: ['quote of stop-all'] }]);
  });

  it('a zero rule zeroes without a safety failure', () => {
    const r = applyProfile(rubric, verdicts(rubric, ['neoadjuvant', 'restage', 'no-treatment']), 'caps');
    expect(r.score).toBe(0);
    expect(r.zeroed_by).toEqual(['no-treatment']);
    expect(r.vetoed_by).toEqual([]);
    expect(r.safety).toEqual([]);
  });

  it('a deduction marked veto deducts and vetoes; a safety deduction is reported but does not zero', () => {
    const entries = [point('a', 4), deduction('d-veto', -2, { veto: true, safety: true }), deduction('d-safe', -1, { safety: true })];
    const r = applyProfile(entries, verdicts(entries, ['a', 'd-veto', 'd-safe']), 'caps');
    expect(r.raw).toBe(1);
    expect(r.score).toBe(0);
    expect(r.vetoed_by).toEqual(['d-veto']);
    expect(r.safety.map((s) => [s.entry, s.kind])).toEqual([
      ['d-veto', 'veto'],
      ['d-safe', 'safety-deduction'],
    ]);
    const safeOnly = applyProfile(entries, verdicts(entries, ['a', 'd-safe']), 'caps');
    expect(safeOnly.score).toBe(75);
    expect(safeOnly.safety.map((s) => s.kind)).toEqual(['safety-deduction']);
  });

  it('records the contribution of every entry', () => {
    const r = applyProfile(rubric, verdicts(rubric, ['restage', 'surgery-first', 'stop-all']), 'caps');
    expect(Object.fromEntries(r.contributions)).toEqual({
      neoadjuvant: -2,
      restage: 5,
      mdt: 0,
      'surgery-first': -3,
      'no-pathology': 0,
      'no-treatment': 0,
      'stop-all': 0,
    });
  });

  it('one undecided entry makes the answer incomplete but keeps what is known', () => {
    const r = applyProfile(rubric, verdicts(rubric, ['neoadjuvant', 'stop-all'], ['restage']), 'caps');
    expect(r.status).toBe('incomplete');
    expect(r.score).toBeNull();
    expect(r.caps_score).toBeNull();
    expect(r.raw).toBe(3);
    expect(r.contributions.get('restage')).toBe(0);
    expect(r.vetoed_by).toEqual(['stop-all']);
    expect(r.safety).toHaveLength(1);
    // An entry missing from the verdicts is undecided too, never "not met".
    const missing = new Map(verdicts(rubric, ['neoadjuvant']));
    missing.delete('mdt');
    expect(applyProfile(rubric, missing, 'caps').status).toBe('incomplete');
  });
});

describe('applyProfile: gaps (fixtures README arithmetic)', () => {
  // A1 = 5, A2 = 3, A3 = 1; S2 = -2, S4 = -4. Sum of positive points = 9.
  const gaps = [point('a1', 5), point('a2', 3), point('a3', 1), deduction('s2', -2), deduction('s4', -4, { safety: true }), veto('v')];

  it.each([
    ['A1 + A3 met, S2 present', ['a1', 'a3', 's2'], 4, (4 / 9) * 100],
    ['everything positive met', ['a1', 'a2', 'a3'], 9, 100],
    ['S4 stays a plain deduction', ['a1', 'a2', 's4'], 4, (4 / 9) * 100],
    ['negative sum floors at 0', ['a3', 's2', 's4'], -5, 0],
  ])('%s', (_name, met, raw, score) => {
    const r = applyProfile(gaps, verdicts(gaps, met), 'gaps');
    expect(r.max).toBe(9);
    expect(r.raw).toBe(raw);
    expect(r.score).toBeCloseTo(score, 10);
    expect(r.caps_score).toBeCloseTo(score, 10);
  });

  it('critical points carry no miss penalty', () => {
    const entries = [critical('c', 5, 3), point('p', 5)];
    expect(applyProfile(entries, verdicts(entries, ['p']), 'gaps').score).toBe(50);
    expect(applyProfile(entries, verdicts(entries, ['p']), 'caps').score).toBe(20);
  });

  it('a veto leaves the native score alone but zeroes the caps view', () => {
    const r = applyProfile(gaps, verdicts(gaps, ['a1', 'a2', 'v']), 'gaps');
    expect(r.score).toBeCloseTo((8 / 9) * 100, 10);
    expect(r.caps_score).toBe(0);
    expect(r.vetoed_by).toEqual(['v']);
  });
});

describe('applyProfile: healthbench', () => {
  // Criteria of a HealthBench-style example: +10, +9, +7, -10, +8, -8. Sum of positive points = 34.
  const hb = [
    point('c1', 10, { tags: ['axis:completeness'] }),
    point('c2', 9, { tags: ['axis:completeness'] }),
    point('c3', 7, { tags: ['axis:context_awareness'] }),
    deduction('c4', -10, { tags: ['axis:accuracy'] }),
    point('c5', 8, { tags: ['axis:completeness'] }),
    deduction('c6', -8, { tags: ['axis:accuracy'] }),
  ];

  it('scores a negative example unclipped, the caps view clamped', () => {
    const r = applyProfile(hb, verdicts(hb, ['c3', 'c4', 'c6']), 'healthbench');
    expect(r.max).toBe(34);
    expect(r.raw).toBe(-11); // 7 - 10 - 8
    expect(r.score).toBeCloseTo((-11 / 34) * 100, 10);
    expect(r.caps_score).toBe(0);
  });

  it('scores a positive example', () => {
    const r = applyProfile(hb, verdicts(hb, ['c1', 'c2', 'c5', 'c6']), 'healthbench');
    expect(r.raw).toBe(19); // 10 + 9 + 8 - 8
    expect(r.score).toBeCloseTo((19 / 34) * 100, 10);
    expect(r.caps_score).toBeCloseTo((19 / 34) * 100, 10);
  });

  it('restricts both sums to an axis; an axis with no positive points has no score', () => {
    const byAxis = applyProfileByTag(hb, verdicts(hb, ['c1', 'c3', 'c4']), 'healthbench');
    expect([...byAxis.keys()]).toEqual(['axis:accuracy', 'axis:completeness', 'axis:context_awareness']);
    expect(byAxis.get('axis:completeness')!.score).toBeCloseTo((10 / 27) * 100, 10);
    expect(byAxis.get('axis:context_awareness')!.score).toBe(100);
    const accuracy = byAxis.get('axis:accuracy')!;
    expect(accuracy.max).toBe(0);
    expect(accuracy.raw).toBe(-10);
    expect(accuracy.score).toBeNull();
    expect(accuracy.status).toBe('complete');
  });
});

// ---------------------------------------------------------------------------------------
// Properties over random rubrics and verdicts

const entryArb = fc.oneof(
  fc.record({ kind: fc.constant('point' as const), score: fc.integer({ min: 1, max: 10 }), critical: fc.boolean(), missPenalty: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ kind: fc.constant('deduction' as const), score: fc.integer({ min: -10, max: -1 }), veto: fc.boolean(), safety: fc.boolean() }),
  fc.constant({ kind: 'zero' as const }),
  fc.constant({ kind: 'veto' as const }),
);
const rubricArb = fc
  .tuple(
    fc.integer({ min: 1, max: 10 }),
    fc.array(fc.tuple(entryArb, fc.boolean()), { minLength: 0, maxLength: 12 }),
  )
  .map(([firstPoint, rest]) => {
    const entries: ResolvedEntry[] = [point('e0', firstPoint)];
    const met = new Map<string, EntryVerdict>([['e0', { met: false, quotes: [] }]]);
    rest.forEach(([spec, isMet], i) => {
      const id = `e${i + 1}`;
      if (spec.kind === 'point') entries.push(point(id, spec.score, { critical: spec.critical, missPenalty: spec.critical ? spec.missPenalty : 0 }));
      else if (spec.kind === 'deduction') entries.push(deduction(id, spec.score, { veto: spec.veto, safety: spec.safety || spec.veto }));
      else if (spec.kind === 'zero') entries.push(zero(id));
      else entries.push(veto(id));
      met.set(id, { met: isMet, quotes: [] });
    });
    return { entries, met };
  });
const profileArb = fc.constantFrom('caps' as const, 'gaps' as const, 'healthbench' as const);

describe('arithmetic properties', () => {
  it('caps scores and every caps view stay within 0..100', () => {
    fc.assert(
      fc.property(rubricArb, profileArb, ({ entries, met }, profile) => {
        const r = applyProfile(entries, met, profile);
        expect(r.caps_score).not.toBeNull();
        expect(r.caps_score!).toBeGreaterThanOrEqual(0);
        expect(r.caps_score!).toBeLessThanOrEqual(100);
        if (profile !== 'healthbench') expect(r.score!).toBeGreaterThanOrEqual(0);
        expect(r.score!).toBeLessThanOrEqual(100);
        expect([...r.contributions.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(r.raw, 10);
      }),
    );
  });

  it('adding a met deduction never raises the score', () => {
    fc.assert(
      fc.property(rubricArb, profileArb, fc.integer({ min: -10, max: -1 }), ({ entries, met }, profile, s) => {
        const before = applyProfile(entries, met, profile);
        const extra = deduction('extra', s);
        const after = applyProfile([...entries, extra], new Map([...met, ['extra', { met: true, quotes: [] }]]), profile);
        expect(after.score!).toBeLessThanOrEqual(before.score!);
        expect(after.caps_score!).toBeLessThanOrEqual(before.caps_score!);
      }),
    );
  });

  it('a veto always zeroes the caps view and is listed as a safety failure', () => {
    fc.assert(
      fc.property(rubricArb, profileArb, ({ entries, met }, profile) => {
        const r = applyProfile([...entries, veto('fatal')], new Map([...met, ['fatal', { met: true, quotes: ['q'] }]]), profile);
        expect(r.caps_score).toBe(0);
        if (profile === 'caps') expect(r.score).toBe(0);
        expect(r.vetoed_by).toContain('fatal');
        expect(r.safety).toContainEqual({ entry: 'fatal', kind: 'veto', text: 'fatal', quotes: ['q'] });
      }),
    );
  });

  it('meeting one more point never lowers the score', () => {
    fc.assert(
      fc.property(rubricArb, profileArb, ({ entries, met }, profile) => {
        const before = applyProfile(entries, met, profile);
        const after = applyProfile(entries, new Map([...met, ['e0', { met: true, quotes: [] }]]), profile);
        expect(after.score!).toBeGreaterThanOrEqual(before.score!);
      }),
    );
  });
});

describe('scoreEntries (verdicts by position)', () => {
  /** What applyProfile gives when the verdicts are keyed by id, the last of an id standing for all its entries. */
  function byId(entries: ResolvedEntry[], verdicts: EntryVerdict[], profile: 'caps' | 'gaps' | 'healthbench') {
    const { contributions, ...score } = applyProfile(entries, new Map(entries.map((e, i) => [e.id, verdicts[i]])), profile);
    return { ...score, points: entries.map((e) => contributions.get(e.id)!) };
  }

  it('scores repeated ids (a draft item) as applyProfile does: a point and a deduction named x', () => {
    const entries = [point('x', 5), deduction('x', -5), point('y', 5)];
    const verdicts: EntryVerdict[] = [
      { met: true, quotes: ['q'] },
      { met: false, quotes: [] },
      { met: false, quotes: [] },
    ];
    const positional = scoreEntries(entries, verdicts, 'caps');
    expect(positional).toEqual(byId(entries, verdicts, 'caps'));
    expect(positional.raw).toBe(0);
    expect(positional.points).toEqual([0, 0, 0]);
  });

  it('agrees with applyProfile on random rubrics whose ids repeat', () => {
    fc.assert(
      fc.property(rubricArb, profileArb, fc.array(fc.nat(), { maxLength: 6 }), fc.array(fc.constantFrom(true, false, null), { maxLength: 20 }), ({ entries }, profile, renames, mets) => {
        // Some entries take the id of another, anywhere in the rubric.
        const renamed = entries.map((e) => ({ ...e }));
        renames.forEach((r, i) => (renamed[r % renamed.length].id = renamed[(r + i + 1) % renamed.length].id));
        const verdicts = renamed.map((e, i): EntryVerdict => ({ met: mets[i] ?? i % 2 === 0, quotes: [`quote ${i}`] }));
        expect(scoreEntries(renamed, verdicts, profile)).toEqual(byId(renamed, verdicts, profile));
      }),
    );
  });
});
