/**
 * `caps init` as a library function: copies the starter project (a bank with one item of each
 * kind, its taxonomy, a config with vendor presets, .env.example, a README for the team) into
 * a folder. Existing files are never overwritten.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { UserError } from '../errors.js';
import { PACKAGE_ROOT } from '../version.js';

export const INIT_TEMPLATE_DIR = join(PACKAGE_ROOT, 'templates', 'init');

/** Template files stored under another name (npm does not ship a file named .gitignore). */
const RENAMED: Record<string, string> = { gitignore: '.gitignore' };

export interface InitResult {
  dir: string;
  /** Paths written, relative to `dir`. */
  files: string[];
}

export function scaffoldProject(dir: string): InitResult {
  const files = listFiles(INIT_TEMPLATE_DIR).map((source) => {
    const rel = relative(INIT_TEMPLATE_DIR, source);
    return { source, rel: RENAMED[rel] ?? rel };
  });
  const existing = files.filter((f) => existsSync(join(dir, f.rel))).map((f) => f.rel);
  if (existing.length > 0) {
    throw new UserError(`${dir}: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; caps init never overwrites. Choose an empty folder: caps init NEW-DIR`);
  }
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.rel)), { recursive: true });
    copyFileSync(f.source, join(dir, f.rel));
  }
  return { dir, files: files.map((f) => f.rel) };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path) : [path];
    });
}
