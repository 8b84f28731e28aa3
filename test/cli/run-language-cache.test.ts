/** `caps run --language en` asks the English versions as their own condition; answers replayed from the cache are said to be. */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runCaps } from '../helpers/cli.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { simPersonas } from '../../src/endpoints/sim/catalog.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { RunFolder } from '../../src/io/run-folder.js';

const BANK = 'questions/lung-cancer/locally-advanced.yaml';
let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup() {
  server = await startSimServer({ personas: simPersonas(await loadBankOrThrow([BANK])) });
  const dir = mkdtempSync(join(tmpdir(), 'caps-lang-'));
  const config = join(dir, 'caps.config.yaml');
  writeFileSync(config, `endpoints:\n  - name: sim-strong\n    baseURL: ${server.baseURL}\n    model: sim-strong\n    prices: { input: 1, output: 2, currency: CNY }\n`);
  return { dir, config };
}

describe('caps run --language en', () => {
  it('sends prompt_en and turns_en, records <endpoint>@en, and reports it beside the bank-language run', async () => {
    const { dir, config } = await setup();
    const zh = await runCaps(['run', '-c', config, '-b', BANK, '-o', join(dir, 'zh'), '-q']);
    expect(zh.code).toBe(0);
    const en = await runCaps(['run', '-c', config, '-b', BANK, '-o', join(dir, 'en'), '-q', '--language', 'en']);
    expect(en.code).toBe(0);
    const records = [...(await new RunFolder(join(dir, 'en')).latestResponses()).values()];
    expect(new Set(records.map((r) => r.respondent))).toEqual(new Set(['sim-strong@en']));
    const bank = await loadBankOrThrow([BANK]);
    const multi = records.find((r) => r.variant === 'wants-surgery-now' && r.turn === 1)!;
    const item = bank.items.find((i) => i.id === multi.item)!;
    expect(multi.messages.map((m) => m.content)).toContain(item.prompt_en);
    expect(multi.messages.at(-1)!.content).toBe(item.variants.find((v) => v.id === 'wants-surgery-now')!.turns_en![0]);
    expect(new RunFolder(join(dir, 'en')).readManifest().plan.language).toBe('en');
    expect(en.stderr).toMatch(/endpoint sim-strong@en: \d+ calls, .* cost 0\.\d{4} CNY/);

    // Resuming the English run keeps its language.
    const resumed = await runCaps(['run', '-c', config, '--resume', join(dir, 'en'), '-q']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/0 HTTP requests/);

    for (const run of ['zh', 'en']) expect((await runCaps(['score', join(dir, run), '-c', config, '-q'])).code).toBe(0);
    const report = await runCaps(['report', join(dir, 'zh'), join(dir, 'en'), '--format', 'json', '-o', join(dir, 'report')]);
    expect(report.code).toBe(0);
    const results = JSON.parse(readFileSync(join(dir, 'report', 'results.json'), 'utf8'));
    expect(results.leaderboard.rows.map((r: { respondent: string }) => r.respondent).sort()).toEqual(['sim-strong', 'sim-strong@en']);
  }, 90_000);

  it('refuses items without English text, naming them', async () => {
    const { dir, config } = await setup();
    const bank = readFileSync(BANK, 'utf8').replace(/^    prompt_en: .*\n/m, '');
    writeFileSync(join(dir, 'bank.yaml'), bank.replace('topics: topics.yaml\n', ''));
    const r = await runCaps(['run', '-c', config, '-b', join(dir, 'bank.yaml'), '--language', 'en', '--plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--language en: \d+ selected forms? lack English text: lc-locally-advanced-001 \(item prompt_en\)/);
  });
});

describe('the response cache', () => {
  it('says how many answers were replayed and how to ask afresh; --no-cache asks again', async () => {
    const { dir, config } = await setup();
    const first = await runCaps(['run', '-c', config, '-b', BANK, '-o', join(dir, 'runs', 'a'), '-q']);
    expect(first.code).toBe(0);
    expect(first.stderr).not.toMatch(/replayed/);
    const asked = server!.requests();
    const second = await runCaps(['run', '-c', config, '-b', BANK, '-o', join(dir, 'runs', 'b'), '-q']);
    expect(second.stderr).toMatch(/\d+ answers were replayed from the response cache \(.*\.cache\), not asked: add --no-cache to ask afresh/);
    expect(server!.requests()).toBe(asked);
    const third = await runCaps(['run', '-c', config, '-b', BANK, '-o', join(dir, 'runs', 'c'), '-q', '--no-cache']);
    expect(third.stderr).not.toMatch(/replayed/);
    expect(server!.requests()).toBeGreaterThan(asked);
  }, 60_000);
});
