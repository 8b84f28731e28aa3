/** The built `caps` executable (package.json's `bin`, the bundle `npm run build` writes). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export const BUILT_CLI: string = join(root, (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { caps: string } }).bin.caps);

/** The `caps` of a dist folder (a copy of another build's): the bundle, or tsc's output in builds that have none. */
export function builtCliIn(dist: string): string {
  const bundle = join(dist, 'bin', 'caps.js');
  return existsSync(bundle) ? bundle : join(dist, 'cli', 'bin.js');
}
