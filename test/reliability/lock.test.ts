import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { spawnCaps } from '../helpers/cli.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { LOCK_FILE, lockRunFolder, RunFolderLockedError } from '../../src/io/lock.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { taggedPersona, tempDir, writeBank, writeConfig } from './fixtures.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('one writer per run folder', () => {
  it('two caps run started together: exactly one runs, the other is refused, each request is sent once', async () => {
    // Answers are held until one process has exited, so the two overlap however slowly either starts.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const persona = taggedPersona('m', 'm');
    server = await startSimServer({ personas: [{ ...persona, reply: async (request, rng) => (await gate, persona.reply(request, rng)) }] });
    const dir = tempDir();
    const bank = writeBank(dir, 60);
    const config = writeConfig(dir, { endpoints: [{ name: 'm', baseURL: server.baseURL, model: 'm', concurrency: 4 }] });
    const out = join(dir, 'run');
    const args = ['run', '--config', config, '--bank', bank, '--out', out, '--quiet', '--no-cache'];
    const runs = [spawnCaps(args).done, spawnCaps(args).done];
    const refused = await Promise.race(runs);
    release();
    const outcomes = await Promise.all(runs);
    const codes = outcomes.map((o) => o.code).sort();
    expect(codes, outcomes.map((o) => o.stderr).join('\n')).toEqual([0, 1]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^caps run: config .*\\ncaps: run folder in use by pid \\d+ on ${hostname()} since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z; wait or use another --out\\n$`));
    const hashes = server.log().map((e) => e.hash);
    expect(hashes).toHaveLength(60);
    expect(new Set(hashes).size).toBe(60);
    expect((await new RunFolder(out).latestResponses()).size).toBe(60);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  }, 60_000);

  it('takes over a lock left by a process that no longer exists, and refuses a live one', () => {
    const dir = join(tempDir(), 'run');
    const first = lockRunFolder(dir);
    // Held by this (live) process: a second taker is refused.
    expect(() => lockRunFolder(dir)).toThrow(RunFolderLockedError);
    first.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    // A pid that cannot exist (above the kernel's pid_max): stale.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), started_at: '2026-01-01T00:00:00.000Z' }));
    const second = lockRunFolder(dir);
    second.release();
    // A lock of another host is trusted: the process may be alive there.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 7, host: 'elsewhere', started_at: '2026-01-01T00:00:00.000Z' }));
    expect(() => lockRunFolder(dir)).toThrow(/run folder in use by pid 4194311 on elsewhere since 2026-01-01T00:00:00.000Z; wait or use another --out/);
  });
});
