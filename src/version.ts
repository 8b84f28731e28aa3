import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/**
 * The package root (holds package.json, rubrics/, questions/, templates/): the nearest folder
 * above this module with caps-eval's package.json, whether the module runs from src/, from
 * tsc's dist/ or from a chunk of the CLI bundle (dist/bin/). Found once, at load.
 */
function findPackage(): { root: string; version: string } {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; ) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
      if (manifest.name === 'caps-eval') return { root: dir, version: manifest.version };
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`caps-eval's package.json was not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

const found = findPackage();

export const PACKAGE_ROOT: string = found.root;

export const HARNESS_VERSION: string = found.version;
