/**
 * Gives the test run a temporary folder of its own, removed when the run ends: tests make
 * hundreds of run folders, banks and browser profiles under os.tmpdir(), and a developer who
 * runs the suite many times must not find the machine's /tmp filling up. Test processes and
 * the commands they start inherit TMPDIR, which os.tmpdir() reads on every call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const outer = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'caps-tests-'));
  process.env.TMPDIR = dir;
  return () => {
    if (outer === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = outer;
    rmSync(dir, { recursive: true, force: true });
  };
}
