/** `caps draft` against `caps sim` over real HTTP: drafts land only when they lint clean, and go to review. */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCaps } from '../helpers/cli.js';
import { lintBank } from '../../src/bank/lint.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { draftCells } from '../../src/draft/cells.js';
import { checkDraft } from '../../src/draft/draft.js';
import { simPersonas } from '../../src/endpoints/sim/catalog.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { readReviewHistory } from '../../src/review/history-file.js';
import { replay } from '../../src/review/rounds.js';
import { Item } from '../../src/schema/bank.js';

const DEMO = join(import.meta.dirname, '../../questions/lung-cancer');
let root: string;
let server: SimServer;
let config: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'caps-draft-'));
  server = await startSimServer({ port: 0, personas: simPersonas(await loadBankOrThrow([DEMO])) });
  config = join(root, 'caps.config.yaml');
  const endpoint = (name: string) => ({ name, baseURL: server.baseURL, model: name, retries: 0, timeout_ms: 10_000 });
  writeFileSync(config, stringify({ endpoints: ['sim-drafter', 'sim-drafter-flaky', 'sim-drafter-nonsense'].map(endpoint) }));
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

function bankCopy(name: string): string {
  const dir = join(root, name);
  cpSync(DEMO, dir, { recursive: true });
  return dir;
}

function snapshotFiles(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

describe('caps draft', () => {
  it('drafts 5 items into empty topic x depth cells; they lint clean as drafts, nothing is admitted, and review admits them', async () => {
    const dir = bankCopy('bank');
    const before = await loadBankOrThrow([dir]);
    const cells = draftCells(before, { count: 5 });
    for (const cell of cells) expect(before.items.some((i) => i.topic === cell.topic && i.depth === cell.depth)).toBe(false);

    const { code, stdout, stderr } = await runCaps(['draft', '--bank', dir, '--count', '5', '--model', 'sim-drafter', '--config', config]);
    // The first line names the config and the drafting endpoint; nothing else goes to standard error.
    expect(stderr).toMatch(/^caps draft: config .*caps\.config\.yaml \(given with --config\) · drafting endpoint sim-drafter\n$/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/5 draft\(s\) written with status draft/);

    const lint = await lintBank([dir]);
    expect(lint.errors).toBe(0);
    expect(lint.warnings).toBe(0);
    expect(lint.summary?.statuses).toEqual({ draft: 5, 'in-review': 0, admitted: before.items.length, retired: 0, unset: 0 });
    const after = await loadBankOrThrow([dir]);
    const drafts = after.items.filter((i) => i.status === 'draft');
    const cellKeys = (list: { topic: string; depth: number }[]) => list.map((c) => `${c.topic}@${c.depth}`).sort();
    expect(cellKeys(drafts)).toEqual(cellKeys(cells));
    for (const draft of drafts) {
      expect(draft.source).toBe('drafted by sim-drafter');
      expect(draft.prompt_en).toBeTruthy();
      expect(draft.rubric.points.every((p) => p.evidence?.source && p.examples!.hit.length > 0 && p.examples!.miss.length > 0)).toBe(true);
    }
    // Ids follow the bank's own pattern, and the drafts joined their topic's file.
    expect(drafts.map((d) => d.id)).toContain('lc-screening-nodules-004');
    expect(readFileSync(join(dir, 'screening-nodules.yaml'), 'utf8')).toMatch(/\n  - id: lc-screening-nodules-004\n    status: draft\n/);
    // caps run leaves drafts out by default.
    expect(after.items.filter((i) => (i.status ?? 'admitted') === 'admitted')).toHaveLength(before.items.length);

    const review = async (args: string[]) => {
      const outcome = await runCaps(['review', ...args, '--bank', dir]);
      expect(outcome.stderr).toBe('');
      return outcome.stdout;
    };
    expect(await review(['open', '--reviewers', 'dr-wang,dr-li', '--by', 'coordinator'])).toMatch(/^round 1 opened over 5 item\(s\)/);
    const state = replay(await readReviewHistory(join(dir, 'review-history.jsonl')));
    for (const [item, { reviewers }] of state.rounds[0].assignments) for (const reviewer of reviewers) await review(['decide', '--item', item, '--reviewer', reviewer, '--accept']);
    expect(await review(['close', '--by', 'coordinator'])).toMatch(/passed, 5 item\(s\) admitted/);
    const admitted = await lintBank([dir]);
    expect(admitted.errors + admitted.warnings).toBe(0);
    expect(admitted.summary?.statuses).toMatchObject({ draft: 0, admitted: before.items.length + 5 });
  }, 180_000);

  it('retries a reply that is not an item, with the reason, and lands the corrected draft', async () => {
    const dir = bankCopy('flaky');
    const { code, stdout, stderr } = await runCaps(['draft', '--bank', dir, '--count', '4', '--model', 'sim-drafter-flaky', '--config', config]);
    expect(code).toBe(0);
    expect(stdout.match(/after 2 attempts/g)).toHaveLength(4);
    expect(stderr).toMatch(/attempt 1 rejected: the reply holds no JSON object/);
    expect(stderr).toMatch(/attempt 1 rejected: the reply was cut off \(finish_reason length\): truncated JSON/);
    expect(stderr).toMatch(/attempt 1 rejected: the rubric is empty/);
    expect(stderr).toMatch(/attempt 1 rejected: the item does not fit the bank's item schema: category: .*; rubric.points.0.score: Invalid input: expected number/);
    expect((await lintBank([dir])).summary?.statuses).toMatchObject({ draft: 4 });
  });

  it('gives up after the cap on a model that returns nonsense, and writes nothing', async () => {
    const dir = bankCopy('nonsense');
    const before = snapshotFiles(dir);
    const { code, stdout, stderr } = await runCaps(['draft', '--bank', dir, '--count', '2', '--attempts', '4', '--model', 'sim-drafter-nonsense', '--config', config]);
    expect(code).toBe(2);
    expect(stdout).toMatch(/failed  lc-screening-nodules-004 \(screening-nodules, depth 4\): nothing written after 4 attempt\(s\)/);
    expect(stderr).toMatch(/2 of 2 draft\(s\) failed after their attempts and were not written/);
    expect(stderr.match(/rejected/g)).toHaveLength(8);
    expect(snapshotFiles(dir)).toEqual(before);
  });

  it('rejects a draft whose matcher fails its own examples, through the same lint as caps lint', async () => {
    const bank = await loadBankOrThrow([DEMO]);
    const cell = { topic: 'staging', depth: 4, id: 'lc-staging-009', language: bank.language };
    const good = JSON.parse((simPersonas(bank).find((p) => p.name === 'sim-drafter')!.reply({ model: 'sim-drafter', messages: [{ role: 'user', content: `CAPS-DRAFT-CELL ${JSON.stringify({ ...cell, attempt: 1 })}` }] }, () => 0.3) as { content: string }).content);
    const checked = checkDraft(JSON.stringify(good), 'stop', cell, 'm');
    expect('item' in checked && Item.safeParse(checked.item).success).toBe(true);
    good.rubric.points[0].examples.hit = ['一句与此无关的话'];
    const dir = bankCopy('lint');
    const { draftItems } = await import('../../src/draft/draft.js');
    const client = { name: 'fixed', model: 'fixed', chat: async () => ({ text: JSON.stringify(good), finishReason: 'stop', usage: null, latencyMs: 1, attempts: 1, error: null }) };
    const [outcome] = await draftItems({ bank: [dir], client, topic: 'staging', depth: 4, count: 1, attempts: 2 });
    expect(outcome.landed).toBe(false);
    expect(outcome.problems[0]).toMatch(/^lint: example-hit-not-matched: hit example 1 of "/);
  });

  it('drafts into a new file, with the bank header, for a topic without items', async () => {
    const dir = join(root, 'new-topic');
    cpSync(DEMO, dir, { recursive: true });
    rmSync(join(dir, 'irae.yaml'));
    const { code, stdout } = await runCaps(['draft', '--bank', dir, '--topic', 'irae', '--count', '2', '--model', 'sim-drafter', '--config', config]);
    expect(code).toBe(0);
    expect(stdout).toContain(join(dir, 'irae.yaml'));
    const text = readFileSync(join(dir, 'irae.yaml'), 'utf8');
    expect(text.startsWith('# yaml-language-server: $schema=../../schema/bank.schema.json\nbank: lung-cancer-demo\n')).toBe(true);
    const lint = await lintBank([dir]);
    expect(lint.errors + lint.warnings).toBe(0);
    expect(lint.summary?.statuses?.draft).toBe(2);
  });
});
