/**
 * Every file (or folder) in test/fixtures/broken/ is one mistake a rubric author can make.
 * Its first lines say what lint must report: `# expect: [FILE:]LINE:COL CODE MESSAGE-FRAGMENT`.
 * Adding a fixture is adding one file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCaps } from '../helpers/cli.js';
import type { Diagnostic } from '../../src/bank/diagnostic.js';

const BROKEN = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'broken');
const EXPECT = /^# expect: (?:(\S+\.ya?ml):)?(\d+):(\d+) (\S+) (.+)$/;

interface Expectation {
  file: string;
  line: number;
  col: number;
  code: string;
  fragment: string;
}

function expectationsOf(fixture: string): Expectation[] {
  const isFolder = statSync(fixture).isDirectory();
  const files = isFolder ? readdirSync(fixture).map((f) => join(fixture, f)) : [fixture];
  return files.flatMap((file) => {
    // Binary fixtures start with a text line too; the bytes after it do not matter here.
    const head = readFileSync(file).toString('utf8').split('\n');
    const expectations: Expectation[] = [];
    for (const line of head) {
      const m = EXPECT.exec(line);
      if (!m) break;
      expectations.push({ file: m[1] ? join(fixture, m[1]) : file, line: Number(m[2]), col: Number(m[3]), code: m[4], fragment: m[5] });
    }
    return expectations;
  });
}

async function lintJson(args: string[]): Promise<{ code: number; diagnostics: Diagnostic[]; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await runCaps(['lint', '--format', 'json', ...args]);
  return { code, diagnostics: JSON.parse(stdout).diagnostics, stdout, stderr };
}

const fixtures = readdirSync(BROKEN).sort();

describe('broken bank fixtures', () => {

  it('has at least 25 different mistakes, each with an expectation', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(25);
    for (const name of fixtures) expect(expectationsOf(join(BROKEN, name)), `${name} needs a "# expect:" first line`).not.toHaveLength(0);
    const codes = new Set(fixtures.flatMap((name) => expectationsOf(join(BROKEN, name)).map((e) => e.code)));
    expect(codes.size).toBeGreaterThanOrEqual(25);
  });

  it.each(fixtures)('%s: exit 1 with the expected file:line:col and message', async (name) => {
    const fixture = join(BROKEN, name);
    const { code, diagnostics, stderr } = await lintJson([fixture]);
    expect(code).toBe(1);
    expect(stderr).not.toMatch(/internal error|\n\s+at /);
    for (const e of expectationsOf(fixture)) {
      const found = diagnostics.find(
        (d) => resolve(d.file) === e.file && d.line === e.line && d.col === e.col && d.code === e.code && d.severity === 'error' && d.message.includes(e.fragment),
      );
      const near = diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code} ${d.message}`).join('\n');
      expect(found, `expected ${e.line}:${e.col} ${e.code} "${e.fragment}" in\n${near}`).toBeDefined();
    }
    for (const d of diagnostics) {
      expect(d.line).toBeGreaterThanOrEqual(1);
      expect(d.col).toBeGreaterThanOrEqual(1);
      expect(d.message).not.toMatch(/Invalid input|expected \w+, received|Unrecognized key/);
    }
  });

  it('prints text lines as file:line:col error [item-id] message', async () => {
    const { code, stdout } = await runCaps(['lint', join(BROKEN, 'unknown-key-typo.yaml')]);
    expect(code).toBe(1);
    expect(stdout).toContain('test/fixtures/broken/unknown-key-typo.yaml:13:11 error [item-1] unknown key "scroe"; did you mean "score"?\n');
    expect(stdout).toMatch(/^result\s+1 error, 0 warnings$/m);
  });

  it('lints the whole folder of broken fixtures at once without throwing', async () => {
    const { code, diagnostics } = await lintJson([BROKEN]);
    expect(code).toBe(1);
    expect(diagnostics.length).toBeGreaterThan(fixtures.length);
  });
});
