import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importGaps } from '../../src/interop/import-gaps.js';
import { importHealthBench } from '../../src/interop/import-healthbench.js';
import { exportGaps, exportHealthBench } from '../../src/interop/export.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { GAPS_COMMUNITY, GAPS_SAMPLE, HEALTHBENCH_SAMPLE, tempDir } from './fixtures.js';

const bankAt = async (file: string) => loadBankOrThrow([file]);

/** Each bank file holds the same bank as the first: same id, same hash. */
async function expectSameBank(dir: string, first: Awaited<ReturnType<typeof bankAt>>, files: string[]): Promise<void> {
  for (const file of files) {
    const again = await bankAt(join(dir, file));
    expect([again.id, again.hash]).toEqual([first.id, first.hash]);
  }
}

describe("a bank's identity does not depend on a file name", () => {
  it.each([
    ['GAPS layout', GAPS_SAMPLE],
    ['GAPS community layout', GAPS_COMMUNITY],
  ])('%s: renamed sheet, and import -> export -> import under any name, give the same id and hash', async (_name, source) => {
    const dir = tempDir('identity');
    await importGaps({ file: source, out: join(dir, 'a.yaml') });
    const first = await bankAt(join(dir, 'a.yaml'));
    expect(first.id).toMatch(/^gaps-[0-9a-f]{10}$/);
    copyFileSync(source, join(dir, 'renamed for round 2.xlsx'));
    await importGaps({ file: join(dir, 'renamed for round 2.xlsx'), out: join(dir, 'b.yaml') });
    await exportGaps(first, join(dir, 'exported-under-another-name.xlsx'));
    await importGaps({ file: join(dir, 'exported-under-another-name.xlsx'), out: join(dir, 'c.yaml') });
    await expectSameBank(dir, first, ['b.yaml', 'c.yaml']);
  });

  it('HealthBench: renamed file and import -> export -> import give the same id and hash', async () => {
    const dir = tempDir('identity-hb');
    await importHealthBench({ file: HEALTHBENCH_SAMPLE, out: join(dir, 'a.yaml') });
    const first = await bankAt(join(dir, 'a.yaml'));
    expect(first.id).toMatch(/^healthbench-[0-9a-f]{10}$/);
    copyFileSync(HEALTHBENCH_SAMPLE, join(dir, 'professional.jsonl'));
    await importHealthBench({ file: join(dir, 'professional.jsonl'), out: join(dir, 'b.yaml') });
    await exportHealthBench(first, join(dir, 'x.jsonl'));
    await importHealthBench({ file: join(dir, 'x.jsonl'), out: join(dir, 'c.yaml') });
    await expectSameBank(dir, first, ['b.yaml', 'c.yaml']);
  });

  it('--bank-id names the bank; a re-import into the same bank file keeps its id', async () => {
    const dir = tempDir('identity-given');
    await importGaps({ file: GAPS_SAMPLE, out: join(dir, 'nsclc.yaml'), bankId: 'nsclc' });
    expect((await bankAt(join(dir, 'nsclc.yaml'))).id).toBe('nsclc');
    copyFileSync(GAPS_SAMPLE, join(dir, 'revised.xlsx'));
    await importGaps({ file: join(dir, 'revised.xlsx'), out: join(dir, 'nsclc.yaml') });
    expect((await bankAt(join(dir, 'nsclc.yaml'))).id).toBe('nsclc');
    writeFileSync(join(dir, 'not-a-bank.yaml'), ': not yaml [');
    await importGaps({ file: GAPS_SAMPLE, out: join(dir, 'not-a-bank.yaml') });
    expect((await bankAt(join(dir, 'not-a-bank.yaml'))).id).toMatch(/^gaps-/);
  });
});
