/**
 * A Node script run as a child process under /usr/bin/time, as every benchmark of the built
 * CLI measures it: wall time, CPU (user + system) and peak RSS as the OS counted them, and the
 * 1-minute load average when it started.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const TIME = '/usr/bin/time';

export interface Timed {
  wallS: number;
  cpuS: number;
  peakMb: number;
  code: number | null;
  load: number;
  /** When the child was spawned and when its exit was seen, in ms since the epoch (the clock of performance.now). */
  startedAt: number;
  exitedAt: number;
}

const now = () => performance.timeOrigin + performance.now();

/** Runs `node script ...args`, its output discarded but for stderr, with `env` over this process's environment. */
export async function timedNode(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Timed> {
  if (!existsSync(TIME)) throw new Error('the benchmark reads CPU and peak RSS with /usr/bin/time: apt-get install time');
  const dir = mkdtempSync(join(tmpdir(), 'caps-time-'));
  const report = join(dir, 'time');
  const load = loadavg()[0];
  try {
    const startedAt = now();
    const child = spawn(TIME, ['-o', report, '-f', '%e %U %S %M', process.execPath, script, ...args], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
    const [code] = (await once(child, 'exit')) as [number | null];
    const exitedAt = now();
    const [wall, user, system, kb] = readFileSync(report, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    return { wallS: wall, cpuS: user + system, peakMb: kb / 1024, code, load, startedAt, exitedAt };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
