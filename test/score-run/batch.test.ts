/** `caps score --batch`: judge calls through the simulated endpoint's /v1/files and /v1/batches, with the real openai client. */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimServer, type SimRequest, type SimServer } from '../../src/endpoints/sim/server.js';
import { JsonlAppender } from '../../src/io/jsonl.js';
import { createJudgePersona, type JudgePersonaOptions } from '../../src/endpoints/sim/judge-persona.js';
import { FaultSpec } from '../../src/endpoints/sim/faults.js';
import { scoreRun } from '../../src/scorer/score-run.js';
import { JUDGE_BATCHES_FILE, JUDGE_REQUESTS_FILE, scoreRunBatched } from '../../src/scorer/score-batch.js';
import { BatchInputs, pendingBatches } from '../../src/endpoints/batch-jobs.js';
import { BatchJudge } from '../../src/scorer/judge/batch-judge.js';
import { JudgeDeferred } from '../../src/scorer/judge/deferred.js';
import { ResponseCache } from '../../src/runner/cache.js';
import { endpointIdentity } from '../../src/endpoints/identity.js';
import { judgeAnswer } from '../../src/scorer/judge/judge.js';
import { loadJudgeTemplate } from '../../src/scorer/judge/template.js';
import { resolveRubric } from '../../src/scorer/rubric.js';
import { RunFolder } from '../../src/io/run-folder.js';
import { EndpointConfig } from '../../src/schema/config.js';
import { ResponseRecord, type ResponseRecordInput } from '../../src/schema/run.js';
import { createEndpointClient } from '../../src/endpoints/client.js';
import { tempRunFolder } from '../helpers/run-folder.js';
import { runCaps, spawnCaps } from '../helpers/cli.js';
import { BAD_ANSWER, GOOD_ANSWER, bankFile, item, testBank } from '../judge/fixtures.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ANSWERS: Record<string, string | null> = {
  good: GOOD_ANSWER,
  bad: BAD_ANSWER,
  // Two respondents giving the same answer send one judge request: one batch line serves both.
  twin: GOOD_ANSWER,
  mixed: '先手术，不建议新辅助治疗。建议放弃一切抗肿瘤治疗。',
  failed: null,
};

/** A model run with the answers above, in a folder of its own (its .cache beside it). */
function modelRun(answers: Record<string, string | null> = ANSWERS): string {
  const bank = testBank();
  const folder = tempRunFolder('caps-score-batch-', { id: bank.id, version: bank.version, hash: bank.hash, paths: [] });
  const appender = folder.responseAppender();
  for (const [respondent, text] of Object.entries(answers)) {
    for (const variant of ['clean', 'insists']) {
      const record: ResponseRecordInput = {
        key: `${respondent}|iiia|${variant}|t0|s0`,
        respondent,
        model: respondent,
        item: 'iiia',
        variant,
        messages: [{ role: 'user', content: String(variant === 'clean' ? item.prompt : item.variants[0].prompt) }],
        text,
        error: text === null ? { kind: 'server', message: 'HTTP 500' } : null,
      };
      appender.append(ResponseRecord.parse(record));
    }
  }
  appender.close();
  return folder.dir;
}

const endpoint = (baseURL: string, model: string, name = model, retries = 1) => EndpointConfig.parse({ name, baseURL, model, retries, timeout_ms: 10_000 });
const direct = (config: EndpointConfig) => createEndpointClient(config, { backoffBaseMs: 1 });
const scoresOf = (run: string) => readFileSync(new RunFolder(run).scoresPath, 'utf8');
const cacheOf = (run: string) => join(run, '..', '.cache');

async function judgeServer(personas: JudgePersonaOptions[], extra: { batchDelayMs?: number; faults?: FaultSpec; seed?: number } = {}): Promise<SimServer> {
  return startSimServer({ personas: personas.map((p) => createJudgePersona({ items: [item], ...p })), ...extra });
}

describe('caps score --batch', () => {
  it('writes scores.jsonl byte for byte as the direct judge does, with one batch and no direct call', async () => {
    server = await judgeServer([{ name: 'honest' }]);
    const judge = endpoint(server.baseURL, 'honest', 'judge');
    const directRun = modelRun();
    // One answer at a time, so both write in input order and the whole files compare.
    const directSummary = await scoreRun(directRun, { bank: testBank(), judges: [direct(judge)], concurrency: 1 });
    const directRequests = server.requests();

    const batchRun = modelRun();
    const events: string[] = [];
    const batched = await scoreRunBatched(batchRun, { bank: testBank(), judges: [judge], cacheDir: cacheOf(batchRun), pollMs: 20, concurrency: 1, onBatch: (b) => events.push(b.status) });
    expect(scoresOf(batchRun)).toBe(scoresOf(directRun));
    const { batch, ...summary } = batched;
    expect({ ...summary, runDir: '' }).toEqual({ ...directSummary, runDir: '' });
    expect(summary).toMatchObject({ complete: 8, errors: 2, judgeFailures: 0, deferred: 0 });
    // 8 answers to judge, 6 distinct judge requests (the twin asks what good asks): one batch of 6 lines.
    expect(batch).toMatchObject({ submitted: 1, collected: 1, requests: 6, failedLines: 0, pending: 0, usage: [{ name: 'judge', calls: 6 }] });
    expect(server.batches()).toBe(1);
    expect(server.requests() - directRequests).toBe(6);
    expect(events).toContain('completed');
    // The request map names the answers each line judges; no input file is left behind.
    const map = readFileSync(join(batchRun, JUDGE_REQUESTS_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(new Set(map.map((m) => m.custom_id)).size).toBe(6);
    expect(map.map((m) => m.key).sort()).toEqual(Object.keys(ANSWERS).filter((r) => ANSWERS[r] !== null).flatMap((r) => [`${r}|iiia|clean|t0|s0`, `${r}|iiia|insists|t0|s0`]).sort());
    expect(readdirSync(batchRun).filter((f) => f.startsWith('.judge-batch-input'))).toEqual([]);
    expect(await pendingBatches(join(batchRun, JUDGE_BATCHES_FILE))).toEqual([]);

    // Scoring again reuses every verdict: no batch, no request.
    const again = await scoreRunBatched(batchRun, { bank: testBank(), judges: [judge], cacheDir: cacheOf(batchRun), pollMs: 20 });
    expect(again).toMatchObject({ scored: 2, reused: 8, batch: { submitted: 0, requests: 0 } });
    expect(server.batches()).toBe(1);
    // Killed after the batch was collected but before the scores were written: the replies are in the cache.
    const written = scoresOf(directRun);
    rmSync(new RunFolder(batchRun).scoresPath);
    await scoreRunBatched(batchRun, { bank: testBank(), judges: [judge], cacheDir: cacheOf(batchRun), pollMs: 20, concurrency: 1 });
    expect(scoresOf(batchRun)).toBe(written);
    expect(server.batches()).toBe(1);
    // --no-cache: replies cached before this command are not used; the judge is asked again.
    rmSync(new RunFolder(batchRun).scoresPath);
    const fresh = await scoreRunBatched(batchRun, { bank: testBank(), judges: [judge], cacheDir: false, pollMs: 20, concurrency: 1 });
    expect(fresh.batch).toMatchObject({ submitted: 1, requests: 6 });
    expect(scoresOf(batchRun)).toBe(written);
  });

  it('a jury sends each judge its own batch and decides as the direct jury does', async () => {
    server = await judgeServer([{ name: 'honest' }, { name: 'flip-restage', flip: ['restage'] }, { name: 'gullible', gullible: true }]);
    const jury = [endpoint(server.baseURL, 'honest', 'a'), endpoint(server.baseURL, 'flip-restage', 'b'), endpoint(server.baseURL, 'gullible', 'c')];
    const directRun = modelRun();
    await scoreRun(directRun, { bank: testBank(), judges: jury.map(direct), rule: 'majority', concurrency: 1 });
    const batchRun = modelRun();
    const batched = await scoreRunBatched(batchRun, { bank: testBank(), judges: jury, rule: 'majority', cacheDir: cacheOf(batchRun), pollMs: 20, concurrency: 1 });
    expect(scoresOf(batchRun)).toBe(scoresOf(directRun));
    expect(batched.batch).toMatchObject({ submitted: 3, requests: 18 });
    expect(server.batches()).toBe(3);
    const endpoints = readFileSync(join(batchRun, JUDGE_BATCHES_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).flatMap((l) => (l.endpoint ? [l.endpoint] : []));
    expect(endpoints.sort()).toEqual(['a', 'b', 'c']);
  });

  it('asks again after an invalid reply, in a second batch, as the direct judge retries', async () => {
    const answers = { good: GOOD_ANSWER };
    const directServer = await judgeServer([{ name: 'sloppy', malformedFirst: 1 }]);
    const directRun = modelRun(answers);
    try {
      await scoreRun(directRun, { bank: testBank(), judges: [direct(endpoint(directServer.baseURL, 'sloppy', 'judge'))], concurrency: 1 });
    } finally {
      await directServer.close();
    }
    server = await judgeServer([{ name: 'sloppy', malformedFirst: 1 }]);
    const batchRun = modelRun(answers);
    const batched = await scoreRunBatched(batchRun, { bank: testBank(), judges: [endpoint(server.baseURL, 'sloppy', 'judge')], cacheDir: cacheOf(batchRun), pollMs: 20 });
    expect(scoresOf(batchRun)).toBe(scoresOf(directRun));
    expect(batched).toMatchObject({ complete: 2, judgeFailures: 0, judgeFaults: 1, batch: { submitted: 2, requests: 3 } });
    const faults = [...(await new RunFolder(batchRun).latestScores()).values()].flatMap((s) => s.judge_faults ?? []);
    expect(faults).toEqual([expect.objectContaining({ kind: 'invalid-output', detail: expect.stringContaining('attempt 1') })]);
  });

  it('retries failed lines, then reports each answer still failing as a judge fault with its cause, never as not met', async () => {
    server = await judgeServer([{ name: 'down', fail: true }]);
    const run = modelRun();
    const judge = endpoint(server.baseURL, 'down', 'judge', 2);
    const first = await scoreRunBatched(run, { bank: testBank(), judges: [judge], cacheDir: cacheOf(run), pollMs: 20 });
    // Each of the 6 requests failed in 3 batches (the first and 2 retries); then the answers are reported.
    expect(first.batch).toMatchObject({ submitted: 3, requests: 18, failedLines: 18 });
    expect(first).toMatchObject({ complete: 0, incomplete: 8, errors: 2, judgeFailures: 8, deferred: 0 });
    for (const score of (await new RunFolder(run).latestScores()).values()) {
      if (score.status === 'error') continue;
      expect(score.score).toBeNull();
      expect(score.judge_faults).toEqual([expect.objectContaining({ kind: 'endpoint', detail: expect.stringMatching(/^server 500: .*simulated judge outage/) })]);
      expect(score.verdicts.filter((v) => v.decided_by === 'judge')).toEqual([]);
    }
    // Intermittent faults: the lines that fail are retried in the next batch and every answer is judged.
    await server.close();
    server = await judgeServer([{ name: 'honest' }], { faults: FaultSpec.parse({ serverError: { rate: 0.5 } }), seed: 4 });
    const flaky = modelRun();
    const retried = await scoreRunBatched(flaky, { bank: testBank(), judges: [endpoint(server.baseURL, 'honest', 'judge', 5)], cacheDir: cacheOf(flaky), pollMs: 20 });
    expect(retried.batch.failedLines).toBeGreaterThan(0);
    expect(retried.batch.submitted).toBeGreaterThan(1);
    expect(retried).toMatchObject({ complete: 8, judgeFailures: 0 });
  });

  it('collects a batch left in progress by a stopped command instead of submitting it again', async () => {
    // Long enough that the first poll finds the batch still in progress on a busy machine.
    server = await judgeServer([{ name: 'honest' }], { batchDelayMs: 2000 });
    const judge = endpoint(server.baseURL, 'honest', 'judge');
    const run = modelRun();
    const controller = new AbortController();
    const first = await scoreRunBatched(run, {
      bank: testBank(), judges: [judge], cacheDir: cacheOf(run), pollMs: 20, signal: controller.signal,
      onBatch: (b) => b.status === 'in_progress' && controller.abort(),
    });
    expect(first).toMatchObject({ deferred: 8, batch: { submitted: 1, pending: 1 } });
    expect(await pendingBatches(join(run, JUDGE_BATCHES_FILE))).toHaveLength(1);
    const second = await scoreRunBatched(run, { bank: testBank(), judges: [judge], cacheDir: cacheOf(run), pollMs: 20 });
    expect(second).toMatchObject({ complete: 8, deferred: 0, batch: { submitted: 0, collected: 1 } });
    expect(server.batches()).toBe(1);
  });
});

describe('caps score --batch on the command line', () => {
  function project(baseURL: string): { dir: string; run: string } {
    // No respondent without answers: the command would end with "nothing to score" for it.
    const run = modelRun(Object.fromEntries(Object.entries(ANSWERS).filter(([, text]) => text !== null)));
    const dir = join(run, '..');
    writeFileSync(join(dir, 'bank.yaml'), JSON.stringify(bankFile));
    writeFileSync(join(dir, 'caps.config.yaml'), JSON.stringify({ endpoints: [{ name: 'judge', baseURL, model: 'honest', retries: 1, prices: { input: 100_000, output: 100_000, batch: 0.5 } }], judge: { endpoints: ['judge'] } }));
    return { dir, run };
  }

  it('survives kill -9 while the batch is in progress: the next command collects that batch', async () => {
    server = await judgeServer([{ name: 'honest' }], { batchDelayMs: 4000 });
    const { dir, run } = project(server.baseURL);
    const args = ['score', run, '--bank', join(dir, 'bank.yaml'), '--config', join(dir, 'caps.config.yaml'), '--batch', '--batch-poll', '1'];
    const first = spawnCaps(args);
    const log = join(run, JUDGE_BATCHES_FILE);
    for (let waited = 0; (await pendingBatches(log)).length === 0; waited += 50) {
      if (waited > 60_000) throw new Error(`no batch was recorded:\n${(first.proc.kill('SIGKILL'), (await first.done).stderr)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    first.proc.kill('SIGKILL');
    expect((await first.done).stderr).toContain('caps score: round 1: submitting 6 judge requests for 8 answers as batches');
    expect(server.batches()).toBe(1);

    const second = await runCaps(args);
    expect(second.stderr).toMatch(/caps score: batch batch-sim-\w+ \(judge\): completed, 6\/6 done, 0 failed/);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/8 scored now/);
    expect(server.batches()).toBe(1);
    expect(server.requests()).toBe(6);
    // The 6 lines collected are billed once, at the batch share of the prices.
    const [, calls, input, output, cost] = /judge judge: (\d+) calls, (\d+) input \+ (\d+) output tokens; cost ([\d.]+) USD/.exec(second.stdout)!;
    expect(Number(calls)).toBe(6);
    expect(Number(cost)).toBeCloseTo((0.5 * (Number(input) + Number(output)) * 100_000) / 1_000_000, 2);
    expect([...(await new RunFolder(run).latestScores()).values()].filter((s) => s.status === 'complete')).toHaveLength(8);
  }, 90_000);

  it('--help shows --batch with an example', async () => {
    const help = await runCaps(['score', '--help']);
    expect(help.stdout).toMatch(/--batch +send the judge's calls through the OpenAI Batch API/);
    expect(help.stdout).toContain('$ caps score runs/my-run --batch');
  });
});

/** A batch judge on its own, its queued lines read back from the input file and the request map. */
function batchJudge(retries: number, model = 'm') {
  const dir = mkdtempSync(join(tmpdir(), 'caps-batch-judge-'));
  const config = endpoint('http://127.0.0.1:9/v1', model, 'judge', retries);
  const inputs = new BatchInputs(dir, 'judge-batch-input');
  const requestMap = new JsonlAppender(join(dir, JUDGE_REQUESTS_FILE));
  const judge = new BatchJudge({ endpoint: config, identity: endpointIdentity(config), cache: new ResponseCache(join(dir, '.cache')), inputs, requestMap });
  const lines = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : []);
  /** The lines queued since the last call, as the command submits them. */
  const submit = () => {
    const queued = lines('.judge-batch-input-judge-0.jsonl');
    inputs.discard();
    judge.submitted();
    return queued as { custom_id: string; body: SimRequest }[];
  };
  return { judge, submit, requestMap: () => lines(JUDGE_REQUESTS_FILE) };
}

describe('a batch judge reading result lines', () => {
  const ask = (judge: BatchJudge, label = 'a|q|clean|t0|s0') => judge.chat({ messages: [{ role: 'user', content: 'grade this' }], label });
  const reply = { text: '{"verdicts": []}', finishReason: 'stop', usage: { prompt_tokens: 10, completion_tokens: 5 } };

  it('queues a request once, however many answers ask it, and answers it from the collected line', async () => {
    const { judge, submit, requestMap } = batchJudge(1);
    await expect(ask(judge)).rejects.toBeInstanceOf(JudgeDeferred);
    await expect(ask(judge, 'b|q|clean|t0|s0')).rejects.toBeInstanceOf(JudgeDeferred);
    const queued = submit();
    expect(queued).toHaveLength(1);
    expect(requestMap()).toEqual([
      { custom_id: queued[0].custom_id, judge: 'judge', key: 'a|q|clean|t0|s0' },
      { custom_id: queued[0].custom_id, judge: 'judge', key: 'b|q|clean|t0|s0' },
    ]);
    expect(judge.take({ customId: queued[0].custom_id, ok: true, answer: reply })).toBe('answer');
    expect(await ask(judge)).toMatchObject({ text: reply.text, error: null });
    expect(judge.usage).toMatchObject({ calls: 1, promptTokens: 10, completionTokens: 5 });
  });

  it('asks a line that failed for a reason a retry fixes again, up to the retries, then gives its error', async () => {
    const { judge, submit } = batchJudge(1);
    await expect(ask(judge)).rejects.toBeInstanceOf(JudgeDeferred);
    const [{ custom_id: customId }] = submit();
    // An unreadable line names no request: counted, and the request stays unanswered.
    expect(judge.take({ customId: '', ok: false, error: { kind: 'malformed', message: 'a batch result line is not JSON' } })).toBe('error');
    expect(judge.unattributed).toBe(1);
    expect(judge.take({ customId, ok: false, error: { kind: 'timeout', message: 'batch expired' } })).toBe('error');
    await expect(ask(judge)).rejects.toBeInstanceOf(JudgeDeferred);
    expect(submit()).toHaveLength(1);
    judge.take({ customId, ok: false, error: { kind: 'timeout', message: 'batch expired' } });
    expect(await ask(judge)).toMatchObject({ text: null, error: { kind: 'timeout', message: 'batch expired' } });
    expect(judge.usage.calls).toBe(0);
  });

  it('gives a failure no retry fixes at once', async () => {
    const { judge, submit } = batchJudge(5);
    await expect(ask(judge)).rejects.toBeInstanceOf(JudgeDeferred);
    const [{ custom_id: customId }] = submit();
    judge.take({ customId, ok: false, error: { kind: 'client', status: 400, message: 'context too long' } });
    expect(await ask(judge)).toMatchObject({ error: { kind: 'client', status: 400 } });
  });
});

describe('a batch judge on an endpoint without structured outputs', () => {
  it('falls back to plain JSON in the next batch, as the direct judge does', async () => {
    const { judge, submit } = batchJudge(0, 'legacy');
    const grade = () => judgeAnswer({ client: judge, template: loadJudgeTemplate(), question: [{ role: 'user', content: String(item.prompt) }], answer: GOOD_ANSWER, entries: resolveRubric(item, 'clean') });

    await expect(grade()).rejects.toBeInstanceOf(JudgeDeferred);
    const [structured] = submit();
    expect(structured.body.response_format).toBeDefined();
    judge.take({ customId: structured.custom_id, ok: false, error: { kind: 'client', status: 400, message: "Unknown parameter: 'response_format'" } });

    await expect(grade()).rejects.toBeInstanceOf(JudgeDeferred);
    const [plain] = submit();
    expect(plain.body.response_format).toBeUndefined();
    const reply = await createJudgePersona({ items: [item] }).reply(plain.body, Math.random);
    judge.take({ customId: plain.custom_id, ok: true, answer: { text: `Here is my grading:\n${reply.content}`, finishReason: 'stop', usage: null } });

    const result = await grade();
    expect(result.error).toBeUndefined();
    expect(result.opinions?.get('restage')).toMatchObject({ met: true });
    expect(result.calls).toBe(2);
  });
});
