/**
 * Where a worker thread's module is. Built, it is the compiled .js beside the caller
 * (dist/...). Run from the TypeScript sources (tests, tsx), only the .ts file exists: a small
 * bootstrap registers tsx (then installed as a development dependency) in the worker and
 * imports it, since module hooks cannot be registered from a worker on Node 20.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface WorkerEntry {
  code: string | URL;
  /** Pass as the Worker's `eval` option: `code` is a bootstrap script, not a file. */
  evaluated: boolean;
}

/** The worker module `name` (without extension) beside the module at `base` (its import.meta.url). */
export function workerEntry(base: string, name: string): WorkerEntry {
  const js = new URL(`./${name}.js`, base);
  if (existsSync(fileURLToPath(js))) return { code: js, evaluated: false };
  const tsx = createRequire(base).resolve('tsx/cjs/api');
  const ts = fileURLToPath(new URL(`./${name}.ts`, base));
  return { code: `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(ts)});`, evaluated: true };
}
