import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import { getRun, metricHistory } from '../../core/tracking/runs.ts';
import { endRun, getOrCreateExperiment, logArtifact, logMetrics, logParams, startRun } from '../../core/tracking/tracking.ts';
import { errorResponse } from '../../board/http.ts';
import { startTestBoard, type TestBoard } from '../helpers/board.ts';
import { createTestEnv, type TestEnv } from '../helpers/env.ts';

describe('experiment tracking on real PostgreSQL', () => {
  let env: TestEnv;
  let board: TestBoard;
  beforeAll(async () => {
    env = await createTestEnv({ API_TOKEN: 'tracking-token' });
    board = await startTestBoard(env);
  });
  afterAll(async () => {
    await board?.close();
    await env?.cleanup();
  });

  it('params are immutable: the same value again is a no-op, a different value a 409 that logs nothing of its batch', async () => {
    const exp = await getOrCreateExperiment(env.db, 'immutability');
    const run = await startRun(env.db, { experimentId: exp.id, name: 'p' });
    await logParams(env.db, run.id, { kind: 'softmax', seed: 42, normalise: true });
    await logParams(env.db, run.id, { kind: 'softmax', seed: 42 }); // a retried job logs again
    const err = await logParams(env.db, run.id, { seed: 7, extra: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toBe('params are immutable: seed is "42", not "7"');
    expect(errorResponse(err)).toMatchObject({ status: 409, body: { error: { code: 'conflict', details: { runId: run.id, keys: ['seed'] } } } });
    const stored = await env.db.param.findMany({ where: { runId: run.id }, orderBy: { key: 'asc' } });
    expect(stored.map((p) => [p.key, p.value])).toEqual([['kind', 'softmax'], ['normalise', 'true'], ['seed', '42']]);
    // Concurrent writers of different values: exactly one wins, the others get a conflict.
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => logParams(env.db, run.id, { race: `v${i}` })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
    await expect(logParams(env.db, 'no-such-run', { a: 1 })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('metrics are a history in step order; the latest value is the one at the highest step', async () => {
    const exp = await getOrCreateExperiment(env.db, 'history');
    const run = await startRun(env.db, { experimentId: exp.id, name: 'h' });
    const t = (s: number) => new Date(Date.UTC(2019, 11, 30, 0, 0, s));
    // Logged out of order, with two values at step 2 (the later timestamp wins).
    await logMetrics(env.db, run.id, { loss: 0.5 }, 2, t(10));
    await logMetrics(env.db, run.id, { loss: 0.9 }, 0, t(20));
    await logMetrics(env.db, run.id, { loss: 0.4 }, 2, t(30));
    await logMetrics(env.db, run.id, { loss: 0.7, acc: 0.6 }, 1, t(5));
    await logMetrics(env.db, run.id, { nan: Number.NaN }, 0); // not a number: not logged
    const history = await metricHistory(env.db, run.id, 'loss');
    expect(history.map((h) => [h.step, h.value])).toEqual([[0, 0.9], [1, 0.7], [2, 0.5], [2, 0.4]]);
    expect((await getRun(env.db, run.id)).metrics).toEqual({ loss: 0.4, acc: 0.6 });
    const r = await board.call('GET', `/api/runs/${run.id}/metrics/loss`);
    expect(r.status).toBe(200);
    expect(r.body.history).toEqual([
      { value: 0.9, step: 0, timestamp: t(20).toISOString() },
      { value: 0.7, step: 1, timestamp: t(5).toISOString() },
      { value: 0.5, step: 2, timestamp: t(10).toISOString() },
      { value: 0.4, step: 2, timestamp: t(30).toISOString() },
    ]);
    expect((await board.call('GET', '/api/runs/nope/metrics/loss')).status).toBe(404);
  });

  it('LatestMetric, kept by a trigger, always equals the latest row of the history, whatever the insert path or order', async () => {
    const exp = await getOrCreateExperiment(env.db, 'latest-trigger');
    const runs = await Promise.all([0, 1, 2].map((i) => startRun(env.db, { experimentId: exp.id, name: `l${i}` })));
    const t = (s: number) => new Date(Date.UTC(2019, 11, 30, 0, 0, s));
    // Seeded pseudo-random steps and times, concurrent writers, equal (step, time) pairs (the later
    // insert wins), and one raw SQL insert that bypasses the application code.
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => logMetrics(env.db, runs[i % 3]!.id, { [`k${rnd(3)}`]: i / 100 }, rnd(4), t(rnd(3)))),
    );
    await env.db.$executeRaw`INSERT INTO "Metric" ("runId", "key", "value", "step", "timestamp") VALUES (${runs[0]!.id}, 'k0', 42, 99, ${t(0)})`;
    const expected = await env.db.$queryRaw<{ runId: string; key: string; value: number }[]>`
      SELECT DISTINCT ON (m."runId", m."key") m."runId", m."key", m."value" FROM "Metric" m
      WHERE m."runId" IN (${runs[0]!.id}, ${runs[1]!.id}, ${runs[2]!.id})
      ORDER BY m."runId", m."key", m."step" DESC, m."timestamp" DESC, m."id" DESC`;
    const stored = await env.db.latestMetric.findMany({ where: { runId: { in: runs.map((r) => r.id) } }, select: { runId: true, key: true, value: true } });
    const byKey = (rows: { runId: string; key: string; value: number }[]) => rows.map((r) => `${r.runId}/${r.key}=${r.value}`).sort();
    expect(stored.length).toBeGreaterThanOrEqual(8);
    expect(byKey(stored)).toEqual(byKey(expected));
    expect((await getRun(env.db, runs[0]!.id)).metrics.k0).toBe(42);
  });

  it('artifacts are content-addressed: the same bytes in two runs are one blob; run-show lists them with nested runs', async () => {
    const exp = await getOrCreateExperiment(env.db, 'artifacts');
    const parent = await startRun(env.db, { experimentId: exp.id, name: 'parent', codeVersion: 'abc123' });
    const a = await startRun(env.db, { experimentId: exp.id, name: 'a', parentRunId: parent.id });
    const b = await startRun(env.db, { experimentId: exp.id, name: 'b', parentRunId: parent.id });
    const bytes = new TextEncoder().encode('the same model bytes');
    const x = await logArtifact(env.db, env.blobs, a.id, 'model/model.bin', bytes, 'application/octet-stream');
    const y = await logArtifact(env.db, env.blobs, b.id, 'model/model.bin', bytes, 'application/octet-stream');
    expect(x).toEqual(y);
    expect(await env.db.blob.count({ where: { sha256: x.sha256 } })).toBe(1);
    await expect(logArtifact(env.db, env.blobs, a.id, 'model/model.bin', new TextEncoder().encode('other'), 'application/octet-stream')).rejects.toBeInstanceOf(ConflictError);
    await endRun(env.db, a.id, 'FINISHED');

    const r = await board.call('GET', `/api/runs/${parent.id}`);
    expect(r.status).toBe(200);
    expect(r.body.run).toMatchObject({ name: 'parent', status: 'RUNNING', codeVersion: 'abc123', experiment: 'artifacts' });
    expect(r.body.run.children.map((c: any) => c.name).sort()).toEqual(['a', 'b']);
    const child = (await board.call('GET', `/api/runs/${a.id}`)).body.run;
    expect(child).toMatchObject({ parentRunId: parent.id, status: 'FINISHED', artifacts: [{ path: 'model/model.bin', sha256: x.sha256, size: bytes.length, mediaType: 'application/octet-stream' }] });
    expect((await board.call('GET', '/api/runs/nope')).status).toBe(404);
  });

  it('experiments: unique names, tags, archive and restore; an archived experiment takes no new runs', async () => {
    let r = await board.call('POST', '/api/experiments', { name: 'exp-api', tags: { team: 'nlp' } });
    expect(r.status).toBe(201);
    expect(r.body.experiment).toMatchObject({ name: 'exp-api', lifecycleStage: 'active', tags: { team: 'nlp' }, runs: 0 });
    expect((await board.call('POST', '/api/experiments', { name: 'exp-api' })).status).toBe(409);
    expect((await board.call('POST', '/api/experiments', { name: 'x' }, null)).status).toBe(401);
    expect((await board.call('POST', '/api/experiments', { name: '' })).status).toBe(400);

    // Concurrent tag writes of different keys all land (each is one atomic JSON merge).
    await Promise.all(Array.from({ length: 8 }, (_, i) => board.call('PUT', `/api/experiments/exp-api/tags/k${i}`, { value: String(i) })));
    r = await board.call('GET', '/api/experiments/exp-api');
    expect(r.body.experiment.tags).toEqual({ team: 'nlp', k0: '0', k1: '1', k2: '2', k3: '3', k4: '4', k5: '5', k6: '6', k7: '7' });
    r = await board.call('DELETE', '/api/experiments/exp-api/tags/team');
    expect(r.status).toBe(200);
    expect(r.body.experiment.tags.team).toBeUndefined();
    expect((await board.call('DELETE', '/api/experiments/exp-api/tags/team')).status).toBe(404);
    expect((await board.call('PUT', '/api/experiments/exp-api/tags/bad%20key%3B', { value: 'x' })).status).toBe(400);
    expect((await board.call('PUT', '/api/experiments/nope/tags/a', { value: 'x' })).status).toBe(404);

    const exp = await env.db.experiment.findUniqueOrThrow({ where: { name: 'exp-api' } });
    await startRun(env.db, { experimentId: exp.id, name: 'before archive' });
    r = await board.call('POST', '/api/experiments/exp-api/archive');
    expect(r.body.experiment.lifecycleStage).toBe('archived');
    await expect(startRun(env.db, { experimentId: exp.id, name: 'after archive' })).rejects.toThrow(/experiment "exp-api" is archived/);
    expect((await board.call('GET', '/api/experiments')).body.experiments.map((e: any) => e.name)).not.toContain('exp-api');
    expect((await board.call('GET', '/api/experiments?view=archived')).body.experiments.map((e: any) => e.name)).toEqual(['exp-api']);
    expect((await board.call('GET', '/api/runs?experiment=exp-api')).body.runs.map((x: any) => x.name)).toEqual(['before archive']);
    r = await board.call('POST', '/api/experiments/exp-api/restore');
    expect(r.body.experiment).toMatchObject({ lifecycleStage: 'active', runs: 1 });
    await startRun(env.db, { experimentId: exp.id, name: 'after restore' });
    expect((await board.call('GET', '/api/experiments?view=bogus')).status).toBe(400);
  });
});
