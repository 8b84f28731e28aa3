/** The built `caps` executable (package.json's `bin`, the bundle `npm run build` writes). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export const BUILT_CLI: string = join(root, (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { caps: string } }).bin.caps);
