import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MATCHER_VERSION,
  evaluateMatch,
  matchSpecProblems,
  normalizeForMatch,
  prepareAnswer,
  sentencesOf,
} from '../../src/matching/matcher.js';
import { MatchSpec, type MatchSpecInput } from '../../src/schema/bank.js';
import { UserError } from '../../src/errors.js';

type Row = [name: string, spec: MatchSpecInput, answer: string, met: boolean, detail?: RegExp];

const chinese: Row[] = [
  ['any: one phrase present', { any: ['新辅助', '诱导治疗'] }, '建议先行新辅助化疗联合免疫治疗，再评估手术。', true, /found "新辅助" in sentence 1/],
  ['any: none present', { any: ['新辅助', '诱导治疗'] }, '建议尽快手术切除。', false, /none of 新辅助, 诱导治疗 found/],
  ['negated by 不建议', { any: ['直接手术'] }, '不建议直接手术，应先行新辅助治疗。', false, /"直接手术" found but negated by "不建议"/],
  ['negated by 避免', { any: ['手术'] }, '应避免手术。', false, /negated by "避免"/],
  ['negated by 没有', { any: ['淋巴结转移'] }, '目前没有淋巴结转移的证据。', false, /negated by "没有"/],
  ['negated by 无需', { any: ['化疗'] }, '术后无需化疗。', false, /negated by "无需"/],
  ['negated by 禁止', { any: ['吸烟'] }, '禁止吸烟。', false],
  ['negated by 未', { any: ['转移'] }, '未见转移。', false],
  ['negated by 而非', { any: ['直接手术'] }, '先诱导治疗而非直接手术。', false, /negated by "而非"/],
  ['a rejecting cue reaches to the end of its clause', { any: ['手术'] }, '不建议现在就做化疗以外的其他任何治疗或手术', false],
  ['a plain 没 stays within its window', { any: ['手术'] }, '没有做过化疗以外的其他任何治疗就去手术', true],
  ['window widened', { any: ['手术'], window: 20 }, '不建议现在就做化疗以外的其他任何治疗或手术', false],
  ['negation stops at a comma', { any: ['手术'] }, '不建议化疗，手术', true],
  ['negation stops at a full-width semicolon', { any: ['手术'] }, '不宜观察；手术', true],
  ['contrast 而是 starts a new clause', { any: ['手术'] }, '不是化疗而是手术。', true],
  ['double negation', { any: ['手术'] }, '这种情况不能不手术。', true],
  ['double negation with 排除', { any: ['恶性'] }, '不能排除恶性。', true],
  ['排除 negates', { any: ['恶性'] }, '已排除恶性。', false],
  ['无进展 is a term, not a cue', { any: ['生存'] }, '可延长无进展生存期。', true],
  ['未进展 is a term, not a cue', { any: ['度伐利尤单抗'] }, '同步放化疗后未进展者给予度伐利尤单抗巩固。', true],
  ['不同意 negates what follows', { any: ['直接手术'] }, '我不同意直接手术。', false, /negated by "不同意"/],
  ['不同 stays a term', { any: ['手术'] }, '不同分期的手术方式不同。', true],
  ['occurrence inside 无进展 does not count', { any: ['进展'] }, '可延长无进展生存期。', false, /found only inside "无进展"/],
  ['小细胞肺癌 inside 非小细胞肺癌', { any: ['小细胞肺癌'] }, '诊断为非小细胞肺癌。', false],
  ['非小细胞肺癌 itself', { any: ['非小细胞肺癌'] }, '诊断为非小细胞肺癌。', true],
  ['不仅 is not a negation', { any: ['免疫治疗'] }, '不仅化疗，还要免疫治疗。', true],
  ['不仅 directly before', { any: ['化疗'] }, '不仅化疗有效。', true],
  ['不良 is not a negation', { any: ['反应'] }, '注意不良反应。', true],
  ['非常 is not a negation', { any: ['重要'] }, '分期非常重要。', true],
  ['phrase containing the negation is matched literally', { any: ['不建议手术'] }, '不建议手术。', true],
  ['phrase with negation absent', { any: ['不建议手术'] }, '建议手术。', false],
  ['spaces between Chinese characters are ignored', { any: ['新辅助治疗'] }, '新 辅助 治疗', true],
  ['unless_negated: false matches the negated phrase', { any: ['直接手术'], unless_negated: false }, '不建议直接手术。', true],
  ['all: every group present', { all: ['新辅助', ['再分期', '重新评估']] }, '先新辅助治疗。两周期后重新评估。', true, /"新辅助" in sentence 1, "重新评估" in sentence 2/],
  ['all: one group missing', { all: ['新辅助', ['再分期', '重新评估']] }, '先新辅助治疗。', false, /missing one of 再分期, 重新评估/],
  ['all: single phrase missing', { all: ['新辅助', '再分期'] }, '先新辅助治疗。', false, /missing "再分期"/],
  ['all: one negated', { all: ['新辅助', '手术'] }, '新辅助治疗后不手术。', false, /"手术" found but negated by "不"/],
  ['none: excluded phrase present', { any: ['手术'], none: ['放弃治疗'] }, '建议手术或放弃治疗。', false, /excluded "放弃治疗" in sentence 1/],
  ['none: excluded phrase negated', { any: ['手术'], none: ['放弃治疗'] }, '建议手术，不建议放弃治疗。', true],
  ['full-width digits and letters', { any: ['PD-L1'] }, '检测ＰＤ－Ｌ１表达。', true],
  ['regex on normalised text', { regex: String.raw`\d+\s*mg` }, '剂量８０ｍｇ每日一次。', true, /\/\\d\+\\s\*mg\/ \("８０ｍｇ"\) in sentence 1/],
  ['regex negated', { regex: '直接.{0,2}手术' }, '不建议直接行手术。', false],
  ['any and regex combine with AND', { any: ['奥希替尼'], regex: String.raw`\d+\s*mg` }, '奥希替尼口服。', false, /no match for/],
  ['verdict after the phrase: 不推荐', { any: ['直接手术'] }, '直接手术是不推荐的。', false, /negated by "不推荐"/],
  ['verdict after the phrase: 并非首选', { any: ['直接手术'] }, '直接手术目前并非首选。', false],
  ['a cue before and a verdict after cancel out', { any: ['直接手术'] }, '我们不认为直接手术是错误的。', true],
  ['a plain 不 after the phrase is no verdict', { any: ['手术'] }, '手术不宜推迟。', true],
  ['禁忌证 is a noun, not a verdict', { any: ['手术'] }, '先评估手术禁忌证。', true],
  ['有无 asks a question, it does not negate', { any: ['纵隔淋巴结转移'] }, '需评估有无纵隔淋巴结转移。', true],
  ['无效 is a term', { any: ['免疫治疗'] }, '化疗无效者改用免疫治疗。', true],
  ['无症状 negates only 症状', { any: ['脑转移'] }, '无症状脑转移可先行靶向治疗。', true],
  ['症状 inside 无症状 is not an occurrence', { any: ['症状'] }, '无症状脑转移。', false],
  ['联合或不联合 is not a negation', { any: ['免疫治疗'] }, '化疗联合或不联合免疫治疗。', true],
  ['是否 is not a negation', { any: ['手术'] }, '化疗后再评估是否手术。', true],
  // Polarity: fixed expressions that affirm, rejections, warnings, and what is not asserted.
  ['毫不犹豫 affirms', { any: ['直接手术'] }, '毫不犹豫建议直接手术。', true],
  ['不妨 affirms', { any: ['直接手术'] }, '不妨直接手术。', true],
  ['不失为 affirms', { any: ['直接手术'] }, '直接手术不失为一种选择。', true],
  ['不得不 affirms', { any: ['化疗'] }, '不得不先化疗。', true],
  ['不但 affirms', { any: ['免疫治疗'] }, '不但要化疗，还要免疫治疗。', true],
  ['无不 affirms', { any: ['推荐'] }, '各指南无不推荐。', true],
  ['不要延误 governs the delay, not the surgery', { any: ['手术'] }, '不要延误手术。', true],
  ['避免拖延 governs the delay', { any: ['手术'] }, '应避免拖延手术。', true],
  ['不要等 still negates a phrase that is the waiting', { any: ['等培养结果'] }, '不要等培养结果。', false],
  ['并非 ... 最佳选择 after the phrase', { any: ['单纯化疗'] }, '单纯化疗并非本例的最佳选择。', false, /negated by "[^"]*非本例的最佳/],
  ['是错误的 after the phrase', { any: ['直接手术'] }, '直接手术是错误的。', false],
  ['是一个严重错误 after the phrase', { any: ['直接手术'] }, '直接手术是一个严重错误。', false],
  ['切忌 before the phrase', { any: ['放弃治疗'] }, '切忌放弃治疗。', false],
  ['禁用 after the phrase', { any: ['贝伐珠单抗'] }, '贝伐珠单抗禁用于鳞癌。', false],
  ['不应 after the phrase', { any: ['直接手术'] }, '直接手术不应作为首选。', false],
  ['不宜推迟 keeps the phrase', { any: ['手术'] }, '手术不宜推迟。', true],
  ['a verdict in a previous clause does not hang over the next', { regex: '(打)(哌替啶|杜冷丁)' }, '哌替啶禁用，可以打杜冷丁。', true],
  ['a negation in a regex gap', { regex: '建议[^。]{0,10}化疗' }, '建议不要单用化疗。', false],
  ['a rejecting cue far before a long phrase', { any: ['直接手术切除'] }, '我不建议在目前这种情况下直接手术切除。', false],
  ['a question does not assert', { any: ['直接手术'] }, '是否应该直接手术？', false, /asked, not asserted/],
  ['a hedge does not assert', { any: ['直接手术'] }, '我不确定是否应该直接手术。', false, /hedged/],
  ['a quotation of the rubric does not assert', { any: ['新辅助'] }, '评分标准提到：先行新辅助治疗；直接手术。我都不推荐。', false, /quotes the rubric/],
  ['a declined list does not assert', { any: ['新辅助'] }, '可选方案包括：新辅助治疗、直接手术、放疗。以上均不推荐。', false, /declined/],
  ['a clinical score is no rubric', { any: ['化疗'] }, 'ECOG评分1分，建议化疗。', true],
  ['a resolved hedge asserts its conclusion only', { all: ['单药'], none: ['联合化疗'] }, '我不确定能否耐受联合化疗，所以首选单药。', true],
  ['an answer after a question asserts', { any: ['新辅助'] }, '下一步怎么办？建议先行新辅助治疗。', true],
  ['traditional characters fold', { any: ['肿瘤', '术后'] }, '術後需要檢測腫瘤標誌物。', true],
  ['traditional phrase on simplified text', { any: ['劑量'] }, '调整剂量。', true],
];

const english: Row[] = [
  ['word boundary: no inside node', { any: ['no'] }, 'The node is enlarged.', false],
  ['word boundary: phrase in a longer word', { any: ['cat'] }, 'Education matters.', false],
  ['case folding', { any: ['Neoadjuvant'] }, 'NEOADJUVANT chemotherapy first.', true],
  ['plural tolerance', { any: ['biopsy'] }, 'Repeat biopsies are needed.', true],
  ['-ing form', { any: ['stage'] }, 'Complete staging with PET-CT.', true],
  ['-ed form', { any: ['resect'] }, 'The tumour was resected.', true],
  ['no inflection of short words', { any: ['ct'] }, 'CTs were done.', false],
  ['hyphen and space interchangeable', { any: ['PET CT'] }, 'Order a PET-CT.', true],
  ['hyphen optional', { any: ['PD-L1'] }, 'PDL1 is 80%.', true],
  ['negated by do not', { any: ['surgery'] }, 'We do not recommend surgery. Start chemotherapy.', false, /negated by "do not"/],
  ['negated by avoid', { any: ['surgery'] }, 'Avoid upfront surgery.', false, /negated by "avoid"/],
  ['negated by without', { any: ['radiotherapy'] }, 'Chemotherapy without radiotherapy.', false],
  ['negated by rather than', { any: ['surgery'] }, 'Induction therapy rather than surgery.', false],
  ['negated by contraindicated', { any: ['bevacizumab'] }, 'Contraindicated: bevacizumab.', false, /negated by "contraindicated"/],
  ['contraindicated in the same clause', { any: ['bevacizumab'] }, 'It is contraindicated to give bevacizumab here.', false],
  ["negated by don't", { any: ['operate'] }, 'Don’t operate now.', false],
  ['window is four words', { any: ['surgery'] }, 'Not the right moment for a quick surgery.', true],
  ['within four words', { any: ['surgery'] }, 'Never plan immediate surgery.', false],
  ['sentence end stops the window', { any: ['surgery'] }, 'Do not wait. Surgery now.', true],
  ['verdict after: is not recommended', { any: ['upfront surgery'] }, 'Upfront surgery is not recommended.', false, /negated by "not recommended"/],
  ['verdict after: should be avoided', { any: ['surgery'] }, 'Surgery should be avoided.', false],
  ["verdict after: isn't the best", { any: ['surgery'] }, "Surgery isn't the best option.", false],
  ['a verdict in the next clause does not count', { any: ['surgery'] }, 'Surgery, not chemotherapy, is recommended.', true],
  ['verdict after an adverb', { any: ['surgery'] }, 'Surgery alone is not recommended.', false],
  ['a verdict is a whole word', { any: ['surgery'] }, 'Surgery is not standardized.', true],
  ['not a verdict on the phrase', { any: ['surgery'] }, 'Surgery should not be delayed.', true],
  ['contrast but', { any: ['surgery'] }, 'Not chemotherapy but surgery.', true],
  ['not only', { any: ['surgery'] }, 'Not only surgery but also chemotherapy.', true],
  ['double negation', { any: ['treatment'] }, 'Never without treatment.', true],
  ['neither ... nor is one negation', { any: ['radiotherapy'] }, 'Neither surgery nor radiotherapy.', false],
  ['non- negates the word it prefixes', { any: ['squamous'] }, 'Pemetrexed is for non-squamous histology.', false, /negated by "non"/],
  ['non- negates only its own word', { any: ['EGFR mutation'] }, 'In non-smokers with EGFR mutation, test first.', true],
  ['with or without is not a negation', { any: ['immunotherapy'] }, 'Chemotherapy with or without immunotherapy.', true],
  ['no more than is not a negation', { any: ['chemotherapy'] }, 'Give no more than 4 cycles of chemotherapy.', true],
  ['small cell inside non-small cell', { any: ['small cell lung cancer'] }, 'A non-small cell lung cancer.', false, /found only inside "non-small"/],
  ['decimal point is not a clause end', { any: ['mg'] }, 'Give no 2.5 mg dose.', false],
  ['English phrase in a Chinese answer', { any: ['osimertinib'] }, '推荐Osimertinib一线治疗。', true],
  ['English phrase negated in a Chinese answer', { any: ['osimertinib'] }, '不推荐Osimertinib。', false],
  ['overlapping phrases are reported once', { any: ['durvalumab consolidation', 'durvalumab'] }, 'Durvalumab consolidation follows.', true, /^found "durvalumab consolidation" in sentence 1$/],
  ['quotes name the sentence', { any: ['restaging'] }, 'First, induction. Then restaging! Finally decide.', true, /in sentence 2/],
  ['do not delay governs the delay', { any: ['upfront surgery'] }, 'Do not delay upfront surgery.', true],
  ['would not hesitate governs the hesitation', { any: ['upfront surgery'] }, 'I would not hesitate to recommend upfront surgery.', true],
  ['do not wait still negates a phrase that is the waiting', { any: ['wait for culture results'] }, 'Do not wait for culture results.', false],
  ['a hanging negation across inserted clauses', { any: ['chemotherapy alone'] }, 'We would not, at this point and with these findings, recommend chemotherapy alone.', false],
  ['a hanging negation stops at the sentence end', { any: ['chemotherapy alone'] }, 'We would not, at this point. Chemotherapy alone is fine.', true],
  ['a negator governing recommend reaches far', { any: ['upfront surgery'] }, 'I do not think that in this particular situation upfront surgery is right.', false],
  ['a serious mistake after the phrase', { any: ['upfront surgery'] }, 'Upfront surgery would be a serious mistake.', false],
  ['is contraindicated after the phrase', { any: ['bevacizumab'] }, 'Bevacizumab is contraindicated here.', false],
  ['it would be a mistake to', { any: ['stop all treatment'] }, 'It would be a mistake to stop all treatment.', false],
  ['a question does not assert', { any: ['upfront surgery'] }, 'Should we go for upfront surgery?', false, /asked/],
  ['quoting the rubric does not assert', { any: ['neoadjuvant'] }, 'The rubric for this question mentions: neoadjuvant therapy; invasive staging. I recommend none of them.', false, /quotes the rubric/],
  ['a declined list does not assert', { any: ['neoadjuvant'] }, 'Options: neoadjuvant therapy, upfront surgery. I recommend none of them.', false, /declined/],
  ['an outright negation of a point text', { any: ['invasive mediastinal staging'] }, 'I do not recommend: invasive mediastinal staging.', false],
  ['tumour grading is not the grader', { any: ['biopsy'] }, 'Tumour grading needs a biopsy.', true],
];

describe('evaluateMatch', () => {
  it('has a version string', () => {
    expect(MATCHER_VERSION).toMatch(/^caps-matcher\/\d+\.\d+$/);
  });

  describe.each([
    ['Chinese', chinese],
    ['English', english],
  ])('%s', (_lang, rows) => {
    it.each(rows)('%s', (_name, spec, answer, met, detail) => {
      const outcome = evaluateMatch(spec, answer);
      expect(outcome.met, outcome.detail).toBe(met);
      if (detail) expect(outcome.detail).toMatch(detail);
      if (met) {
        expect(outcome.quotes.length).toBeGreaterThan(0);
        for (const q of outcome.quotes) expect(answer).toContain(q);
      } else expect(outcome.quotes).toEqual([]);
    });
  });

  it('quotes the full original sentences, in answer order, once each', () => {
    const answer = '患者为ⅢA期。建议先行新辅助化疗！两周期后再分期；再决定手术。新辅助方案首选含铂双药。';
    const outcome = evaluateMatch({ all: ['新辅助', '再分期'] }, answer);
    expect(outcome.quotes).toEqual(['建议先行新辅助化疗！', '两周期后再分期；', '新辅助方案首选含铂双药。']);
  });

  it('keeps the original full-width text in quotes', () => {
    const outcome = evaluateMatch({ any: ['egfr'] }, '建议检测ＥＧＦＲ突变。');
    expect(outcome.quotes).toEqual(['建议检测ＥＧＦＲ突变。']);
  });

  it('accepts a prepared answer and the parsed schema form', () => {
    const spec = MatchSpec.parse({ any: ['手术'] });
    const prepared = prepareAnswer('不建议手术。');
    expect(evaluateMatch(spec, prepared).met).toBe(false);
    expect(evaluateMatch({ ...spec, unless_negated: false }, prepared).met).toBe(true);
  });

  it('reports an invalid regular expression as a user error', () => {
    expect(() => evaluateMatch({ regex: '([' }, 'text')).toThrow(UserError);
    expect(matchSpecProblems({ regex: ['ok', '(['] })).toEqual([expect.stringMatching(/^regex \/\(\[\/ is not a valid regular expression/)]);
    expect(matchSpecProblems({ any: ['  '] })).toEqual(['phrase "  " is empty after normalisation']);
    expect(matchSpecProblems({ any: ['手术'], regex: '\\d+' })).toEqual([]);
  });
});

describe('normalizeForMatch and sentencesOf', () => {
  it('folds width, case, dashes and whitespace', () => {
    expect(normalizeForMatch('ＰＤ－Ｌ１　 Ｔ２Ｎ２Ｍ０')).toBe('pd-l1 t2n2m0');
    expect(normalizeForMatch('新 辅助  治疗\n\n下一步')).toBe('新辅助治疗\n下一步');
    expect(normalizeForMatch('Don’t  STOP')).toBe("don't stop");
    expect(normalizeForMatch('新辅\u200b助 neo\u00adadjuvant\ufeff')).toBe('新辅助 neoadjuvant');
  });

  it('splits Chinese and English sentences', () => {
    expect(sentencesOf('First. Second sentence! 第三句。第四句；line\nnext 2.5 mg. End')).toEqual([
      'First.',
      'Second sentence!',
      '第三句。',
      '第四句；',
      'line',
      'next 2.5 mg.',
      'End',
    ]);
    expect(sentencesOf('')).toEqual([]);
    expect(sentencesOf('治疗建议：\n1. 先行新辅助治疗。\n 2. 再分期')).toEqual(['治疗建议：', '1. 先行新辅助治疗。', '2. 再分期']);
    expect(sentencesOf('Use a TKI, e.g. osimertinib vs. gefitinib. Then stop.')).toEqual(['Use a TKI, e.g. osimertinib vs. gefitinib.', 'Then stop.']);
  });
});

// ---------------------------------------------------------------------------------------
// Properties

const toFullWidth = (s: string) =>
  [...s].map((c) => (c === ' ' ? '\u3000' : c >= '!' && c <= '~' ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join('');
/** Characters that are neither negation cues, contrast words nor clause ends. */
const SAFE_ZH = [...'患者肺癌建议化疗治疗评估影像检查结节胸部手术放疗靶向免疫分期复查随访病理基因'];
const SAFE_EN = ['patient', 'tumour', 'scan', 'lung', 'after', 'with', 'the', 'a', 'dose', 'plan', 'chemotherapy'];
const zhWord = fc.array(fc.constantFrom(...SAFE_ZH), { minLength: 2, maxLength: 5 }).map((a) => a.join(''));
const zhText = fc.array(fc.constantFrom(...SAFE_ZH, '，', '。'), { maxLength: 30 }).map((a) => a.join(''));
const enText = fc.array(fc.constantFrom(...SAFE_EN), { maxLength: 10 }).map((a) => a.join(' '));
const asciiText = fc.string({ unit: fc.constantFrom(...'abcdefgh ijk.,!?;-XYZ0123'.split('')), maxLength: 40 });
const asciiPhrase = fc.string({ unit: fc.constantFrom(...'abcdefgh-XYZ0123'.split('')), minLength: 1, maxLength: 6 });

describe('matcher properties', () => {
  it('full-width and half-width text are matched alike', () => {
    fc.assert(
      fc.property(asciiPhrase, asciiText, (phrase, text) => {
        const half = evaluateMatch({ any: [phrase] }, text);
        const full = evaluateMatch({ any: [phrase] }, toFullWidth(text));
        const fullPhrase = evaluateMatch({ any: [toFullWidth(phrase)] }, text);
        expect(full.met).toBe(half.met);
        expect(fullPhrase.met).toBe(half.met);
        expect(full.quotes.length).toBe(half.quotes.length);
      }),
    );
  });

  it('case does not matter', () => {
    fc.assert(
      fc.property(asciiPhrase, asciiText, (phrase, text) => {
        const lower = evaluateMatch({ any: [phrase] }, text.toLowerCase());
        expect(evaluateMatch({ any: [phrase.toUpperCase()] }, text.toUpperCase()).met).toBe(lower.met);
      }),
    );
  });

  it('a Chinese phrase is always found in a text built around it when no cue precedes', () => {
    fc.assert(
      fc.property(zhWord, zhText, zhText, (phrase, before, after) => {
        const answer = `${before}${phrase}${after}`;
        const outcome = evaluateMatch({ any: [phrase] }, answer);
        expect(outcome.met).toBe(true);
        expect(outcome.quotes.some((q) => q.includes(phrase) || answer.includes(q))).toBe(true);
      }),
    );
  });

  it('an English phrase is always found in a text built around it when no cue precedes', () => {
    fc.assert(
      fc.property(fc.constantFrom('neoadjuvant', 'PET-CT', 'osimertinib', 'SBRT'), enText, enText, (phrase, before, after) => {
        expect(evaluateMatch({ any: [phrase] }, `${before} ${phrase} ${after}.`).met).toBe(true);
      }),
    );
  });

  it('a cue right before the phrase negates it, two cues cancel out', () => {
    fc.assert(
      fc.property(zhWord, zhText, fc.constantFrom('不建议', '避免', '无需', '禁止', '不'), (phrase, before, cue) => {
        fc.pre(!before.includes(phrase));
        expect(evaluateMatch({ any: [phrase] }, `${before}。${cue}${phrase}`).met).toBe(false);
        expect(evaluateMatch({ any: [phrase] }, `${before}。${cue}${phrase}`).detail).toContain('negated');
        expect(evaluateMatch({ any: [phrase] }, `${before}。不能${cue}${phrase}`).met).toBe(true);
        expect(evaluateMatch({ any: [phrase], unless_negated: false }, `${cue}${phrase}`).met).toBe(true);
      }),
    );
  });

  it('an adjective of amount negated on its own is not a negation of what follows', () => {
    const spec = { regex: '(放弃|省略|跳过)[^。;,]{0,6}(基因|分子)', window: 12 };
    expect(evaluateMatch(spec, '组织不够就只能放弃基因检测。').met).toBe(true);
    expect(evaluateMatch(spec, '标本量不足，只好放弃分子检测。').met).toBe(true);
    expect(evaluateMatch({ any: ['直接手术'] }, '目前证据不足以支持直接手术。').met).toBe(false);
  });

  it('a negation inside a time clause does not cancel the warning around it', () => {
    expect(evaluateMatch({ any: ['停用所有抗肿瘤药物'] }, '切忌在未明确病理前停用所有抗肿瘤药物。').met).toBe(false);
    expect(evaluateMatch({ any: ['停用所有抗肿瘤药物'] }, '在没有病理结果之前，停用所有抗肿瘤药物。').met).toBe(true);
    // The time clause's own verb stays negated.
    expect(evaluateMatch({ any: ['明确病理'] }, '在未明确病理前不宜手术。').met).toBe(false);
  });

  it('never throws, and quotes are always sentences of the original answer', () => {
    const pieces = ['不', '建议', '手术', '新辅助', '无进展', '非小细胞', '，', '。', '；', 'ＡＢ', ' ', '\n', 'not ', 'surgery', 'no', '. ', 'but ', '\u200b', 'é', '不推荐'];
    const text = fc.array(fc.constantFrom(...pieces), { maxLength: 25 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, fc.constantFrom('手术', '新辅助', 'surgery', 'ab', '进展'), fc.boolean(), (answer, phrase, unlessNegated) => {
        const outcome = evaluateMatch({ any: [phrase], unless_negated: unlessNegated }, answer);
        expect(outcome.detail.length).toBeGreaterThan(0);
        if (outcome.met) {
          expect(outcome.quotes.length).toBeGreaterThan(0);
          for (const q of outcome.quotes) expect(sentencesOf(answer)).toContain(q);
        } else expect(outcome.quotes).toEqual([]);
        expect(evaluateMatch({ any: [phrase], unless_negated: unlessNegated }, prepareAnswer(answer))).toEqual(outcome);
      }),
    );
  });

  it('adding a none phrase never turns a miss into a hit', () => {
    fc.assert(
      fc.property(zhWord, zhWord, zhText, (phrase, excluded, text) => {
        const base = evaluateMatch({ any: [phrase] }, text);
        const withNone = evaluateMatch({ any: [phrase], none: [excluded] }, text);
        if (!base.met) expect(withNone.met).toBe(false);
      }),
    );
  });
});
