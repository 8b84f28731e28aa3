import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without type declarations
import { prepare } from '../../scripts/prepare.mjs';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A checkout with sources and a build that writes the outputs prepare looks for. */
function checkout(): { root: string; build: () => void; builds: () => number } {
  const root = mkdtempSync(join(tmpdir(), 'caps-prepare-'));
  roots.push(root);
  mkdirSync(join(root, 'src', 'cli'), { recursive: true });
  mkdirSync(join(root, 'scripts'));
  writeFileSync(join(root, 'src', 'cli', 'bin.ts'), 'export const a = 1;\n');
  writeFileSync(join(root, 'scripts', 'build-cli.ts'), '// build\n');
  writeFileSync(join(root, 'package.json'), '{"name":"x"}\n');
  let count = 0;
  const build = () => {
    count++;
    mkdirSync(join(root, 'dist', 'bin'), { recursive: true });
    writeFileSync(join(root, 'dist', 'bin', 'caps.js'), '');
    writeFileSync(join(root, 'dist', 'index.js'), '');
  };
  return { root, build, builds: () => count };
}

describe('npm prepare', () => {
  it('builds once, then not again for the same sources (npx runs prepare after npm install has)', () => {
    const { root, build, builds } = checkout();
    expect(prepare(root, build)).toBe(true);
    expect(prepare(root, build)).toBe(false);
    expect(builds()).toBe(1);
  });

  it('builds again when a source, a build script or the package file changes, or a file is added', () => {
    const { root, build, builds } = checkout();
    prepare(root, build);
    for (const [file, text] of [['src/cli/bin.ts', 'export const a = 2;\n'], ['scripts/build-cli.ts', '// other\n'], ['package.json', '{"name":"y"}\n'], ['src/cli/new.ts', '']]) {
      writeFileSync(join(root, file), text);
      expect(prepare(root, build), file).toBe(true);
      expect(prepare(root, build), file).toBe(false);
    }
    expect(builds()).toBe(5);
  });

  it('builds again when an output is missing, and records nothing when the build fails', () => {
    const { root, build, builds } = checkout();
    prepare(root, build);
    rmSync(join(root, 'dist', 'bin', 'caps.js'));
    expect(prepare(root, build)).toBe(true);
    writeFileSync(join(root, 'src', 'cli', 'bin.ts'), 'broken');
    expect(() => prepare(root, () => { throw new Error('tsc failed'); })).toThrow('tsc failed');
    expect(prepare(root, build)).toBe(true);
    expect(builds()).toBe(3);
  });
});
