import { describe, expect, it } from 'vitest';
import { normalizeWithOrigin } from '../../src/matching/normalize.js';
import { foldTraditional } from '../../src/matching/fold.js';
import { evaluateMatch } from '../../src/matching/matcher.js';

describe('traditional to simplified folding', () => {
  it.each([
    ['腫瘤', '肿瘤'],
    ['檢測', '检测'],
    ['術後', '术后'],
    ['劑量', '剂量'],
    ['鞏固治療', '巩固治疗'],
  ])('%s folds to %s', (traditional, simplified) => {
    expect(normalizeWithOrigin(traditional).text).toBe(simplified);
  });

  it('keeps every origin, so quotes point into the text as written', () => {
    const raw = 'PD-L1 檢測： 腫瘤 ＴＰＳ 50%';
    const { text, origin } = normalizeWithOrigin(raw);
    expect(text).toBe('pd-l1 检测: 肿瘤 tps 50%');
    const at = text.indexOf('肿瘤');
    expect(raw.slice(origin[at], origin[at + 2])).toBe('腫瘤');
    expect(origin).toHaveLength(text.length + 1);
  });

  it('folds every Chinese run of a text, one text after another, and leaves a text without any as it is', () => {
    const english = normalizeWithOrigin('No Chinese here: 50 mg.');
    expect(foldTraditional(english)).toBe(english);
    const mixed = '腫瘤 PD-L1 檢測，術後 dose 劑量。';
    for (let round = 0; round < 3; round++) {
      expect(normalizeWithOrigin(mixed).text).toBe('肿瘤 pd-l1 检测,术后 dose 剂量。');
      expect(normalizeWithOrigin('檢測').text).toBe('检测');
    }
  });

  it('matches simplified phrases in traditional answers and the other way round, quoting the original', () => {
    const outcome = evaluateMatch({ all: ['术后', '剂量'], unless_negated: true }, '術後化療劑量需調整。');
    expect(outcome.met).toBe(true);
    expect(outcome.quotes).toEqual(['術後化療劑量需調整。']);
    expect(evaluateMatch({ any: ['腫瘤'], unless_negated: true }, '肿瘤').met).toBe(true);
  });

  it('leaves simplified text and Latin text untouched', () => {
    const raw = '建议先行新辅助治疗 then restaging.';
    expect(normalizeWithOrigin(raw).text).toBe('建议先行新辅助治疗 then restaging.');
  });
});
