/**
 * Every way an endpoint fails, over real HTTP: what `caps run` prints (the cause with the
 * server's own message, the key redacted, what to do), its exit code, and how many requests
 * reached the server before the endpoint was given up.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { runCaps } from '../helpers/cli.js';
import { loadBankOrThrow } from '../../src/bank/load.js';
import { simPersonas } from '../../src/endpoints/sim/catalog.js';
import { startSimServer } from '../../src/endpoints/sim/server.js';

const BANK = 'questions/lung-cancer/chemo-toxicity.yaml';
const KEY = 'sk-test-0123456789abcdefSECRET';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  delete process.env.CAPS_TEST_KEY;
});

/** A server that answers every request with `reply`, counting requests. */
async function serve(reply: (auth: string) => { status: number; body: unknown }): Promise<{ baseURL: string; requests: () => number }> {
  let requests = 0;
  server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      const { status, body } = reply(req.headers.authorization ?? '');
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests: () => requests };
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function config(baseURL: string, extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'caps-fail-'));
  const path = join(dir, 'caps.config.yaml');
  writeFileSync(path, `endpoints:\n  - name: vendor\n    baseURL: ${baseURL}\n    model: vendor-model\n    apiKeyEnv: CAPS_TEST_KEY\n    concurrency: 1\n    retries: 1\n${extra}`);
  return path;
}

async function run(configPath: string) {
  process.env.CAPS_TEST_KEY = KEY;
  const out = join(configPath, '..', 'run');
  const result = await runCaps(['run', '--config', configPath, '--bank', BANK, '--samples', '3', '--out', out, '--quiet', '--no-cache']);
  return { ...result, out, responses: readFileSync(join(out, 'responses.jsonl'), 'utf8') };
}

const gaveUpAfter = (stderr: string) => Number(/gave up after (\d+) requests?/.exec(stderr)?.[1]);

describe('caps run: endpoint failures', () => {
  it('401 whose body echoes the key: gives up at once, prints the cause redacted, never writes the key', async () => {
    const api = await serve((auth) => ({ status: 401, body: { error: { message: `Incorrect API key provided: ${auth.replace('Bearer ', '')}`, type: 'invalid_request_error' } } }));
    const r = await run(config(api.baseURL));
    expect(r.code).toBe(2);
    expect(api.requests()).toBe(1);
    expect(gaveUpAfter(r.stderr)).toBe(1);
    expect(r.stderr).toMatch(/the server refused the credentials \(HTTP 401\), not retried/);
    expect(r.stderr).toMatch(/server said: .*Incorrect API key provided: \[redacted\]/);
    expect(r.stderr).toMatch(/what to do: check the key in CAPS_TEST_KEY/);
    expect(r.stderr).not.toMatch(/after \d+ retr/);
    expect(r.stderr).toMatch(/given up/);
    expect(r.stderr + r.stdout + r.responses).not.toContain(KEY);
    expect(r.stderr).toMatch(/^caps run: config .*caps\.config\.yaml \(given with --config\)/);
  });

  it('404 unknown model: one request, the model named, advice to list models', async () => {
    const api = await serve(() => ({ status: 404, body: { error: { message: 'The model `vendor-model` does not exist', code: 'model_not_found' } } }));
    const r = await run(config(api.baseURL));
    expect(r.code).toBe(2);
    expect(api.requests()).toBe(1);
    expect(gaveUpAfter(r.stderr)).toBe(1);
    expect(r.stderr).toMatch(/does not know model "vendor-model"/);
    expect(r.stderr).toMatch(/server said: 404 The model `vendor-model` does not exist/);
    expect(r.stderr).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/v1\/models/);
  });

  it('connection refused for the whole run: gives up after the first answer and its retry', async () => {
    const port = await closedPort();
    const r = await run(config(`http://127.0.0.1:${port}/v1`));
    expect(r.code).toBe(2);
    expect(gaveUpAfter(r.stderr)).toBe(2);
    expect(r.stderr).toMatch(/nothing accepts connections at http:\/\/127\.0\.0\.1:\d+\/v1 \(connection refused\), after 1 retry/);
    expect(r.stderr).toMatch(/server said: .*ECONNREFUSED/);
    expect(r.stderr).toMatch(/what to do: start the server/);
  });

  it('500 forever: retried, then given up after five failed answers in a row', async () => {
    const api = await serve(() => ({ status: 500, body: { error: { message: 'upstream overloaded' } } }));
    const r = await run(config(api.baseURL));
    expect(r.code).toBe(2);
    expect(api.requests()).toBe(10); // 5 answers x (1 try + 1 retry)
    expect(gaveUpAfter(r.stderr)).toBe(10);
    expect(r.stderr).toMatch(/5 × the server failed \(HTTP 500\), after 1 retry each/);
    expect(r.stderr).toMatch(/server said: 500 upstream overloaded/);
  }, 30_000);

  it('a model that answers empty: recorded as an error with advice on max_tokens, given up after five', async () => {
    const api = await serve(() => ({ status: 200, body: { id: 'x', object: 'chat.completion', model: 'vendor-model', choices: [{ index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'length' }] } }));
    const r = await run(config(api.baseURL));
    expect(r.code).toBe(2);
    expect(api.requests()).toBe(10);
    expect(gaveUpAfter(r.stderr)).toBe(10);
    expect(r.stderr).toMatch(/the model answered with no text/);
    expect(r.stderr).toMatch(/server said: the server returned no answer text \(finish_reason length\)/);
    expect(r.stderr).toMatch(/raise max_tokens/);
    const errors = r.responses.trim().split('\n').map((l) => JSON.parse(l).error?.kind);
    expect(errors).toEqual(Array(5).fill('empty'));
  }, 30_000);

  it('an endpoint whose every answer failed makes score and report exit 2 and is never ranked', async () => {
    const api = await serve(() => ({ status: 401, body: { error: { message: 'invalid key' } } }));
    const sim = await startSimServer({ personas: simPersonas(await loadBankOrThrow([BANK])) });
    try {
      const path = config(api.baseURL, `  - name: sim-strong\n    baseURL: ${sim.baseURL}\n    model: sim-strong\n`);
      const r = await run(path);
      expect(r.code).toBe(2);
      const score = await runCaps(['score', r.out, '--config', path, '--no-judge']);
      expect(score.stderr).toMatch(/^caps score: config .* · judge none \(--no-judge\): matchers only/);
      expect(score.code).toBe(2);
      expect(score.stderr).toMatch(/vendor: no answer \(its one recorded answer failed, HTTP 401: 401 invalid key\)\. It has nothing to score and will not be ranked/);
      const outDir = join(r.out, '..', 'report');
      const report = await runCaps(['report', r.out, '--format', 'json', '-o', outDir]);
      expect(report.code).toBe(2);
      expect(report.stderr).toMatch(/vendor: no answer \(its one recorded answer failed, HTTP 401.*: not ranked/);
      const results = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8'));
      expect(results.leaderboard.rows.map((row: { respondent: string }) => row.respondent)).toEqual(['sim-strong']);
      expect(results.warnings.some((w: string) => w.startsWith('vendor: no answer'))).toBe(true);
    } finally {
      await sim.close();
    }
  }, 60_000);
});
