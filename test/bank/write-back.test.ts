import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { lintBank } from '../../src/bank/lint.js';
import { loadBank } from '../../src/bank/load.js';
import { previewEdit, readSnapshot, replaceItemText, saveItem, setItemStatuses, type ItemData } from '../../src/bank/write-back.js';
import { tryAnswer } from '../../src/scorer/try-answer.js';
import { tryEdit } from '../../src/scorer/try-edit.js';
import { explainScore } from '../../src/scorer/explain.js';
import { resolveRubric } from '../../src/scorer/rubric.js';

const DEMO = join(import.meta.dirname, '../../questions/lung-cancer');

/** A copy of the demo bank to edit. */
function demoCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'caps-write-back-'));
  cpSync(DEMO, dir, { recursive: true });
  return dir;
}

function itemOf(text: string, id: string): ItemData {
  const items = (parseDocument(text).toJS() as { items: ItemData[] }).items;
  return structuredClone(items.find((i) => i.id === id)!);
}

/** Byte offsets where item `id` starts and ends in `text`. */
function itemRange(text: string, id: string): [number, number] {
  const doc = parseDocument(text);
  const node = (doc.get('items', true) as { items: { range: [number, number]; toJSON(): { id: string } }[] }).items.find((n) => n.toJSON().id === id)!;
  return [node.range[0], node.range[1]];
}

/** Every byte of `text` before and after item `id` is the same in `edited`. */
function expectOnlyItemChanged(text: string, edited: string, id: string): void {
  const [start, end] = itemRange(text, id);
  const [newStart, newEnd] = itemRange(edited, id);
  expect(edited.slice(0, newStart)).toBe(text.slice(0, start));
  expect(edited.slice(newEnd)).toBe(text.slice(end));
}

describe('writing an item back into its bank file', () => {
  it('changes only the edited item: every byte before and after it, comments included, is kept', () => {
    const file = join(DEMO, 'chemo-toxicity.yaml');
    const text = readFileSync(file, 'utf8');
    const id = 'lc-chemo-toxicity-002';
    const item = itemOf(text, id);
    (item.rubric as { points: { score?: number }[] }).points[0].score = 7;
    item.prompt_en = 'An edited English prompt.';
    const edited = replaceItemText(text, id, item);

    expectOnlyItemChanged(text, edited, id);
    expect(itemOf(edited, id)).toEqual(item);
    // The other items are untouched as data too.
    const others = (t: string) => (parseDocument(t).toJS() as { items: ItemData[] }).items.filter((i) => i.id !== id);
    expect(others(edited)).toEqual(others(text));
  });

  it('round-trips every item of the demo bank: an edit changes that item\'s data only and no byte outside it', () => {
    let edits = 0;
    for (const name of readdirSync(DEMO).filter((f) => f.endsWith('.yaml') && f !== 'topics.yaml')) {
      const text = readFileSync(join(DEMO, name), 'utf8');
      const all = (parseDocument(text).toJS() as { items: ItemData[] }).items;
      for (const original of all) {
        const id = original.id as string;
        const item = structuredClone(original);
        item.depth = 9;
        const rubric = item.rubric as { points: { text: string }[] };
        rubric.points.at(-1)!.text += '（已修改）';
        const edited = replaceItemText(text, id, item);
        expectOnlyItemChanged(text, edited, id);
        expect((parseDocument(edited).toJS() as { items: ItemData[] }).items).toEqual(all.map((i) => (i.id === id ? item : i)));
        edits++;
      }
    }
    expect(edits).toBe(48);
  });

  it('keeps comments inside the edited item on the parts that did not change, and returns the text unchanged for a no-op edit', () => {
    const text = `# head comment
bank: b
version: 1
items:
  - id: one   # the first item
    topic: staging
    depth: 2
    # why this prompt
    prompt: 分期？
    rubric:
      points:
        - { id: ct, text: 胸部CT, score: 2 }   # flow style kept
  # before two
  - id: two
    topic: staging
    depth: 1
    prompt: 另一个？
    rubric: { points: [{ id: x, text: y, score: 1 }] }
# tail comment
`;
    expect(replaceItemText(text, 'one', itemOf(text, 'one'))).toBe(text);
    const item = itemOf(text, 'one');
    item.depth = 3;
    const edited = replaceItemText(text, 'one', item);
    // Inside the edited item the yaml library writes one space before a trailing comment.
    expect(edited).toContain('  - id: one # the first item\n');
    expect(edited).toContain('    # why this prompt\n    prompt: 分期？\n');
    expect(edited).toContain('        - { id: ct, text: 胸部CT, score: 2 } # flow style kept\n');
    expect(edited).toContain('    depth: 3\n');
    expect(edited.slice(edited.indexOf('  # before two'))).toBe(text.slice(text.indexOf('  # before two')));
  });

  it('appends a new item after the last one, in the file\'s own indentation', () => {
    const text = readFileSync(join(DEMO, 'staging.yaml'), 'utf8');
    const item = { ...itemOf(text, 'lc-staging-001'), id: 'lc-staging-new' };
    const edited = replaceItemText(text, null, item);
    expect(edited.startsWith(text.trimEnd())).toBe(true);
    const items = (parseDocument(edited).toJS() as { items: ItemData[] }).items;
    expect(items.at(-1)).toEqual(item);
    expect(edited).toContain('\n  - id: lc-staging-new\n    status: admitted\n');
  });
});

describe('saving an item', () => {
  it('refuses a save when the file changed on disk since it was opened, and shows the other change as a diff', async () => {
    const dir = demoCopy();
    const file = join(dir, 'staging.yaml');
    const mine = readSnapshot(file);
    const theirs = readSnapshot(file);
    const id = 'lc-staging-001';

    const theirItem = itemOf(theirs.text, id);
    theirItem.prompt_en = 'Their edit of the English prompt.';
    const first = await saveItem({ bank: [dir], snapshot: theirs, id, item: theirItem });
    expect(first.saved).toBe(true);

    const myItem = itemOf(mine.text, id);
    myItem.depth = 2;
    const second = await saveItem({ bank: [dir], snapshot: mine, id, item: myItem });
    expect(second.saved).toBe(false);
    if (second.saved || second.reason !== 'conflict') throw new Error('expected a conflict');
    expect(second.message).toMatch(/changed on disk since it was opened; nothing was written/);
    expect(second.diff).toMatch(/^\+\s+prompt_en: Their edit of the English prompt\.$/m);
    expect(second.diff).toMatch(/^-\s+prompt_en: /m);
    // Their save is on disk; mine is not.
    expect(itemOf(readFileSync(file, 'utf8'), id).prompt_en).toBe('Their edit of the English prompt.');
  });

  it('refuses to save an edit that fails lint as admitted, saves it as a draft with its errors listed, and the bank still loads', async () => {
    const dir = demoCopy();
    const file = join(dir, 'staging.yaml');
    const snapshot = readSnapshot(file);
    const id = 'lc-staging-001';
    const item = itemOf(snapshot.text, id);
    const point = (item.rubric as { points: { examples?: { hit: string[] } }[] }).points[0];
    point.examples = { ...point.examples!, hit: ['这句话与得分点毫无关系'] };

    const refused = await saveItem({ bank: [dir], snapshot, id, item });
    expect(refused.saved).toBe(false);
    if (refused.saved || refused.reason !== 'lint') throw new Error('expected a lint refusal');
    expect(refused.diagnostics.map((d) => d.code)).toContain('example-hit-not-matched');
    expect(readFileSync(file, 'utf8')).toBe(snapshot.text);

    // The message is the one caps lint prints for the same mistake.
    const lint = await lintBank([dir], { overlay: new Map([[file, replaceItemText(snapshot.text, id, item)]]) });
    expect(refused.diagnostics).toEqual(lint.diagnostics.filter((d) => d.item === id && d.severity === 'error'));

    const saved = await saveItem({ bank: [dir], snapshot, id, item, onLintErrors: 'save-as-draft' });
    expect(saved.saved).toBe(true);
    if (!saved.saved) throw new Error('expected a save');
    expect(saved.status).toBe('draft');
    expect(saved.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['example-hit-not-matched', 'draft-has-errors']));
    expect(itemOf(readFileSync(file, 'utf8'), id).status).toBe('draft');

    const after = await lintBank([dir]);
    expect(after.errors).toBe(0);
    expect(after.summary?.statuses).toMatchObject({ draft: 1, admitted: 47 });
    const { bank } = await loadBank([dir]);
    expect(bank?.items.find((i) => i.id === id)?.status).toBe('draft');
  });

  it('refuses even as a draft an item whose id another item already has', async () => {
    const dir = demoCopy();
    const snapshot = readSnapshot(join(dir, 'staging.yaml'));
    const copy = itemOf(snapshot.text, 'lc-staging-002');
    const outcome = await saveItem({ bank: [dir], snapshot, id: null, item: copy, onLintErrors: 'save-as-draft' });
    expect(outcome.saved).toBe(false);
    if (outcome.saved) throw new Error('expected a refusal');
    expect(outcome.message).toMatch(/cannot be saved even as a draft: item id "lc-staging-002" is already used/);
    expect(readFileSync(snapshot.file, 'utf8')).toBe(snapshot.text);
  });

  it('records statuses in the bank files, and admits no item that fails lint', async () => {
    const dir = demoCopy();
    const file = join(dir, 'staging.yaml');
    const snapshot = readSnapshot(file);
    const id = 'lc-staging-001';
    const item = itemOf(snapshot.text, id);
    (item.rubric as { points: { examples?: { hit: string[] } }[] }).points[0].examples!.hit = ['无关的一句话'];
    expect((await saveItem({ bank: [dir], snapshot, id, item, onLintErrors: 'save-as-draft' })).saved).toBe(true);
    const before = readFileSync(file, 'utf8');
    await expect(setItemStatuses([dir], new Map([[id, 'admitted'], ['lc-staging-002', 'retired']]))).rejects.toThrow(/1 item\(s\) fail lint and cannot be admitted; nothing was written:\n.*example-hit|hit example 1/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    const { changed } = await setItemStatuses([dir], new Map([['lc-staging-002', 'retired']]));
    expect(changed).toEqual(['lc-staging-002']);
    expect((await lintBank([dir])).summary?.statuses).toMatchObject({ retired: 1, draft: 1, admitted: 46 });
  });

  it('lints an edit live and scores a pasted answer against the edited rubric, as caps try does', async () => {
    const dir = demoCopy();
    const file = join(dir, 'staging.yaml');
    const snapshot = readSnapshot(file);
    const id = 'lc-staging-001';
    const item = itemOf(snapshot.text, id);
    (item.rubric as { points: { score?: number }[] }).points[0].score = 9;
    const preview = await previewEdit({ bank: [dir], snapshot, id, item });
    expect(preview.lint.errors).toBe(0);
    const hit = (item.rubric as { points: { examples: { hit: string[] } }[] }).points[0].examples.hit[0];
    const { score, explanation } = await tryEdit({ bank: [dir], file, text: preview.text, item: id, answer: hit });
    expect(score.max).toBeGreaterThanOrEqual(9);
    expect(score.verdicts[0]).toMatchObject({ met: true });
    // The explanation is the one caps try prints for the same answer and rubric.
    const { bank } = await loadBank([dir], { overlay: new Map([[file, preview.text]]) });
    const direct = await tryAnswer({ bank: bank!, item: id, answer: hit });
    expect(explanation).toBe(explainScore(direct, resolveRubric(bank!.items.find((i) => i.id === id)!)));
    await expect(tryEdit({ bank: [dir], file, text: preview.text.replace(/rubric:\n      points:/, 'rubric:\n      pointz:'), item: id, answer: hit })).rejects.toThrow(/does not validate as written yet/);
    // Nothing was written by the preview.
    expect(readFileSync(file, 'utf8')).toBe(snapshot.text);
  });
});
