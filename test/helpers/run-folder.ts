/** A run folder with a finished model run's manifest, for tests that write their own records. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunFolder } from '../../src/io/run-folder.js';
import type { Manifest } from '../../src/schema/run.js';

export function tempRunFolder(prefix: string, bank: Manifest['bank'] = { id: 'b', version: '1', hash: 'h', paths: [] }): RunFolder {
  const folder = new RunFolder(join(mkdtempSync(join(tmpdir(), prefix)), 'run'));
  folder.writeManifest({
    id: 'run',
    harness_version: '0',
    bank,
    endpoints: [],
    respondents: [],
    plan: {},
    counts: {},
    started_at: new Date(0).toISOString(),
    status: 'complete',
  });
  return folder;
}
