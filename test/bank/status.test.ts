import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintBank } from '../../src/bank/lint.js';
import { loadBank } from '../../src/bank/load.js';
import { planRun, parseStatuses } from '../../src/runner/plan.js';
import { UserError } from '../../src/errors.js';
import { itemYaml, writeTree } from './temp-tree.js';

const header = `bank: status-bank
version: 1
items:
`;
const status = (s: string) => ({ extra: `    status: ${s}\n` });
const endpoint = { name: 'e', baseURL: 'http://127.0.0.1:1/v1', model: 'm' } as never;

describe('item statuses', () => {
  it('are counted by lint; caps run asks admitted items by default, --status chooses', async () => {
    const root = writeTree({
      'b.yaml': header + itemYaml('a1', status('admitted')) + itemYaml('a2', status('admitted')) + itemYaml('d1', status('draft')) + itemYaml('r1', status('in-review')) + itemYaml('x1', status('retired')),
    });
    const report = await lintBank([root]);
    expect(report.errors + report.warnings).toBe(0);
    expect(report.summary?.statuses).toEqual({ draft: 1, 'in-review': 1, admitted: 2, retired: 1, unset: 0 });
    const { bank } = await loadBank([root]);
    const asked = (statuses?: ReturnType<typeof parseStatuses>) => planRun(bank!, [endpoint], 1, { statuses }).dialogues.map((d) => d.item.id);
    expect(asked()).toEqual(['a1', 'a2']);
    expect(asked(parseStatuses('draft,in-review'))).toEqual(['d1', 'r1']);
    expect(asked(parseStatuses('all'))).toEqual(['a1', 'a2', 'd1', 'r1', 'x1']);
    expect(() => parseStatuses('approved')).toThrow(/"approved" is not a status/);
    expect(() => planRun(bank!, [endpoint], 1, { items: ['d1'] })).toThrow(/item "d1" is draft.*--status draft/);
  });

  it('a bank without statuses is asked whole; the status line is left out of the summary', async () => {
    const root = writeTree({ 'b.yaml': header + itemYaml('a1') + itemYaml('a2') });
    const report = await lintBank([root]);
    expect(report.summary?.statuses).toBeUndefined();
    const { bank } = await loadBank([root]);
    expect(planRun(bank!, [endpoint], 1).counts.items).toBe(2);
  });

  it('warns about an item without a status once the bank records statuses, and refuses a run with no admitted item', async () => {
    const root = writeTree({ 'b.yaml': header + itemYaml('d1', status('draft')) + itemYaml('n1') });
    const report = await lintBank([root]);
    expect(report.diagnostics.map((d) => [d.item, d.code, d.severity])).toEqual([['n1', 'missing-status', 'warning']]);
    const { bank } = await loadBank([root]);
    expect(() => planRun(bank!, [endpoint], 1)).toThrow(UserError);
    expect(() => planRun(bank!, [endpoint], 1)).toThrow(/no item of bank status-bank has status admitted \(it has 1 draft, 1 without a status\)/);
  });

  it('lists the problems of a draft as warnings with the same codes and messages, but keeps them errors once the item is in review', async () => {
    const broken = `    rubric:
      points:
        - { id: p, text: 要点, score: 2, match: { any: [增强CT] }, examples: { hit: [不相关的句子], miss: [无] } }
`;
    const item = (id: string, s: string) => `  - id: ${id}\n    topic: staging\n    depth: 9\n    status: ${s}\n    prompt: 问题？\n${broken}`;
    const draft = await lintBank([writeTree({ 'b.yaml': header + item('d1', 'draft') })]);
    const review = await lintBank([writeTree({ 'b.yaml': header + item('d1', 'in-review') })]);
    expect(draft.errors).toBe(0);
    expect(review.errors).toBe(2);
    const strip = (d: { code: string; message: string; line: number }) => [d.code, d.message, d.line];
    expect(draft.diagnostics.filter((d) => d.code !== 'draft-has-errors').map(strip)).toEqual(review.diagnostics.map(strip));
    expect(draft.diagnostics.find((d) => d.code === 'draft-has-errors')?.message).toMatch(/^this draft has 2 problems that would be errors/);
  });

  it('a draft with a duplicate item id is still an error: ids are keys across the whole bank', async () => {
    const root = writeTree({ 'b.yaml': header + itemYaml('a1', status('admitted')) + itemYaml('a1', status('draft')) });
    const report = await lintBank([root]);
    expect(report.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['duplicate-item-id']);
  });

  it('refuses an admitted item a model drafted unless a review round admitted it', async () => {
    const drafted = (s: string) => ({ extra: `    status: ${s}\n    source: drafted by some-model\n` });
    const root = writeTree({ 'b.yaml': header + itemYaml('a1', status('admitted')) + itemYaml('m1', drafted('admitted')) + itemYaml('m2', drafted('draft')) });
    const report = await lintBank([root]);
    expect(report.diagnostics.map((d) => [d.item, d.code, d.severity])).toEqual([['m1', 'drafted-not-reviewed', 'error']]);
    expect(report.diagnostics[0].message).toMatch(/drafted by a model and is marked admitted, but there is no review history \(.*review-history\.jsonl\)/);

    // A history whose round admitted m1 satisfies the rule.
    const at = '2026-01-01T00:00:00.000Z';
    const events = [
      { v: 1, type: 'round-opened', at, round: 1, by: 'c', bank: 'status-bank', threshold: 0.05, items: [{ item: 'm1', authors: [], reviewers: ['r'] }] },
      { v: 1, type: 'decision', at, round: 1, item: 'm1', reviewer: 'r', decision: 'accept', comments: [] },
      { v: 1, type: 'round-closed', at, round: 1, by: 'c' },
    ];
    writeFileSync(join(root, 'review-history.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    expect((await lintBank([root])).diagnostics).toEqual([]);
    writeFileSync(join(root, 'review-history.jsonl'), events.slice(0, 2).map((e) => JSON.stringify(e)).join('\n') + '\n');
    expect((await lintBank([root])).diagnostics.map((d) => d.code)).toEqual(['drafted-not-reviewed']);
    writeFileSync(join(root, 'review-history.jsonl'), 'not json\n');
    expect((await lintBank([root])).diagnostics.map((d) => [d.code, d.line])).toEqual([['review-history-invalid', 1]]);
  });

  it('the review status does not change the bank hash', async () => {
    const a = await loadBank([writeTree({ 'b.yaml': header + itemYaml('a1', status('draft')) })]);
    const b = await loadBank([writeTree({ 'b.yaml': header + itemYaml('a1', status('admitted')) })]);
    expect(a.bank!.hash).toBe(b.bank!.hash);
  });

  it('the review policy is read from the bank header', async () => {
    const root = writeTree({ 'b.yaml': header.replace('items:', 'review: { revision_threshold: 0.1 }\nitems:') + itemYaml('a1') });
    const { bank, diagnostics } = await loadBank([join(root, 'b.yaml')]);
    expect(diagnostics).toEqual([]);
    expect(bank!.review).toEqual({ revision_threshold: 0.1, reviewers_per_item: 2 });
  });
});
