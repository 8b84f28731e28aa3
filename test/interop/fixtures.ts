/** Paths of the shared public-benchmark fixtures (../shared/fixtures beside the checkout) and temp folders. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/', import.meta.url));
export const GAPS_SAMPLE = join(FIXTURES, 'gaps', 'GAPS-NSCLC-preview.sample.xlsx');
export const GAPS_COMMUNITY = join(FIXTURES, 'gaps', 'community_contributions.xlsx');
export const HEALTHBENCH_SAMPLE = join(FIXTURES, 'healthbench', 'oss_eval_sample.jsonl');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `caps-interop-${prefix}-`));
}
