import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runEval } from '../../src/runner/run.js';
import { mergeRuns } from '../../src/runner/merge.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { CapsConfig, EndpointConfig } from '../../src/schema/config.js';
import { createJudgePersona } from '../../src/endpoints/sim/judge-persona.js';
import { createEndpointClient } from '../../src/endpoints/client.js';
import { scoreRun } from '../../src/scorer/score-run.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { bankOf, simpleItem } from '../endpoints/bank-fixture.js';
import { echoPersona } from '../endpoints/helpers.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const bank = bankOf({ bank: 'merge-test', version: 1, language: 'en', items: Array.from({ length: 12 }, (_, i) => simpleItem(`q${i}`, i === 11 ? { depth: 2 } : {})) });

/** The simulated endpoint answering as "e", and a new folder for the runs. */
async function echoEndpoint() {
  server = await startSimServer({ personas: [echoPersona] });
  const config = CapsConfig.parse({ endpoints: [{ name: 'e', baseURL: server.baseURL, model: 'echo', retries: 0 }] });
  return { root: mkdtempSync(join(tmpdir(), 'caps-merge-')), config };
}

describe('caps merge', () => {
  it('joins shards into one run with every answer once', async () => {
    const { root, config } = await echoEndpoint();
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

    expect(merged.scorers).toEqual([]);

    const twice = await mergeRuns({ dirs: [merged.dir, shards[1]], out: join(root, 'merged-again') });
    expect(twice.answers).toBe(24);
    expect(twice.duplicates).toBeGreaterThan(0);
  });

  it('writes an empty shard of a selection smaller than the shard count, and merges it', async () => {
    const { root, config } = await echoEndpoint();
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
    await expect(runEval({ bank, config, out: join(root, 'none'), cacheDir: false, filters: { items: ['q0'], depths: [2], shard: { index: 1, count: 2 } } })).rejects.toThrow(/nothing to ask/);
  });

  it('marks a merge of part of a split incomplete and names the shards it lacks', async () => {
    const { root, config } = await echoEndpoint();
    const shard = (index: number) => runEval({ bank, config, out: join(root, `shard-${index}`), cacheDir: false, filters: { shard: { index, count: 3 } } });
    const [first, third] = [await shard(1), await shard(3)];
    const part = await mergeRuns({ dirs: [first.dir, third.dir], out: join(root, 'part') });
    expect(part).toMatchObject({ missingShards: ['2/3'], status: 'incomplete', errors: 0 });
    expect(new RunFolder(part.dir).readManifest().status).toBe('incomplete');
    const second = await shard(2);
    // The partial merge joined with the shard it lacked is whole: a merged folder counts as its parts.
    expect(await mergeRuns({ dirs: [part.dir, second.dir], out: join(root, 'part-and-second') })).toMatchObject({ missingShards: [], status: 'complete', answers: 12 });
    const whole = await mergeRuns({ dirs: [first.dir, second.dir, third.dir], out: join(root, 'whole') });
    expect(whole).toMatchObject({ missingShards: [], status: 'complete' });
    // The same split of another selection does not fill the gap: each selection is checked alone.
    const other = await runEval({ bank, config, samples: 2, out: join(root, 'other-2'), cacheDir: false, filters: { shard: { index: 2, count: 3 } } });
    const mixed = await mergeRuns({ dirs: [first.dir, other.dir, third.dir], out: join(root, 'mixed') });
    expect(mixed).toMatchObject({ missingShards: ['2/3 (e, 1 sample)', '1/3 (e, 2 samples)', '3/3 (e, 2 samples)'], status: 'incomplete' });
  });

  it('says when the scores it copies were made by different scorers', async () => {
    server = await startSimServer({ personas: [echoPersona, createJudgePersona()] });
    const root = mkdtempSync(join(tmpdir(), 'caps-merge-'));
    const endpoint = (name: string, model: string) => EndpointConfig.parse({ name, baseURL: server!.baseURL, model, retries: 0 });
    const config = CapsConfig.parse({ endpoints: [endpoint('e', 'echo')] });
    // Entries without a matcher, so that a judge decides them when one is given.
    const judged = bankOf({ bank: 'merge-judged', version: 1, language: 'en', items: Array.from({ length: 6 }, (_, i) => simpleItem(`q${i}`, { rubric: { points: [{ id: 'p1', text: 'names the cause', score: 1 }] } })) });
    const shard = (index: number) => runEval({ bank: judged, config, out: join(root, `shard-${index}`), cacheDir: false, filters: { shard: { index, count: 2 } } });
    const [first, second] = [await shard(1), await shard(2)];
    await scoreRun(first.dir, { bank: judged });
    await scoreRun(second.dir, { bank: judged, judges: [createEndpointClient(endpoint('sim-judge', 'sim-judge'))] });
    const merged = await mergeRuns({ dirs: [first.dir, second.dir], out: join(root, 'merged') });
    expect(merged.scores).toBe(6);
    expect(merged.scorers).toHaveLength(2);
    expect(merged.scorers.some((s) => s.includes('judged by sim-judge (sim-judge, '))).toBe(true);
    expect(merged.scorers.some((s) => s.endsWith(', no judge'))).toBe(true);
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
