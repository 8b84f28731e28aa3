import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { main } from '../src/cli/main.js';
import { HARNESS_VERSION } from '../src/version.js';
import { BUILT_CLI } from './helpers/built-cli.js';

describe('caps CLI', () => {
  it('prints its version through the built bin', () => {
    const out = execFileSync(process.execPath, [BUILT_CLI, '--version'], { encoding: 'utf8' });
    expect(out.trim()).toBe(HARNESS_VERSION);
  });

  it('exits 1 on an unknown command without a stack trace', async () => {
    const code = await main(['no-such-command']);
    expect(code).toBe(1);
  });
});
