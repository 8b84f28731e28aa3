import { afterEach, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { runCaps } from '../helpers/cli.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { taggedPersona, tempDir, writeBank, writeConfig } from './fixtures.js';

const servers: SimServer[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function textsBy(out: string): Promise<Map<string, string[]>> {
  const by = new Map<string, string[]>();
  for (const r of (await new RunFolder(out).latestResponses()).values()) by.set(r.respondent, [...(by.get(r.respondent) ?? []), r.text ?? ''].sort());
  return by;
}

describe('two endpoints serving one model name', () => {
  it('on two servers are two respondents, in one run, across runs sharing a cache and with --no-cache', async () => {
    const a = await startSimServer({ personas: [taggedPersona('open-model', 'vendor-a')] });
    const b = await startSimServer({ personas: [taggedPersona('open-model', 'vendor-b')] });
    servers.push(a, b);
    const dir = tempDir();
    const bank = writeBank(dir, 4);
    const config = writeConfig(dir, {
      endpoints: [
        { name: 'vendor-a', baseURL: a.baseURL, model: 'open-model' },
        { name: 'vendor-b', baseURL: b.baseURL, model: 'open-model' },
      ],
    });
    for (const cache of [[], ['--no-cache']]) {
      const out = join(dir, `run${cache.length}`);
      const run = await runCaps(['run', '--config', config, '--bank', bank, '--out', out, '--quiet', ...cache]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toMatch(/share one set of answers/);
      const texts = await textsBy(out);
      expect(texts.get('vendor-a')).toEqual(['vendor-a says answer-q0.', 'vendor-a says answer-q1.', 'vendor-a says answer-q2.', 'vendor-a says answer-q3.']);
      expect(texts.get('vendor-b')!.every((t) => t.startsWith('vendor-b says'))).toBe(true);
    }
    expect([a.requests(), b.requests()]).toEqual([8, 8]);

    // Vendor A's name pointed at vendor B's server, in a new run sharing the cache: B's cached answers, never A's.
    const onlyB = writeConfig(dir, { endpoints: [{ name: 'vendor-a', baseURL: b.baseURL, model: 'open-model' }] }, 'b-as-a.yaml');
    const moved = await runCaps(['run', '--config', onlyB, '--bank', bank, '--out', join(dir, 'fresh'), '--quiet']);
    expect(moved.code, moved.stderr).toBe(0);
    expect((await textsBy(join(dir, 'fresh'))).get('vendor-a')!.every((t) => t.startsWith('vendor-b says'))).toBe(true);
    expect(moved.stderr).toMatch(/4 from cache, 0 HTTP requests/);
    expect(b.requests()).toBe(8);

    // The same name pointed at another server in an existing run folder is refused.
    const resumed = await runCaps(['run', '--config', onlyB, '--bank', bank, '--out', join(dir, 'run0'), '--quiet']);
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toMatch(/endpoint "vendor-a" was asked at another endpoint in this run folder \(baseURL/);
  }, 60_000);

  it('on one server with identical requests share one set of answers, and the run says so', async () => {
    const a = await startSimServer({ personas: [taggedPersona('open-model', 'vendor-a')] });
    servers.push(a);
    const dir = tempDir();
    const bank = writeBank(dir, 4);
    const config = writeConfig(dir, {
      endpoints: [
        { name: 'alias-1', baseURL: a.baseURL, model: 'open-model' },
        { name: 'alias-2', baseURL: `${a.baseURL}/`, model: 'open-model' },
        // A deployment-selecting header makes a third, distinct endpoint on the same server.
        { name: 'other-deployment', baseURL: a.baseURL, model: 'open-model', headers: { 'X-Deployment': 'quantised-int4' } },
      ],
    });
    const out = join(dir, 'run');
    const run = await runCaps(['run', '--config', config, '--bank', bank, '--out', out, '--quiet', '--no-cache']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/note: endpoints alias-1, alias-2 send identical requests to the same server .* share one set of answers/);
    expect(a.requests()).toBe(8);
    const texts = await textsBy(out);
    expect(texts.get('alias-1')).toEqual(texts.get('alias-2'));
    const manifest = new RunFolder(out).readManifest();
    expect(manifest.endpoints.find((e) => e.name === 'alias-1')?.shares_answers_with).toEqual(['alias-2']);
    const deployment = manifest.endpoints.find((e) => e.name === 'other-deployment')!;
    expect(deployment.headers?.names).toEqual(['x-deployment']);
    expect(JSON.stringify(manifest)).not.toContain('quantised-int4');
  }, 60_000);
});
