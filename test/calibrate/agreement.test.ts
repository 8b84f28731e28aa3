import { describe, expect, it } from 'vitest';
import {
  bootstrapInterval,
  cohenKappa,
  gwetAC1,
  krippendorffAlphaNominal,
  macroF1,
  percentAgreement,
  type RatedPair,
} from '../../src/analysis/agreement.js';

function pairs(counts: { tt: number; tf: number; ft: number; ff: number }): RatedPair[] {
  const out: RatedPair[] = [];
  const push = (n: number, expected: boolean, observed: boolean) => {
    for (let i = 0; i < n; i++) out.push({ expected, observed });
  };
  push(counts.tt, true, true);
  push(counts.tf, true, false);
  push(counts.ft, false, true);
  push(counts.ff, false, false);
  return out;
}

describe('agreement statistics (hand-computed)', () => {
  // 10 units: expert met 5, judge met 6, 7 agreements.
  const sample = pairs({ tt: 4, tf: 1, ft: 2, ff: 3 });

  it('percent agreement and Cohen kappa', () => {
    expect(percentAgreement(sample)).toBeCloseTo(0.7, 12);
    // chance = 0.5*0.6 + 0.5*0.4 = 0.5 -> (0.7-0.5)/0.5
    expect(cohenKappa(sample)).toBeCloseTo(0.4, 12);
  });

  it('Gwet AC1', () => {
    // prevalence 0.55 -> chance 2*0.55*0.45 = 0.495 -> 0.205/0.505
    expect(gwetAC1(sample)).toBeCloseTo(0.205 / 0.505, 12);
  });

  it('macro-F1 over met and not met', () => {
    // met: tp 4, fp 2, fn 1 -> 8/11; not met: tp 3, fp 1, fn 2 -> 6/9
    expect(macroF1(sample)).toBeCloseTo((8 / 11 + 6 / 9) / 2, 12);
  });

  it('is undefined rather than invented when chance agreement is total', () => {
    const allMet = pairs({ tt: 5, tf: 0, ft: 0, ff: 0 });
    expect(cohenKappa(allMet)).toBeNull();
    expect(gwetAC1(allMet)).toBeCloseTo(1, 12);
    expect(macroF1(allMet)).toBe(1);
    expect(cohenKappa([])).toBeNull();
  });

  it('kappa paradox: AC1 stays high when nearly everything is not met', () => {
    const rare = pairs({ tt: 0, tf: 1, ft: 1, ff: 18 });
    expect(cohenKappa(rare)).toBeCloseTo((0.9 - (0.05 * 0.05 + 0.95 * 0.95)) / (1 - (0.05 * 0.05 + 0.95 * 0.95)), 12);
    expect(cohenKappa(rare)!).toBeLessThan(0);
    expect(gwetAC1(rare)!).toBeGreaterThan(0.8);
  });

  it('Krippendorff alpha (nominal), two raters and missing values', () => {
    // o_aa = 4, o_ab = o_ba = 1, o_bb = 2; n_a = 5, n_b = 3, n = 8 -> 1 - 7*2/30
    expect(krippendorffAlphaNominal([['a', 'a'], ['a', 'b'], ['b', 'b'], ['a', 'a']])).toBeCloseTo(1 - 14 / 30, 12);
    // a unit with one value is not pairable and does not change the result
    expect(krippendorffAlphaNominal([['a', 'a'], ['a', 'b'], ['b', 'b'], ['a', 'a'], ['b']])).toBeCloseTo(1 - 14 / 30, 12);
    // three raters: [a,a,b] gives o_aa 1, o_ab 1, o_ba 1; with [b,b,b] o_bb 3 -> n_a 2, n_b 4, n 6
    // alpha = 1 - 5*2 / (2*2*4) = 1 - 10/16
    expect(krippendorffAlphaNominal([[true, true, false], [false, false, false]])).toBeCloseTo(1 - 10 / 16, 12);
    expect(krippendorffAlphaNominal([['a', 'a'], ['a', 'a']])).toBeNull();
  });

  it('seeded bootstrap intervals are reproducible and bracket the estimate', () => {
    const a = bootstrapInterval(sample, cohenKappa, { seed: 7, resamples: 500 });
    const b = bootstrapInterval(sample, cohenKappa, { seed: 7, resamples: 500 });
    expect(a).toEqual(b);
    const large = pairs({ tt: 40, tf: 13, ft: 17, ff: 30 });
    expect(bootstrapInterval(large, percentAgreement, { seed: 1 })).not.toEqual(bootstrapInterval(large, percentAgreement, { seed: 2 }));
    expect(a!.low).toBeLessThanOrEqual(0.4);
    expect(a!.high).toBeGreaterThanOrEqual(0.4);
    expect(bootstrapInterval([], cohenKappa, { seed: 1 })).toBeNull();
  });
});
