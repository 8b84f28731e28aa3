/**
 * Review rounds through the studio at the scale of the CAPS method: two reviewers over 20
 * items, a first round with 3 revision requests (15%, not admitted) and a second over the
 * revised items with none (0%), after which all 20 are admitted; and items a model drafted
 * (caps draft against caps sim) entering the studio's review queue as drafts.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintBank } from '../../src/bank/lint.js';
import { setItemStatuses } from '../../src/bank/write-back.js';
import { stringify } from 'yaml';
import { simPersonas } from '../../src/endpoints/sim/catalog.js';
import { startSimServer, type SimServer } from '../../src/endpoints/sim/server.js';
import { startStudio, type Studio } from '../../src/studio/server.js';
import { StudioClient } from './client.js';
import { studioFixture, type StudioFixture } from './fixture.js';

describe('caps studio: review rounds', () => {
  let fx: StudioFixture;
  let studio: Studio;
  let coordinator: StudioClient;
  let sim: SimServer;
  const reviewers: Record<string, StudioClient> = {};

  beforeAll(async () => {
    fx = await studioFixture(2);
    // 20 items of the demo bank go back to review; the rest stay admitted.
    await setItemStatuses([fx.bankDir], new Map(fx.bank.items.slice(0, 20).map((i) => [i.id, 'in-review'])));
    sim = await startSimServer({ port: 0, personas: simPersonas(fx.bank) });
    const config = join(fx.dir, 'caps.config.yaml');
    writeFileSync(config, stringify({ endpoints: ['sim-drafter', 'sim-drafter-nonsense'].map((name) => ({ name, baseURL: sim.baseURL, model: name, retries: 0, timeout_ms: 10_000 })) }));
    studio = await startStudio({ runDirs: [fx.runDir], bankPaths: [fx.bankDir], port: 0, config });
    coordinator = await new StudioClient(studio.url).signIn();
    for (const name of ['dr-a', 'dr-b']) {
      const { invite } = (await coordinator.post<{ invite: string }>('/api/coordinator/graders', { name, role: 'physician' })).body;
      reviewers[name] = await new StudioClient(studio.url).signIn(invite);
    }
  }, 120_000);
  afterAll(async () => {
    await studio.close();
    await sim.close();
    rmSync(fx.dir, { recursive: true, force: true });
  });

  it('admits 20 items only after a second round: 15% then 0%', { timeout: 180_000 }, async () => {
    const ids = fx.bank.items.slice(0, 20).map((i) => i.id);
    expect((await coordinator.get('/api/rounds')).candidates.map((c: { id: string }) => c.id).sort()).toEqual([...ids].sort());
    expect((await coordinator.post('/api/rounds/open', { reviewers: ['dr-a', 'dr-b'], perItem: 2 })).status).toBe(200);
    const flagged = ids.slice(0, 3);
    for (const id of ids) {
      for (const [name, client] of Object.entries(reviewers)) {
        const revise = name === 'dr-a' && flagged.includes(id);
        const r = await client.post('/api/rounds/decide', { item: id, decision: revise ? 'revise' : 'accept', comments: revise ? [{ text: 'the reference answer needs the guideline version' }] : [] });
        expect(r.status).toBe(200);
      }
    }
    const first = await coordinator.post('/api/rounds/close', {});
    expect(first.body.round).toMatchObject({ round: 1, items: 20, withRequests: 3, rate: 0.15, passed: false, admitted: 0 });
    expect((await lintBank([fx.bankDir])).summary?.statuses).toMatchObject({ 'in-review': 20 });

    const waiting = await reviewers['dr-b'].get('/api/rounds');
    expect(waiting.items.filter((i: { status: string }) => i.status === 'awaiting-revision').map((i: { id: string }) => i.id).sort()).toEqual([...flagged].sort());
    expect(waiting.items.filter((i: { status: string }) => i.status === 'accepted')).toHaveLength(17);
    for (const id of flagged) expect((await reviewers['dr-b'].post('/api/rounds/revise', { item: id, note: 'guideline version added' })).status).toBe(200);

    // Only the revised items enter round 2; dr-b revised them, so they need reviewers other than dr-b.
    expect((await coordinator.get('/api/rounds')).candidates.map((c: { id: string }) => c.id).sort()).toEqual([...flagged].sort());
    const refused = await coordinator.post('/api/rounds/open', { reviewers: ['dr-a', 'dr-b'], perItem: 2 });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/needs 2 reviewers who did not write it/);
    expect((await coordinator.post('/api/rounds/open', { reviewers: ['dr-a', 'dr-b', 'coordinator'], perItem: 2 })).status).toBe(200);
    const round2 = (await coordinator.get('/api/rounds')).open;
    for (const item of round2.items) {
      expect(item.reviewers).not.toContain('dr-b');
      for (const name of item.reviewers) {
        const client = name === 'coordinator' ? coordinator : reviewers[name];
        expect((await client.post('/api/rounds/decide', { item: item.id, decision: 'accept' })).status).toBe(200);
      }
    }
    const second = await coordinator.post('/api/rounds/close', {});
    expect(second.body.round).toMatchObject({ round: 2, items: 3, withRequests: 0, rate: 0, passed: true, admitted: 20 });
    const lint = await lintBank([fx.bankDir]);
    expect(lint.errors).toBe(0);
    expect(lint.summary?.statuses).toMatchObject({ 'in-review': 0, admitted: fx.bank.items.length });
    const view = await coordinator.get('/api/rounds');
    expect(view.rounds.map((r: { rate: number }) => r.rate)).toEqual([0.15, 0]);
    expect(view.reviewers.find((r: { reviewer: string }) => r.reviewer === 'dr-a')).toMatchObject({ decisions: 23, revisionRequests: 3 });
  });

  it('drafts items with the studio\'s button into empty cells; they enter the review queue as drafts and are admitted only through review', { timeout: 180_000 }, async () => {
    const offer = await coordinator.get('/api/bank/draft');
    expect(offer.endpoints).toEqual(['sim-drafter', 'sim-drafter-nonsense']);
    expect(offer.cells.length).toBeGreaterThan(0);
    expect((await reviewers['dr-a'].post('/api/bank/draft', { count: 2 })).status).toBe(403);
    const unknown = await coordinator.post('/api/bank/draft', { model: 'sim-drafterr', count: 2 });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatch(/model "sim-drafterr" is not an endpoint of .*did you mean "sim-drafter"\?/);
    expect((await coordinator.post('/api/bank/draft', { model: 'sim-drafter', count: 0 })).status).toBe(422);
    const nonsense = await coordinator.post('/api/bank/draft', { model: 'sim-drafter-nonsense', count: 1 });
    expect(nonsense.status).toBe(200);
    expect(nonsense.body.outcomes[0]).toMatchObject({ landed: false, attempts: 3 });
    expect((await coordinator.get('/api/rounds')).drafts).toEqual([]);

    const made = await coordinator.post('/api/bank/draft', { model: 'sim-drafter', count: 2 });
    expect(made.status).toBe(200);
    expect(made.body.outcomes.every((o: { landed: boolean }) => o.landed)).toBe(true);
    const drafted = made.body.outcomes.map((o: { id: string }) => o.id).sort();
    expect(made.body.outcomes.map((o: { topic: string; depth: number }) => `${o.topic}@${o.depth}`)).toEqual(offer.cells.slice(0, 2).map((c: { topic: string; depth: number }) => `${c.topic}@${c.depth}`));
    const view = await coordinator.get('/api/rounds');
    expect(view.drafts.map((d: { id: string }) => d.id).sort()).toEqual(drafted);
    expect(view.candidates.filter((c: { drafted: boolean }) => c.drafted).map((c: { id: string }) => c.id).sort()).toEqual(drafted);
    expect(view.candidates.every((c: { source: string; drafted: boolean }) => !c.drafted || c.source === 'drafted by sim-drafter')).toBe(true);
    const items = (await coordinator.get('/api/bank/items')).items.filter((i: { id: string }) => drafted.includes(i.id));
    expect(items.map((i: { status: string }) => i.status)).toEqual(['draft', 'draft']);

    expect((await coordinator.post('/api/rounds/open', { reviewers: ['dr-a', 'dr-b'], perItem: 2, items: drafted })).status).toBe(200);
    for (const client of Object.values(reviewers)) for (const id of drafted) expect((await client.post('/api/rounds/decide', { item: id, decision: 'accept' })).status).toBe(200);
    expect((await coordinator.post('/api/rounds/close', {})).body.round).toMatchObject({ rate: 0, passed: true, admitted: 2 });
    const lint = await lintBank([fx.bankDir]);
    expect(lint.errors + lint.warnings).toBe(0);
    expect(lint.summary?.statuses).toMatchObject({ draft: 0, admitted: fx.bank.items.length + 2 });
  });
});
