import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCaps } from '../helpers/cli.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { taggedPersona, tempDir, walk, writeBank, writeConfig } from './fixtures.js';

/** A small tmpfs needs root to mount; elsewhere the test says why it did not run. */
function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = tempDir('caps-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const mountable = canMount();
if (!mountable) console.warn('disk-full tests skipped: they mount a small tmpfs, which needs root on Linux');

let server: SimServer;
let dir: string;
let mnt: string;
let bank: string;
let config: string;
beforeAll(async () => {
  if (!mountable) return;
  server = await startSimServer({ personas: [taggedPersona('m', 'vendor')] });
  dir = tempDir();
  bank = writeBank(dir, 80);
  config = writeConfig(dir, { endpoints: [{ name: 'm', baseURL: server.baseURL, model: 'm', concurrency: 4 }] });
  mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
});
afterAll(async () => {
  if (!mountable) return;
  vi.restoreAllMocks();
  execFileSync('umount', [mnt]);
  await server.close();
});

const FILLER = () => join(mnt, 'filler');
/** Leaves `bytes` free on the tmpfs. */
function fillLeaving(bytes: number): void {
  const { bavail, bsize } = statfsSync(mnt);
  writeFileSync(FILLER(), Buffer.alloc(Math.max(0, bavail * bsize - bytes)));
}
const freeSpace = () => rmSync(FILLER(), { force: true });

function expectCleanFailure(outcome: { code: number; stderr: string }): void {
  expect(outcome.code, outcome.stderr).toBe(2);
  expect(outcome.stderr).toMatch(/(^|\n)caps: cannot write \S+: no space left on the device \(ENOSPC\); nothing half-written was kept\. .*\n$/);
  expect(walk(mnt).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  expect(emptyFolders(join(mnt, 'runs', '.cache'))).toEqual([]);
  for (const file of walk(mnt).filter((f) => f.endsWith('.jsonl'))) {
    const text = readFileSync(file, 'utf8');
    expect(text === '' || text.endsWith('\n'), `${file} ends mid-line`).toBe(true);
    for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  }
}

/** Folders under `dir` (itself included) holding nothing. */
function emptyFolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const entries = readdirSync(dir, { withFileTypes: true });
  if (entries.length === 0) return [dir];
  return entries.filter((e) => e.isDirectory()).flatMap((e) => emptyFolders(join(dir, e.name)));
}

async function latestTexts(out: string): Promise<Record<string, string | null>> {
  return Object.fromEntries([...(await new RunFolder(out).latestResponses()).values()].map((r) => [r.key, r.text]).sort());
}
async function latestScores(out: string): Promise<Record<string, number | null>> {
  return Object.fromEntries([...(await new RunFolder(out).latestScores()).values()].map((s) => [s.key, s.score]).sort());
}

describe.skipIf(!mountable)('disk full on a small tmpfs', () => {
  it('run, score and report stop with one line and exit 2, leave no temporary file or half line, and finish identically once space is freed', async () => {
    const ref = join(dir, 'ref');
    expect((await runCaps(['run', '--config', config, '--bank', bank, '--out', ref, '--quiet'])).code).toBe(0);
    expect((await runCaps(['score', ref])).code).toBe(0);
    expect((await runCaps(['report', ref, '--out', join(dir, 'ref-report'), '--seed', '1'])).code).toBe(0);

    const out = join(mnt, 'runs', 'run');
    fillLeaving(40 * 1024);
    const run = await runCaps(['run', '--config', config, '--bank', bank, '--out', out, '--quiet']);
    expectCleanFailure(run);
    expect(new RunFolder(out).readManifest().status).toBe('incomplete');
    freeSpace();
    const resumed = await runCaps(['run', '--config', config, '--bank', bank, '--out', out, '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await latestTexts(out)).toEqual(await latestTexts(ref));

    fillLeaving(8 * 1024);
    expectCleanFailure(await runCaps(['score', out]));
    freeSpace();
    expect((await runCaps(['score', out])).code).toBe(0);
    expect(await latestScores(out)).toEqual(await latestScores(ref));

    fillLeaving(4 * 1024);
    const reportDir = join(mnt, 'report');
    expectCleanFailure(await runCaps(['report', out, '--out', reportDir, '--seed', '1']));
    freeSpace();
    expect((await runCaps(['report', out, '--out', reportDir, '--seed', '1'])).code).toBe(0);
    expect(readFileSync(join(reportDir, 'answers.csv'), 'utf8')).toBe(readFileSync(join(dir, 'ref-report', 'answers.csv'), 'utf8'));
  }, 120_000);
});
