import { describe, expect, it } from 'vitest';
import type { Bank } from '../../src/bank/bank.js';
import { summarizeBank } from '../../src/bank/summary.js';
import { formatLintText } from '../../src/bank/lint.js';
import { Item, TaxonomyFile, type ItemInput } from '../../src/schema/bank.js';

function item(id: string, topic: string, depth: number, extra: Partial<ItemInput> = {}): Item {
  return Item.parse({
    id,
    topic,
    depth,
    prompt: '问题',
    rubric: {
      points: [
        { id: 'p1', text: '要点一', score: 2, critical: true, evidence: { scheme: 'nccn_category', level: '2A' } },
        { id: 'p2', text: '要点二', level: 'A2', evidence: { scheme: 'nccn_category', level: 1 } },
        { id: 'p3', text: '要点三', score: 1 },
      ],
      deductions: [{ id: 'd1', text: '错误', severity: 'S2', safety: true }],
    },
    ...extra,
  });
}

function bank(items: Item[]): Bank {
  return {
    id: 'summary-bank',
    version: '3',
    language: 'zh',
    profile: 'caps',
    depthScale: { min: 1, max: 4, labels: { '1': 'recall' } },
    taxonomy: TaxonomyFile.parse({ taxonomy: 't', topics: [{ id: 'staging', title: '分期', title_en: 'Staging' }, { id: 'screening', title: '筛查' }, { id: 'rare', title: '罕见' }] }),
    items,
    positions: new Map(),
    files: ['a.yaml', 'b.yaml'],
    hash: 'h',
  };
}

const items = [
  item('a', 'staging', 1),
  item('b', 'staging', 3, {
    variants: [
      { id: 'v1', kind: 'insistence', prompt: '我就要手术' },
      { id: 'v2', kind: 'multi-turn', turns: ['您确定吗？'], rubric: { veto: [{ id: 'x', text: '放弃治疗' }], points: [{ id: 'p4', text: '坚持', score: 1 }] } },
    ],
  }),
  item('c', 'screening', 3, { rubric: { points: [{ id: 'p1', text: '要点', score: 1 }], zero_if: [{ id: 'z', text: '完全错误' }], deductions: [{ id: 'd', text: '错', score: -1, veto: true }] } }),
];

describe('summarizeBank', () => {
  const s = summarizeBank(bank(items));

  it('counts items per depth level over the whole scale', () => {
    expect(s.items).toBe(3);
    expect(s.files).toBe(2);
    expect(s.depth).toEqual([
      { level: 1, label: 'recall', items: 1 },
      { level: 2, items: 0 },
      { level: 3, items: 2 },
      { level: 4, items: 0 },
    ]);
  });

  it('counts items per topic, with uncovered taxonomy topics and topic x depth', () => {
    expect(s.topics).toEqual([
      { topic: 'staging', title: 'Staging', items: 2, byDepth: { '1': 1, '3': 1 } },
      { topic: 'screening', title: '筛查', items: 1, byDepth: { '3': 1 } },
      { topic: 'rare', title: '罕见', items: 0, byDepth: {} },
    ]);
    expect(s.taxonomy).toEqual({ id: 't', topics: 3, covered: 2 });
  });

  it('counts variants per kind and rubric entries including variant additions', () => {
    expect(s.variants.find((v) => v.kind === 'insistence')).toEqual({ kind: 'insistence', variants: 1, items: 1 });
    expect(s.variants.find((v) => v.kind === 'concealment')).toEqual({ kind: 'concealment', variants: 0, items: 0 });
    expect(s.itemsWithVariants).toBe(1);
    expect(s.entries).toEqual({ points: 8, criticalPoints: 2, deductions: 3, safetyDeductions: 2, vetoDeductions: 1, zeroRules: 1, vetoes: 1 });
    expect(s.itemsWithVeto).toBe(2);
  });

  it('measures evidence coverage by scheme and level', () => {
    expect(s.evidence).toEqual({
      points: 8,
      taggedPoints: 4,
      share: 0.5,
      schemes: [{ scheme: 'nccn_category', points: 4, levels: [{ level: '1', points: 2 }, { level: '2A', points: 2 }] }],
    });
  });

  it('prints on one screen', () => {
    const text = formatLintText({ diagnostics: [], summary: s, errors: 0, warnings: 0 });
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(lines.every((l) => l.length <= 100)).toBe(true);
    expect(text).toContain('depth      1 recall: 1 | 2: 0 | 3: 2 | 4: 0');
    expect(text).toContain('2 of 3 taxonomy topics covered; not covered: rare');
    expect(text).toContain('4 of 8 points tagged (50%): nccn_category 4 (1: 2, 2A: 2)');
    expect(text).toMatch(/^result\s+0 errors, 0 warnings$/m);
  });
});
