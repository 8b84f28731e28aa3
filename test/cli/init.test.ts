/** `caps init` makes a project that lints clean and runs, scores and reports against the simulated endpoint at once. */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runCaps } from '../helpers/cli.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { simPersonas } from '../../src/endpoints/sim/catalog.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { DEFAULT_SIM_PORT } from '../../src/cli/sim.js';

let server: SimServer | undefined;
const home = process.cwd();
afterEach(async () => {
  process.chdir(home);
  delete process.env.CAPS_INIT_TEST_KEY;
  await server?.close();
  server = undefined;
});

describe('caps init', () => {
  it('scaffolds a project that lints clean, runs against caps sim, scores and reports', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'caps-init-')), 'my-eval');
    const init = await runCaps(['init', dir]);
    expect(init.code).toBe(0);
    for (const file of ['questions/my-bank.yaml', 'questions/topics.yaml', 'caps.config.yaml', '.env.example', 'README.md', '.gitignore']) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    expect(init.stderr).toMatch(/next:/);
    const config = readFileSync(join(dir, 'caps.config.yaml'), 'utf8');
    for (const preset of ['api.openai.com', 'openai.azure.com', 'api.deepseek.com', 'dashscope.aliyuncs.com/compatible-mode', '127.0.0.1:11434', 'vllm serve']) expect(config).toContain(preset);

    const again = await runCaps(['init', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/never overwrites/);

    process.chdir(dir);
    writeFileSync('.env', 'CAPS_INIT_TEST_KEY=not-printed-value\n');
    const lint = await runCaps(['lint', 'questions/']);
    expect(lint.stdout + lint.stderr).toMatch(/0 errors, 0 warnings/);
    expect(lint.code).toBe(0);

    // What `caps sim` serves for this folder, on a free port (the config's 8788 may be taken by another process).
    server = await startSimServer({ personas: simPersonas(await loadBankOrThrow(['questions'])), port: 0 });
    writeFileSync('caps.config.yaml', config.replaceAll(`127.0.0.1:${DEFAULT_SIM_PORT}`, new URL(server.baseURL).host));

    const run = await runCaps(['run', '--quiet']);
    expect(run.stderr).toMatch(/^caps run: config \.\/caps\.config\.yaml \(found in the working folder\) · judge not used \(caps score judges\) · \.env set CAPS_INIT_TEST_KEY/);
    expect(run.stderr).not.toContain('not-printed-value');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/endpoint sim-strong: \d+ calls, \d+ input \+ \d+ output tokens; cost 0\.\d{4} USD/);
    const runDir = run.stdout.trim();

    const score = await runCaps(['score', runDir]);
    expect(score.stderr).toMatch(/^caps score: config \.\/caps\.config\.yaml \(found in the working folder\) · judge sim-judge \(judge: in \.\/caps\.config\.yaml; --no-judge for matchers only\)/);
    expect(score.code).toBe(0);
    expect(score.stdout).toMatch(/judge sim-judge: \d+ calls/);

    const report = await runCaps(['report', runDir, '--format', 'json,md', '-o', 'reports/first']);
    expect(report.code).toBe(0);
    const results = JSON.parse(readFileSync('reports/first/results.json', 'utf8'));
    expect(results.leaderboard.rows.map((r: { respondent: string }) => r.respondent).sort()).toEqual(['sim-risky', 'sim-strong']);
    expect(results.usage.endpoints.map((r: { name: string }) => r.name).sort()).toEqual(['sim-risky', 'sim-strong']);
    expect(results.usage.judges[0]).toMatchObject({ name: 'sim-judge' });
    expect(readFileSync('reports/first/summary.md', 'utf8')).toMatch(/## Tokens and cost/);
  }, 120_000);
});
