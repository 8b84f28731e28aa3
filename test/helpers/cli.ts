/** Runs the `caps` CLI in-process and captures what it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCaps(args: string[]): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** Runs the `caps` CLI as its own process (source through tsx), for tests of environment, signals and concurrency. */
export function spawnCaps(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): { proc: ChildProcess; done: Promise<CliOutcome> } {
  const root = join(import.meta.dirname, '..', '..');
  // tsx by path, so the CLI can run in any working folder.
  const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const proc = spawn(process.execPath, ['--import', tsx, join(root, 'src', 'cli', 'bin.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, cwd: options.cwd });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliOutcome>((resolve) => proc.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
  return { proc, done };
}
