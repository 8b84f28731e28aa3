/**
 * `caps score` on two or more threads runs on a capped worker thread (src/cli/command-thread.ts):
 * the built CLI must fail, stop and resume as when it runs in the main thread.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_CLI } from '../helpers/built-cli.js';
import { writeScoreBank, writeScoreRun } from '../bench/score-workload.js';
import { LOCK_FILE } from '../../src/io/lock.js';
import { scoresOnThreads } from '../../src/cli/score-threads.js';

let dir: string;
let bank: string;
const env = () => ({ ...process.env, CAPS_CACHE_DIR: join(dir, 'cache') });

/** The built CLI's exit code (or the signal that ended it) and what it printed. */
function caps(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BUILT_CLI, ...args], { env: env(), maxBuffer: 1 << 26 }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }));
  });
}

/** A copy of the prepared run, unscored. */
function copyRun(name: string): string {
  const run = join(dir, name);
  cpSync(join(dir, 'run'), run, { recursive: true });
  return run;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'caps-score-thread-'));
  bank = join(dir, 'bank.yaml');
  writeScoreBank(bank);
  await writeScoreRun(join(dir, 'run'), bank, 20_000);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('caps score on a capped thread', () => {
  it('is chosen for two or more scoring threads only, and never for help', () => {
    expect(scoresOnThreads(['score', 'runs/r', '--workers', '2'])).toBe(true);
    expect(scoresOnThreads(['--skip-bad-lines', 'score', 'runs/r', '--workers=3'])).toBe(true);
    expect(scoresOnThreads(['score', 'runs/r', '--workers', '2', '--workers', '1'])).toBe(false);
    expect(scoresOnThreads(['score', 'runs/r', '--workers', '0'])).toBe(false);
    expect(scoresOnThreads(['score', 'runs/r', '--workers', 'two'])).toBe(false);
    expect(scoresOnThreads(['score', 'runs/r', '--workers', '2', '--help'])).toBe(false);
    expect(scoresOnThreads(['report', 'runs/r', '--workers', '2'])).toBe(false);
  });

  it('reports bad input as in the main thread: the same message, exit code and no stack trace', async () => {
    const outcomes = [];
    for (const workers of ['0', '2']) {
      const run = copyRun(`bad-${workers}`);
      const responses = join(run, 'responses.jsonl');
      const lines = readFileSync(responses, 'utf8').split('\n');
      lines[4] = '{"key": broken';
      writeFileSync(responses, lines.join('\n'));
      const outcome = await caps(['score', run, '--bank', bank, '--workers', workers]);
      outcomes.push({ ...outcome, stderr: outcome.stderr.replaceAll(run, 'RUN') });
    }
    expect(outcomes[0].code).toBe(1);
    expect(outcomes[0].stderr).toContain('caps: RUN/responses.jsonl:5: not valid JSON');
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[1].stderr).not.toMatch(/^\s+at /m);
  });

  it('stops on Ctrl-C as in the main thread, leaving a run that resumes to the same scores', async () => {
    const whole = copyRun('whole');
    expect((await caps(['score', whole, '--bank', bank, '--workers', '0', '--quiet'])).code).toBe(0);
    const run = copyRun('stopped');
    const scores = join(run, 'scores.jsonl');
    const proc = spawn(process.execPath, [BUILT_CLI, 'score', run, '--bank', bank, '--workers', '2', '--quiet'], { env: env(), stdio: 'ignore' });
    const ended = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
    // Stopped once the first scores are written.
    while (!existsSync(scores) || statSync(scores).size === 0) await new Promise((r) => setTimeout(r, 10));
    proc.kill('SIGINT');
    expect(await ended).toBe('SIGINT');
    expect(existsSync(join(run, LOCK_FILE))).toBe(false);
    expect(readFileSync(scores).length).toBeLessThan(readFileSync(join(whole, 'scores.jsonl')).length);
    const resumed = await caps(['score', run, '--bank', bank, '--workers', '2', '--quiet', '--format', 'json']);
    expect(resumed.code).toBe(0);
    expect((JSON.parse(resumed.stdout) as { reused: number }).reused).toBeGreaterThan(0);
    expect(readFileSync(scores).equals(readFileSync(join(whole, 'scores.jsonl')))).toBe(true);
  }, 120_000);
});
