import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGaps } from '../../src/interop/import-gaps.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { createJudgePersona } from '../../src/endpoints/sim/judge-persona.js';
import { createEndpointClient } from '../../src/endpoints/client.js';
import { EndpointConfig } from '../../src/schema/config.js';
import { scoreRun } from '../../src/scorer/score-run.js';
import { reportRuns } from '../../src/report/from-runs.js';
import type { Bank } from '../../src/bank/bank.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { roundLikePython4 } from '../../src/interop/native.js';
import { GAPS_SAMPLE, tempDir } from './fixtures.js';

let server: SimServer;
let bank: Bank;
const dir = tempDir('report');
beforeAll(async () => {
  await importGaps({ file: GAPS_SAMPLE, out: join(dir, 'gaps.yaml'), answers: join(dir, 'run') });
  bank = await loadBankOrThrow([join(dir, 'gaps.yaml')]);
  server = await startSimServer({ personas: [createJudgePersona({ name: 'sim-judge', items: bank.items })] });
});
afterAll(() => server?.close());

describe("GAPS rounding: Python's round(x, 4)", () => {
  it('rounds correctly and sends exact ties to the even neighbour', () => {
    expect([1 / 32, 3 / 32, 5 / 32, 9 / 22, 2 / 3, 0, 1, 17 / 22].map(roundLikePython4)).toEqual([0.0312, 0.0938, 0.1562, 0.4091, 0.6667, 0, 1, 0.7727]);
  });
});

describe('caps report on the imported GAPS sample', () => {
  it('scores the three frontier respondents with the simulated judge and reports the depth curve over G1-G4 beside the GAPS headline', async () => {
    const judge = createEndpointClient(EndpointConfig.parse({ name: 'sim-judge', baseURL: server.baseURL, model: 'sim-judge' }));
    const scored = await scoreRun(join(dir, 'run'), { bank, judges: [judge] });
    expect(scored).toMatchObject({ answers: 24, complete: 24, incomplete: 0, errors: 0 });

    const { results, files } = await reportRuns({ runDirs: [join(dir, 'run')], outDir: join(dir, 'report'), formats: ['html', 'md', 'json'] });
    const respondents = ['claude_opus_4', 'gemini_2_5_pro', 'gpt_5'];
    expect(results.bank.profile).toBe('gaps');
    expect(results.depth.levels).toEqual([1, 2, 3, 4]);
    expect(results.depth.curves.map((c) => c.respondent).sort()).toEqual(respondents);
    for (const curve of results.depth.curves) expect(curve.levels.map((l) => [l.level, l.score.n_items])).toEqual([[1, 2], [2, 2], [3, 2], [4, 2]]);
    expect(results.bank.depth_labels).toEqual({ '1': 'G1', '2': 'G2', '3': 'G3', '4': 'G4' });

    // The native GAPS headline is the mean of the per-question native scores; the CAPS view applies S4 vetoes.
    const native = results.native!;
    expect(native.profile).toBe('gaps');
    expect(native.rows.map((r) => r.respondent)).toEqual(respondents);
    const scores = [...(await new RunFolder(join(dir, 'run')).latestScores()).values()];
    for (const row of native.rows) {
      const own = scores.filter((s) => s.respondent === row.respondent);
      expect(row.overall.examples).toBe(8);
      expect(row.overall.unclipped_mean).toBeCloseTo(own.reduce((sum, s) => sum + s.score!, 0) / 8 / 100, 12);
      expect(row.caps_view).toBeCloseTo(own.reduce((sum, s) => sum + s.caps_score!, 0) / 8 / 100, 12);
      expect(row.groups.map((g) => g.group)).toEqual(['depth:G1', 'depth:G2', 'depth:G3', 'depth:G4']);
      expect(row.caps_view).not.toBeNull();
      // The native view prints GAPS's own figure (each question rounded to 4 decimals); results.json keeps the unrounded mean too.
      const rounded = own.map((s) => roundLikePython4(s.score! / 100));
      expect(row.overall.reference).toBe(roundLikePython4(rounded.reduce((a, b) => a + b, 0) / 8));
      expect(Math.abs(row.overall.reference! - row.overall.unclipped_mean!)).toBeLessThan(1e-4);
      expect(row.caps_view!).toBeLessThanOrEqual(row.overall.score! + 1e-12);
    }

    const html = readFileSync(files.find((f) => f.endsWith('.html'))!, 'utf8');
    expect(html).toContain('GAPS headline beside the CAPS view');
    for (const name of respondents) expect(html).toContain(name);
    const md = readFileSync(files.find((f) => f.endsWith('.md'))!, 'utf8');
    expect(md).toMatch(/## GAPS headline beside the CAPS view[\s\S]*depth:G4/);
    for (const row of native.rows) expect(md).toContain(`| ${row.overall.reference!.toFixed(4)} ± ${row.overall.bootstrap_std!.toFixed(4)} (n 8) | ${row.caps_view!.toFixed(4)} |`);
  });
});
