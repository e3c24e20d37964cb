import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import { createLogger } from '../../core/log.ts';
import { registerStage } from '../../core/pipeline/register.ts';
import type { NightRef, SelectOutput } from '../../core/queues.ts';
import { listEvents, parseModelUri, productionVersion, promoteVersion, registerVersion } from '../../core/registry/registry.ts';
import { endRun, getOrCreateExperiment, logArtifact, startRun } from '../../core/tracking/tracking.ts';
import { startTestBoard, type TestBoard } from '../helpers/board.ts';
import { createTestEnv, type TestEnv } from '../helpers/env.ts';
import { registerVersions } from '../helpers/registry-fixture.ts';

const MODEL = 'reg-model';

describe('model registry on real PostgreSQL', () => {
  let env: TestEnv;
  let board: TestBoard;
  const stageOf = async () =>
    Object.fromEntries((await env.db.modelVersion.findMany({ where: { model: { name: MODEL } }, orderBy: { version: 'asc' } })).map((v) => [v.version, v.stage]));

  beforeAll(async () => {
    env = await createTestEnv({ API_TOKEN: 'registry-token' });
    board = await startTestBoard(env);
    await registerVersions(env, MODEL, 4);
  });
  afterAll(async () => {
    await board?.close();
    await env?.cleanup();
  });

  it('promote archives the previous Production version in the same transaction; champion follows; events say who, when, from, to, why', async () => {
    expect((await board.call('POST', `/api/models/${MODEL}/versions/1/promote`, { reason: 'first', actor: 'alice' })).status).toBe(200);
    const r = await board.call('POST', `/api/models/${MODEL}/versions/2/promote`, { reason: 'beats v1 by 0.01', actor: 'bob' });
    expect(r.status).toBe(200);
    expect(r.body.version).toMatchObject({ version: 2, stage: 'Production', aliases: ['champion'] });
    expect(await stageOf()).toEqual({ 1: 'Archived', 2: 'Production', 3: 'None', 4: 'None' });
    const events = (await board.call('GET', `/api/models/${MODEL}/events`)).body.events;
    expect(events.slice(-2)).toMatchObject([
      { kind: 'archive', version: 1, fromStage: 'Production', toStage: 'Archived', actor: 'bob', reason: 'replaced by version 2: beats v1 by 0.01' },
      { kind: 'promote', version: 2, fromStage: 'None', toStage: 'Production', previousVersion: 1, actor: 'bob', reason: 'beats v1 by 0.01' },
    ]);
    for (const e of events) expect(Date.parse(e.at)).toBeGreaterThan(0);
    // The database refuses a second Production version whatever the code does.
    await expect(env.db.modelVersion.updateMany({ where: { model: { name: MODEL }, version: 3 }, data: { stage: 'Production' } })).rejects.toThrow(/Unique constraint/);
  });

  it('rollback goes to the version in Production before the current one, or to a named one', async () => {
    await board.call('POST', `/api/models/${MODEL}/versions/3/promote`, { reason: 'v3' });
    let r = await board.call('POST', `/api/models/${MODEL}/rollback`, { reason: 'v3 mislabels cs.CL' });
    expect(r.body.version).toMatchObject({ version: 2, stage: 'Production' });
    // Again: steps back past the version it rolled back from.
    r = await board.call('POST', `/api/models/${MODEL}/rollback`, { reason: 'v2 too' });
    expect(r.body.version).toMatchObject({ version: 1 });
    r = await board.call('POST', `/api/models/${MODEL}/rollback`, { to: 3, reason: 'v3 was fine after all' });
    expect(r.status).toBe(200);
    expect(await stageOf()).toEqual({ 1: 'Archived', 2: 'Archived', 3: 'Production', 4: 'None' });
    const last = (await listEvents(env.db, MODEL)).at(-1)!;
    expect(last).toMatchObject({ kind: 'rollback', version: 3, fromStage: 'Archived', toStage: 'Production', previousVersion: 1, reason: 'v3 was fine after all' });
    expect((await board.call('GET', `/api/models/${MODEL}`)).body.model).toMatchObject({ productionVersion: 3, aliases: { champion: 3 } });
  });

  it('refuses (409) to roll back or promote to a version whose artifact is missing or that was never evaluated', async () => {
    // A version registered without evaluation metrics.
    const exp = await getOrCreateExperiment(env.db, 'registry-fixture');
    const run = await startRun(env.db, { experimentId: exp.id, name: 'unevaluated' });
    const art = await logArtifact(env.db, env.blobs, run.id, 'model/model.bin', new TextEncoder().encode('unevaluated model'), 'application/octet-stream');
    await endRun(env.db, run.id, 'FINISHED');
    const v5 = await registerVersion(env.db, { modelName: MODEL, runId: run.id, artifactPath: 'model/model.bin', artifactSha256: art.sha256, metrics: {}, actor: 'test', reason: 'no eval' });
    expect(v5.version).toBe(5);
    const before = await env.db.modelEvent.count();
    let r = await board.call('POST', `/api/models/${MODEL}/rollback`, { to: 5 });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/never evaluated/);
    r = await board.call('POST', `/api/models/${MODEL}/versions/5/promote`, {});
    expect(r.status).toBe(409);

    // v1's bytes disappear from the blob store.
    const v1 = await env.db.modelVersion.findFirstOrThrow({ where: { model: { name: MODEL }, version: 1 } });
    const bytes = await env.blobs.get(v1.artifactSha256);
    await env.blobs.delete(v1.artifactSha256);
    r = await board.call('POST', `/api/models/${MODEL}/rollback`, { to: 1, reason: 'try' });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/lost its artifact/);
    expect(await env.db.modelEvent.count()).toBe(before);
    expect(await stageOf()).toMatchObject({ 1: 'Archived', 3: 'Production' });
    await env.blobs.put(bytes);

    // Nor can a version be registered for an artifact its run does not hold.
    await expect(registerVersion(env.db, { modelName: MODEL, runId: run.id, artifactPath: 'model/other.bin', artifactSha256: art.sha256, metrics: {}, actor: 't', reason: 'x' })).rejects.toBeInstanceOf(ConflictError);
    await expect(registerVersion(env.db, { modelName: MODEL, runId: 'nope', artifactPath: 'model/model.bin', artifactSha256: art.sha256, metrics: {}, actor: 't', reason: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(promoteVersion(env.db, { modelName: MODEL, version: 99, actor: 't', reason: 'x' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('aliases: set, move, delete with events; champion is managed by promotion only', async () => {
    let r = await board.call('PUT', `/api/models/${MODEL}/aliases/challenger`, { version: 4, reason: 'try v4 in shadow', actor: 'carol' });
    expect(r.status).toBe(200);
    expect(r.body.version).toMatchObject({ version: 4, aliases: ['challenger'] });
    r = await board.call('PUT', `/api/models/${MODEL}/aliases/challenger`, { version: 2 });
    expect(r.body.version.aliases).toEqual(['challenger']);
    const moved = (await listEvents(env.db, MODEL)).at(-1)!;
    expect(moved).toMatchObject({ kind: 'alias_set', version: 2, details: { alias: 'challenger', previousVersion: 4 } });

    expect((await board.call('PUT', `/api/models/${MODEL}/aliases/champion`, { version: 2 })).status).toBe(409);
    expect((await board.call('DELETE', `/api/models/${MODEL}/aliases/champion`)).status).toBe(409);
    expect((await board.call('PUT', `/api/models/${MODEL}/aliases/bad%20alias`, { version: 2 })).status).toBe(400);
    expect((await board.call('PUT', `/api/models/${MODEL}/aliases/12`, { version: 2 })).status).toBe(400);
    expect((await board.call('PUT', `/api/models/${MODEL}/aliases/x`, { version: 99 })).status).toBe(404);
    expect((await board.call('PUT', `/api/models/${MODEL}/aliases/x`, { version: 'two' })).status).toBe(400);
    expect((await board.call('PUT', `/api/models/${MODEL}/aliases/x`, { version: 2 }, null)).status).toBe(401);

    // Resolution of both URI forms.
    r = await board.call('GET', `/api/model-uri?uri=${encodeURIComponent(`models:/${MODEL}@challenger`)}`);
    expect(r.status).toBe(200);
    expect(r.body.version).toMatchObject({ model: MODEL, version: 2 });
    r = await board.call('GET', `/api/model-uri?uri=${encodeURIComponent(`models:/${MODEL}@champion`)}`);
    expect(r.body.version).toMatchObject({ version: 3, stage: 'Production' });
    r = await board.call('GET', `/api/model-uri?uri=${encodeURIComponent(`models:/${MODEL}/4`)}`);
    expect(r.body.version).toMatchObject({ version: 4 });
    expect((await board.call('GET', `/api/model-uri?uri=${encodeURIComponent(`models:/${MODEL}@nobody`)}`)).status).toBe(404);
    expect((await board.call('GET', `/api/model-uri?uri=${encodeURIComponent('runs:/abc/model')}`)).status).toBe(400);
    expect((await board.call('GET', '/api/model-uri')).status).toBe(400);
    expect(parseModelUri('models:/a.b-c/12')).toEqual({ name: 'a.b-c', version: 12 });

    r = await board.call('DELETE', `/api/models/${MODEL}/aliases/challenger`, { reason: 'shadow test over' });
    expect(r.status).toBe(200);
    expect(r.body.model.aliases).toEqual({ champion: 3 });
    expect((await listEvents(env.db, MODEL)).at(-1)).toMatchObject({ kind: 'alias_deleted', version: 2, reason: 'shadow test over' });
    expect((await board.call('DELETE', `/api/models/${MODEL}/aliases/challenger`)).status).toBe(404);
  });

  it('descriptions and tags of models and versions, each change an event; one version by number', async () => {
    let r = await board.call('PATCH', `/api/models/${MODEL}`, { description: 'topic classifier for arXiv abstracts' });
    expect(r.body.model.description).toBe('topic classifier for arXiv abstracts');
    r = await board.call('PUT', `/api/models/${MODEL}/tags/owner`, { value: 'nlp-team' });
    expect(r.body.model.tags).toEqual({ owner: 'nlp-team' });
    expect((await board.call('DELETE', `/api/models/${MODEL}/tags/owner`)).body.model.tags).toEqual({});
    expect((await board.call('DELETE', `/api/models/${MODEL}/tags/owner`)).status).toBe(404);

    r = await board.call('PUT', `/api/models/${MODEL}/versions/3/tags/validated_by`, { value: 'dana' });
    expect(r.body.version).toMatchObject({ version: 3, tags: { validated_by: 'dana' } });
    r = await board.call('PATCH', `/api/models/${MODEL}/versions/3`, { description: 'the good one' });
    expect(r.body.version.description).toBe('the good one');
    r = await board.call('GET', `/api/models/${MODEL}/versions/3`);
    expect(r.body.version).toMatchObject({ version: 3, stage: 'Production', status: 'READY', description: 'the good one', tags: { validated_by: 'dana' }, aliases: ['champion'] });
    expect(r.body.version.metrics.f1_macro).toBeCloseTo(0.52);
    expect((await board.call('GET', `/api/models/${MODEL}/versions/77`)).status).toBe(404);
    expect((await board.call('GET', `/api/models/${MODEL}/versions/0`)).status).toBe(400);
    expect((await board.call('GET', '/api/models/nope')).status).toBe(404);

    const kinds = (await board.call('GET', `/api/models/${MODEL}/events?version=3`)).body.events.map((e: any) => e.kind);
    expect(kinds).toEqual(['register', 'promote', 'archive', 'rollback', 'tag_set', 'description_set']);
    expect((await board.call('GET', `/api/models/${MODEL}/events?version=x`)).status).toBe(400);
  });

  it('the promotion policy: with require-approval the winner waits as Staging/challenger until a person promotes it; below the minimum or the margin it stays out', async () => {
    const model = env.config.MODEL_NAME;
    const exp = await getOrCreateExperiment(env.db, 'gate');
    const ref: NightRef = { pipelineRunId: 'n/a', pipeline: 'nightly', logicalDate: '2019-12-30', runNumber: 1, source: 'sample' };
    const deps = { db: env.db, blobs: env.blobs, config: env.config, log: createLogger('silent') };
    const candidate = async (i: number, f1: number, champion: SelectOutput['champion']): Promise<SelectOutput> => {
      const run = await startRun(env.db, { experimentId: exp.id, name: `winner ${i}` });
      const art = await logArtifact(env.db, env.blobs, run.id, 'model/model.bin', new TextEncoder().encode(`model ${i}`), 'application/octet-stream');
      await endRun(env.db, run.id, 'FINISHED');
      return {
        snapshotId: 'n/a',
        winner: { index: 0, runId: run.id, kind: 'softmax', params: {}, validationF1Macro: f1, artifactSha256: art.sha256, test: { accuracy: f1, f1Macro: f1, logLoss: null, n: 500 } },
        champion,
      };
    };
    const policy = { promotionMinF1: 0.5, promotionMinMargin: 0.01, requireApproval: true };

    const first = await registerStage(ref, await candidate(1, 0.8, null), policy, deps);
    expect(first).toMatchObject({ version: 1, promoted: false, stage: 'Staging', reason: expect.stringMatching(/^awaiting approval: first model/) });
    let r = await board.call('GET', `/api/models/${model}`);
    expect(r.body.model).toMatchObject({ productionVersion: null, aliases: { challenger: 1 }, latestVersions: { Staging: 1 } });
    // A person approves.
    r = await board.call('POST', `/api/models/${model}/versions/1/promote`, { reason: 'reviewed the confusion matrix', actor: 'erin' });
    expect(r.body.version).toMatchObject({ stage: 'Production', aliases: ['champion'] });
    expect((await listEvents(env.db, model)).map((e) => [e.kind, e.version, e.fromStage, e.toStage, e.actor])).toEqual([
      ['register', 1, null, 'Staging', 'pipeline:nightly'],
      ['alias_set', 1, null, null, 'pipeline:nightly'],
      ['promote', 1, 'Staging', 'Production', 'erin'],
    ]);

    const champion = { version: 1, versionId: r.body.version.id, test: { accuracy: 0.8, f1Macro: 0.8, logLoss: null, n: 500 } };
    const notBetter = await registerStage(ref, await candidate(2, 0.805, champion), policy, deps);
    expect(notBetter).toMatchObject({ version: 2, promoted: false, stage: 'None', reason: expect.stringMatching(/^not better: macro-F1 0\.8050 vs champion v1 0\.8000 on the same 500 held-out papers \(needs more than \+0\.0100\)/) });
    const tooLow = await registerStage(ref, await candidate(3, 0.4, champion), { ...policy, requireApproval: false }, deps);
    expect(tooLow).toMatchObject({ version: 3, promoted: false, reason: 'macro-F1 0.4000 is below the minimum 0.5000' });
    const better = await registerStage(ref, await candidate(4, 0.85, champion), { ...policy, requireApproval: false }, deps);
    expect(better).toMatchObject({ version: 4, promoted: true, stage: 'Production' });
    // A night that asks for confidence: +0.05, but won in only 60% of the paired resamples.
    const v4 = { version: 4, versionId: better.versionId, test: { accuracy: 0.85, f1Macro: 0.85, logLoss: null, n: 500 } };
    const unsure = await registerStage(
      ref,
      await candidate(5, 0.9, { ...v4, comparison: { delta: 0.05, ci95: [-0.02, 0.12], pBetter: 0.6, resamples: 1000 } }),
      { ...policy, requireApproval: false, promotionMinConfidence: 0.9 },
      deps,
    );
    expect(unsure).toMatchObject({ version: 5, promoted: false, reason: expect.stringMatching(/^not sure enough: .* wins in 60% of paired bootstrap resamples \(needs 90%\)/) });
    const events = await listEvents(env.db, model);
    expect(events.filter((e) => e.kind === 'gate_rejected').map((e) => e.version)).toEqual([2, 3, 5]);
    expect(events.filter((e) => e.kind === 'promote').at(-1)).toMatchObject({ version: 4, previousVersion: 1, actor: 'pipeline:nightly' });
    expect(await productionVersion(env.db, model)).toMatchObject({ version: 4 });
  });
});
