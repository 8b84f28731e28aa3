import { afterEach, describe, expect, it, vi } from 'vitest';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCaps } from '../helpers/cli.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { taggedPersona, tempDir, writeBank, writeConfig } from './fixtures.js';

let server: SimServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

describe('unreadable lines in run files', () => {
  it('are listed with file:line and why, and fail run, score and report unless --skip-bad-lines', async () => {
    server = await startSimServer({ personas: [taggedPersona('m', 'vendor')] });
    const dir = tempDir();
    const bank = writeBank(dir, 5);
    const config = writeConfig(dir, { endpoints: [{ name: 'm', baseURL: server.baseURL, model: 'm' }] });
    const out = join(dir, 'run');
    expect((await runCaps(['run', '--config', config, '--bank', bank, '--out', out, '--quiet'])).code).toBe(0);
    expect((await runCaps(['score', out])).code).toBe(0);
    const folder = new RunFolder(out);
    const lines = readFileSync(folder.responsesPath, 'utf8').split('\n');
    // Line 2 garbage, line 4 the wrong shape, line 5 overwritten with NUL bytes.
    lines[1] = '{"key": "m|q1|clean|t0|s0", "text": "trunc';
    lines[3] = JSON.stringify({ hello: 'world' });
    lines[4] = '\u0000'.repeat(40);
    writeFileSync(folder.responsesPath, lines.join('\n'));
    appendFileSync(folder.scoresPath, 'not json at all\n');

    const path = folder.responsesPath;
    for (const args of [['run', '--config', config, '--bank', bank, '--out', out, '--quiet'], ['score', out], ['report', out, '--out', join(dir, 'report')]]) {
      const strict = await runCaps(args);
      expect(strict.code, `${args[0]}: ${strict.stderr}`).toBe(1);
      expect(strict.stderr).toContain(`caps: ${path}:2: not valid JSON; cannot be read`);
      expect(strict.stderr).toMatch(new RegExp(`${path}:4: not a record of this file: .*; cannot be read`));
      expect(strict.stderr).toContain(`${path}:5: holds NUL bytes (overwritten or damaged); cannot be read`);
      expect(strict.stderr).toMatch(/3 lines cannot be read \(listed above\)\. Repair or remove them, or pass --skip-bad-lines/);
      const lenient = await runCaps([...args, '--skip-bad-lines']);
      expect(lenient.code, `${args[0]}: ${lenient.stderr}`).toBe(0);
      expect(lenient.stderr + lenient.stdout).toMatch(/:5: holds NUL bytes \(overwritten or damaged\); skipped \(--skip-bad-lines\)/);
    }
  }, 60_000);
});
