import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBank } from '../../src/bank/load.js';
import { evaluateMatch } from '../../src/matching/matcher.js';
import { buildVocabulary, expandMatch } from '../../src/matching/vocabulary.js';
import { writeTree } from './temp-tree.js';

const TERM = { id: 'durvalumab', names: ['durvalumab', '度伐利尤单抗'], brands: ['英飞凡', 'Imfinzi'], codes: ['MEDI4736'], abbreviations: ['DUR'] };

function bank(vocabulary: string, match: string, examples = '{ hit: [巩固治疗用英飞凡。, Consolidation with durvalumb.], miss: [观察随访。] }'): string {
  return writeTree({
    'bank/b.yaml': `bank: v
version: 1
depth_scale: { min: 1, max: 4 }
vocabulary:
${vocabulary}
items:
  - id: it-1
    topic: t
    depth: 2
    prompt: 放化疗后如何巩固？
    rubric:
      points:
        - { id: consolidation, text: 巩固免疫治疗, score: 2, match: ${match}, examples: ${examples} }
      deductions:
        - { id: none, text: 不治疗, score: -1, match: { any: [不治疗] } }
`,
  });
}

describe('vocabulary', () => {
  const vocabulary = buildVocabulary([TERM]);
  const spec = expandMatch({ any: ['@durvalumab'], unless_negated: true }, vocabulary);

  it.each([
    ['度伐利尤单抗巩固一年。', true],
    ['英飞凡巩固。', true],
    ['Start Imfinzi.', true],
    ['MEDI4736 consolidation.', true],
    ['DUR for 12 months.', true],
    ['durvalumb for a year (a typo in a long Latin name).', true],
    ['durvalumabs were given.', true],
    ['dur for 12 months', true],
    ['Nothing like that.', false],
    ['不建议英飞凡巩固。', false],
  ])('%s -> %s', (text, met) => {
    expect(evaluateMatch(spec, text).met).toBe(met);
  });

  it('tolerates no typo in short words and abbreviations', () => {
    const short = expandMatch({ any: ['@x'], unless_negated: true }, buildVocabulary([{ id: 'x', names: ['nivolum'], abbreviations: ['PD1'] }]));
    expect(evaluateMatch(short, 'nivolun').met).toBe(false);
    expect(evaluateMatch(short, 'PD2').met).toBe(false);
  });

  it('expands a reference inside an all: group', () => {
    const all = expandMatch({ all: ['@durvalumab', ['12个月', '一年']], unless_negated: true }, vocabulary);
    expect(evaluateMatch(all, '英飞凡巩固一年。').met).toBe(true);
  });

  it('loads a bank whose matchers refer to its vocabulary, and scores with the expansion', async () => {
    const root = bank(`  - { id: durvalumab, names: [durvalumab, 度伐利尤单抗], brands: [英飞凡] }`, `{ any: ['@durvalumab'] }`);
    const { bank: loaded, diagnostics } = await loadBank([join(root, 'bank')]);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(loaded!.items[0].rubric.points[0].match!.any).toEqual(['~durvalumab', '度伐利尤单抗', '英飞凡']);
  });

  it('reports an unknown term with a hint', async () => {
    const root = bank(`  - { id: durvalumab, names: [durvalumab] }`, `{ any: ['@durvalumap'] }`, '{ hit: [], miss: [] }');
    const { diagnostics } = await loadBank([join(root, 'bank')]);
    expect(diagnostics.find((d) => d.code === 'unknown-term')?.message).toMatch(/did you mean "@durvalumab"/);
  });

  it('warns when a matcher repeats a name the vocabulary defines', async () => {
    const root = bank(`  - { id: durvalumab, names: [durvalumab, 度伐利尤单抗], brands: [英飞凡] }`, `{ any: [英飞凡, durvalumab] }`, '{ hit: [英飞凡], miss: [观察] }');
    const { diagnostics } = await loadBank([join(root, 'bank')]);
    const warnings = diagnostics.filter((d) => d.code === 'vocabulary-repeated');
    expect(warnings).toHaveLength(2);
    expect(warnings[0].message).toMatch(/write "@durvalumab" instead/);
  });

  it('rejects a term defined twice and a name shared by two terms', async () => {
    const root = bank(
      `  - { id: durvalumab, names: [durvalumab] }\n  - { id: durvalumab, names: [度伐利尤单抗] }\n  - { id: other, names: [Durvalumab] }`,
      `{ any: ['@durvalumab'] }`,
      '{ hit: [durvalumab], miss: [观察] }',
    );
    const { diagnostics } = await loadBank([join(root, 'bank')]);
    expect(diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['duplicate-term', 'term-name-shared']));
  });
});
