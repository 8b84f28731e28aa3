import { renameSync, writeFileSync } from 'node:fs';

/** Writes JSON via a temporary file and a rename, so readers never see a half-written file. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
}
