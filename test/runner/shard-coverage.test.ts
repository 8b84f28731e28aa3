import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { missingShards } from '../../src/runner/shard-coverage.js';
import { runEval } from '../../src/runner/run.js';
import { scoreRun } from '../../src/scorer/score-run.js';
import { reportRuns } from '../../src/report/from-runs.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { CapsConfig } from '../../src/schema/config.js';
import { simpleItem } from '../endpoints/bank-fixture.js';
import { echoPersona } from '../endpoints/helpers.js';

describe('shard coverage', () => {
  it('finds the gaps of shards of one count, of several counts, and none beside a whole run', () => {
    const s = (index: number, count: number) => ({ index, count });
    expect(missingShards([s(1, 4), s(2, 4)])).toEqual(['3/4', '4/4']);
    expect(missingShards([s(1, 4), s(2, 4), s(3, 4), s(4, 4)])).toEqual([]);
    // 1/2 holds residues 0 and 2 modulo 4; 2/4 and 4/4 hold 1 and 3.
    expect(missingShards([s(1, 2), s(2, 4), s(4, 4)])).toEqual([]);
    expect(missingShards([s(1, 2), s(2, 4)])).toEqual(['4/4']);
    // Counts 2 and 3: residues modulo 6 that neither 1/2 nor 1/3 holds (1 and 5), named as shards of 3.
    expect(missingShards([s(1, 2), s(1, 3)])).toEqual(['2/3', '3/3']);
    expect(missingShards([s(1, 4), undefined])).toEqual([]);
    // Too many residues to check one by one: a whole split covers all, else the largest count's absent shards are named.
    expect(missingShards([s(1, 1000), s(2, 1000), s(1, 1)])).toEqual([]);
    expect(missingShards([s(1, 1009), s(1, 1013)])).toHaveLength(1012);
  });

});

describe('caps report of shards', () => {
  let server: SimServer;
  beforeAll(async () => {
    server = await startSimServer({ personas: [echoPersona] });
  });
  afterAll(() => server?.close());

  it('warns when the runs reported lack shards of their split, and not when they hold it all', async () => {
    const root = mkdtempSync(join(tmpdir(), 'caps-shard-report-'));
    const bankFile = join(root, 'bank.yaml');
    writeFileSync(bankFile, stringify({ bank: 'shard-report', version: 1, language: 'en', items: Array.from({ length: 8 }, (_, i) => ({ ...simpleItem(`q${i}`), depth: 1 + (i % 4) })) }));
    const bank = await loadBankOrThrow([bankFile]);
    const config = CapsConfig.parse({ endpoints: [{ name: 'e', baseURL: server.baseURL, model: 'echo', retries: 0 }] });
    const shards: string[] = [];
    for (const index of [1, 2]) {
      const run = await runEval({ bank, config, out: join(root, `shard-${index}`), cacheDir: false, filters: { shard: { index, count: 2 } } });
      await scoreRun(run.dir, { bank });
      shards.push(run.dir);
    }
    const gap = (warnings: string[]) => warnings.filter((w) => w.includes('shards of a split'));
    const part = await reportRuns({ runDirs: [shards[0]], outDir: join(root, 'part'), formats: ['json'] });
    expect(gap(part.warnings)).toEqual([expect.stringContaining('shard 2/2 is in none of them')]);
    const whole = await reportRuns({ runDirs: shards, outDir: join(root, 'whole'), formats: ['json'] });
    expect(gap(whole.warnings)).toEqual([]);
  });
});
