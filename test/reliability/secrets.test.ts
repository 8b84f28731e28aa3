import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnCaps } from '../helpers/cli.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { taggedPersona, tempDir, walk, writeBank, writeConfig } from './fixtures.js';
import { StudioClient, labelsFor } from '../studio/client.js';
import { DEMO_BANK_PATH } from '../../src/demo/demo.js';

let sim: SimServer | undefined;
let echo: Server | undefined;
afterEach(async () => {
  await sim?.close();
  await new Promise((resolve) => (echo ? echo.close(resolve) : resolve(undefined)));
  sim = echo = undefined;
});

/** A server that refuses every request and echoes the credentials and every header back in its error, in several encodings. */
async function startEchoingServer(): Promise<string> {
  echo = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const auth = req.headers.authorization ?? '';
      const message = `invalid credentials: Authorization=${auth} urlencoded=${encodeURIComponent(auth)} base64=${Buffer.from(auth).toString('base64')} headers=${JSON.stringify(req.headers)}`;
      const body = JSON.stringify({ error: { message, type: 'invalid_request_error', code: 'invalid_api_key' } });
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': auth });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => echo!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(echo.address() as AddressInfo).port}/v1`;
}

const KEY = 'sk-live-0123456789abcdef-SECRET';
const ORG = 'org-tok-99887766554433';
const LITERAL = 'static-header-value-42';

/** Every form a secret could be written in. */
function forms(secret: string): string[] {
  return [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64').slice(0, -4), Buffer.from(`Bearer ${secret}`).toString('base64').slice(4, -4)];
}

describe('a server that echoes the API key and every header into its errors', () => {
  it('leaves no key or header value in any file or printed line of run, score and report', async () => {
    sim = await startSimServer({ personas: [taggedPersona('good-model', 'good')] });
    const leakyURL = await startEchoingServer();
    const dir = tempDir();
    const bank = writeBank(dir, 3);
    const leaky = { baseURL: leakyURL, model: 'leaky-model', apiKeyEnv: 'CAPS_LEAKY_KEY', headers: { 'X-Org-Token': '${CAPS_ORG}', 'X-Static': LITERAL }, retries: 0 };
    const config = writeConfig(dir, {
      endpoints: [{ name: 'good', baseURL: sim.baseURL, model: 'good-model' }, { name: 'leaky', ...leaky }, { name: 'leaky-judge', ...leaky }],
      judge: { endpoints: ['leaky-judge'] },
    });
    const env = { ...process.env, CAPS_LEAKY_KEY: KEY, CAPS_ORG: ORG, DEBUG: '*', OPENAI_LOG: 'debug' };
    const out = join(dir, 'runs', 'run');
    const outputs: string[] = [];
    const caps = async (args: string[]) => {
      const result = await spawnCaps(args, { env, cwd: dir }).done;
      outputs.push(result.stdout, result.stderr);
      return result;
    };

    const run = await caps(['run', '--config', config, '--bank', bank, '--out', out, '--quiet']);
    expect(run.code, run.stderr).toBe(2);
    const score = await caps(['score', out, '--config', config]);
    expect(score.code, score.stderr).toBe(2);
    const report = await caps(['report', out, '--out', join(dir, 'report')]);
    // The leaky endpoint has no answer at all: it is not ranked and the report exits 2.
    expect(report.code, report.stderr).toBe(2);

    const written = walk(dir).filter((f) => !f.endsWith('.yaml'));
    expect(readFileSync(join(out, 'responses.jsonl'), 'utf8')).toContain('good says answer-q0');
    expect(written.map((f) => f.slice(dir.length))).toEqual(
      expect.arrayContaining(['/runs/run/responses.jsonl', '/runs/run/scores.jsonl', '/report/report.html', '/report/answers.csv', '/report/results.json']),
    );
    // The studio over the same folders, with the key still in its environment: database, pages, API and log.
    const studio = spawnCaps(['studio', join(dir, 'runs'), '--port', '0'], { env, cwd: dir });
    const url = await new Promise<string>((resolve, reject) => {
      let seen = '';
      studio.proc.stdout!.on('data', (d) => (seen += d) && /caps studio: (http:\/\/\S+)/.test(seen) && resolve(/caps studio: (http:\/\/\S+)/.exec(seen)![1]));
      studio.proc.on('exit', () => reject(new Error(`caps studio exited: ${seen}`)));
    });
    const coordinator = await new StudioClient(url).signIn();
    const made = await coordinator.post<{ invite: string }>('/api/coordinator/graders', { name: 'dr-a', role: 'physician' });
    const grader = await new StudioClient(url).signIn(made.body.invite);
    const pages: string[] = [await (await grader.raw('/')).text(), JSON.stringify(await grader.get('/api/me'))];
    for (;;) {
      const next = await grader.get('/api/next');
      if (next.answer === undefined) break;
      const view = await grader.get(`/api/answers/${next.answer}`);
      expect((await grader.post(`/api/answers/${next.answer}/labels`, { base: 0, bankHash: view.bankHash, labels: labelsFor(view) })).status).toBe(200);
      pages.push(JSON.stringify(view), JSON.stringify(await grader.get(`/api/answers/${next.answer}`)), JSON.stringify(await coordinator.get(`/api/review/units/${next.answer}`)));
    }
    expect(pages.length).toBeGreaterThan(2);
    for (const path of ['/api/coordinator/graders', '/api/coordinator/answers', '/api/coordinator/audit', '/api/review/agreement?resamples=10', '/api/comments']) pages.push(JSON.stringify(await coordinator.get(path)));
    studio.proc.kill('SIGTERM');
    const stopped = await studio.done;
    outputs.push(stopped.stdout, stopped.stderr, ...pages);

    const files = walk(dir).filter((f) => !f.endsWith('.yaml'));
    expect(files.some((f) => f.endsWith('studio.db'))).toBe(true);
    // Read as bytes: the database and its WAL are binary.
    const all = [...files.map((f) => readFileSync(f, 'latin1')), ...outputs];
    // The errors were recorded (redacted), so the test saw what it meant to.
    expect(readFileSync(join(out, 'responses.jsonl'), 'utf8')).toMatch(/invalid credentials: Authorization=Bearer \[redacted\]/);
    expect(readFileSync(join(out, 'scores.jsonl'), 'utf8')).toContain('[redacted]');
    for (const secret of [KEY, ORG, LITERAL]) {
      for (const form of forms(secret)) for (const text of all) expect(text.includes(form), `${form} found`).toBe(false);
    }
  }, 180_000);

  it('leaves no key or header value in the bank, its review files or any printed line of caps draft', async () => {
    const url = await startEchoingServer();
    const dir = tempDir();
    const bank = join(dir, 'bank');
    cpSync(DEMO_BANK_PATH, bank, { recursive: true });
    const before = walk(bank).map((f) => [f, readFileSync(f, 'utf8')]);
    const config = writeConfig(dir, { endpoints: [{ name: 'leaky', baseURL: url, model: 'leaky-model', apiKeyEnv: 'CAPS_LEAKY_KEY', headers: { 'X-Org-Token': '${CAPS_ORG}', 'X-Static': LITERAL }, retries: 0 }] });
    const env = { ...process.env, CAPS_LEAKY_KEY: KEY, CAPS_ORG: ORG, DEBUG: '*', OPENAI_LOG: 'debug' };
    const drafted = await spawnCaps(['draft', '--bank', bank, '--count', '2', '--attempts', '2', '--model', 'leaky', '--config', config], { env, cwd: dir }).done;
    expect(drafted.code, drafted.stderr).toBe(2);
    // The refusal was reported (redacted), so the test saw what it meant to.
    expect(drafted.stderr).toMatch(/invalid credentials: Authorization=Bearer \[redacted\]/);
    // Every file but the config (which holds the literal header value by design).
    const all = [...walk(dir).filter((f) => f !== config).map((f) => readFileSync(f, 'latin1')), drafted.stdout, drafted.stderr];
    for (const secret of [KEY, ORG, LITERAL]) {
      for (const form of forms(secret)) for (const text of all) expect(text.includes(form), `${form} found`).toBe(false);
    }
    // Nothing of a failed draft was written into the bank.
    for (const [file, text] of before) expect(readFileSync(file, 'utf8')).toBe(text);
  }, 60_000);
});
