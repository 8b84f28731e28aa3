/**
 * The bank loader's code as one hash, part of every bank cache key so that a new rule or default
 * never meets an entry an older loader wrote. The sources are the bank folder's modules and the
 * bank schema, under `root` (src/ with TypeScript sources, dist/ once compiled); the CLI bundle
 * has no such files beside it and is given the hash of its sources when it is built.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The loader's source files, relative to `root`, in a fixed order. */
function loaderSources(root: string): string[] {
  const modules = readdirSync(join(root, 'bank')).filter((f) => /\.[jt]s$/.test(f) && !f.endsWith('.d.ts'));
  return [...modules.sort().map((f) => `bank/${f}`), ...['schema/bank.js', 'schema/bank.ts'].filter((f) => existsSync(join(root, f)))];
}

/** The hash of source files under `root` (by default the loader's): their names and bytes. */
export function loaderSourceHash(root: string, files: readonly string[] = loaderSources(root)): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update('\0').update(readFileSync(join(root, file))).update('\0');
  return hash.digest('hex');
}
