import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runEval } from '../../src/runner/run.js';
import { mergeRuns } from '../../src/runner/merge.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { CapsConfig } from '../../src/schema/config.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { bankOf, simpleItem } from '../endpoints/bank-fixture.js';
import { echoPersona } from '../endpoints/helpers.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const bank = bankOf({ bank: 'merge-test', version: 1, language: 'en', items: Array.from({ length: 12 }, (_, i) => simpleItem(`q${i}`)) });

describe('caps merge', () => {
  it('joins shards into one run with every answer once', async () => {
    server = await startSimServer({ personas: [echoPersona] });
    const root = mkdtempSync(join(tmpdir(), 'caps-merge-'));
    const config = CapsConfig.parse({ endpoints: [{ name: 'e', baseURL: server.baseURL, model: 'echo', retries: 0 }] });
    const shards = [];
    for (let index = 1; index <= 3; index++) {
      const summary = await runEval({ bank, config, samples: 2, out: join(root, `shard-${index}`), cacheDir: false, filters: { shard: { index, count: 3 } } });
      shards.push(summary.dir);
    }
    // A shard re-run into the merge list must not duplicate answers.
    const merged = await mergeRuns({ dirs: [...shards, shards[0]].slice(0, 3), out: join(root, 'merged') });
    expect(merged).toMatchObject({ answers: 24, errors: 0, duplicates: 0, status: 'complete' });
    const latest = await new RunFolder(merged.dir).latestResponses();
    expect(latest.size).toBe(24);
    const manifest = new RunFolder(merged.dir).readManifest();
    expect(manifest).toMatchObject({ status: 'complete', counts: { planned: 24, done: 24, errors: 0 }, bank: { hash: bank.hash } });

    const twice = await mergeRuns({ dirs: [merged.dir, shards[1]], out: join(root, 'merged-again') });
    expect(twice.answers).toBe(24);
    expect(twice.duplicates).toBeGreaterThan(0);
  });

  it('writes an empty shard of a selection smaller than the shard count, and merges it', async () => {
    server = await startSimServer({ personas: [echoPersona] });
    const root = mkdtempSync(join(tmpdir(), 'caps-merge-'));
    const config = CapsConfig.parse({ endpoints: [{ name: 'e', baseURL: server.baseURL, model: 'echo', retries: 0 }] });
    // Two dialogues over eight shards: at least six shards hold nothing, and each still succeeds.
    const shards = [];
    for (let index = 1; index <= 8; index++) {
      shards.push(await runEval({ bank, config, out: join(root, `shard-${index}`), cacheDir: false, filters: { items: ['q0', 'q1'], shard: { index, count: 8 } } }));
    }
    const empty = shards.filter((s) => s.counts.planned === 0);
    expect(empty.length).toBeGreaterThanOrEqual(6);
    for (const s of empty) expect([s.status, new RunFolder(s.dir).readManifest().status]).toEqual(['complete', 'complete']);
    const merged = await mergeRuns({ dirs: shards.map((s) => s.dir), out: join(root, 'merged') });
    expect(merged).toMatchObject({ answers: 2, errors: 0, duplicates: 0, status: 'complete' });
    // A selection that is empty before sharding is still refused.
    await expect(runEval({ bank, config, out: join(root, 'none'), cacheDir: false, filters: { items: ['q0'], depths: [9], shard: { index: 1, count: 2 } } })).rejects.toThrow(/nothing to ask/);
  });

  it('refuses runs of different bank content and an existing output', async () => {
    server = await startSimServer({ personas: [echoPersona] });
    const root = mkdtempSync(join(tmpdir(), 'caps-merge-'));
    const config = CapsConfig.parse({ endpoints: [{ name: 'e', baseURL: server.baseURL, model: 'echo' }] });
    const other = bankOf({ bank: 'merge-test', version: 2, language: 'en', items: [simpleItem('x')] });
    const a = await runEval({ bank, config, out: join(root, 'a'), cacheDir: false, filters: { limit: 1 } });
    const b = await runEval({ bank: other, config, out: join(root, 'b'), cacheDir: false });
    await expect(mergeRuns({ dirs: [a.dir, b.dir], out: join(root, 'm') })).rejects.toThrow(/only runs of the same bank content can be merged/);
    await expect(mergeRuns({ dirs: [a.dir], out: b.dir })).rejects.toThrow(/already holds a run/);
  });
});
