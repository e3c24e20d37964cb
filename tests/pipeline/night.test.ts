import type { AddressInfo } from 'node:net';
import { FlowProducer } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../board/app.ts';
import { createLogger } from '../../core/log.ts';
import { searchSpace } from '../../core/ml/index.ts';
import { nightSummary } from '../../core/pipeline/night.ts';
import type { SelectOutput } from '../../core/queues.ts';
import { listEvents } from '../../core/registry/registry.ts';
import { createTestEnv, type TestEnv } from '../helpers/env.ts';
import { startTestFleet, waitForNight } from '../helpers/fleet.ts';

// Two real nights on the bundled sample, through real BullMQ workers on Redis and a real
// PostgreSQL database: the first trains and promotes, the second must not promote a model that
// is not better than the champion, and must say why.
describe('a night on the bundled sample', () => {
  let env: TestEnv;
  let fleet: ReturnType<typeof startTestFleet>;

  beforeAll(async () => {
    env = await createTestEnv();
    fleet = startTestFleet(env);
  });
  afterAll(async () => {
    await fleet?.close();
    await env?.cleanup();
  });

  it('runs every stage and leaves a traceable Production model and labelled papers', async () => {
    const started = await fleet.start({ logicalDate: '2019-12-30', source: 'sample', trigger: 'manual' });
    expect(started.created).toBe(true);
    const run = await waitForNight(env.db, started.pipelineRunId);
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');

    const tasks = await env.db.taskRun.findMany({ where: { pipelineRunId: run.id } });
    for (const stage of ['ingest', 'prepare', 'train', 'select', 'register', 'classify']) {
      expect(tasks.filter((t) => t.stage === stage && t.status === 'succeeded'), stage).toHaveLength(1);
    }

    const snapshot = await env.db.datasetSnapshot.findFirstOrThrow({ where: { pipelineRunId: run.id } });
    expect(snapshot.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const labelCounts = snapshot.labelCounts as Record<string, number>;
    expect(Object.keys(labelCounts).length).toBeGreaterThanOrEqual(6);
    expect(Object.values(labelCounts).reduce((a, b) => a + b, 0)).toBe(snapshot.total);

    const version = await env.db.modelVersion.findFirstOrThrow({ where: { stage: 'Production' }, include: { run: { include: { params: true, metrics: true } } } });
    expect(version.version).toBe(1);
    expect(version.run.snapshotId).toBe(snapshot.id);
    expect(version.run.pipelineRunId).toBe(run.id);
    expect(version.run.params.find((p) => p.key === 'kind')?.value).toBeTruthy();
    const f1 = version.run.metrics.find((m) => m.key === 'f1_macro')?.value;
    // Six followed categories plus a few other archives, on ~2k training papers: a real model.
    expect(f1).toBeGreaterThan(0.6);
    expect((version.metrics as Record<string, number>).f1_macro).toBe(f1);

    const papersOfDay = await env.db.paper.count({ where: { publishedDay: new Date('2019-12-30T00:00:00Z') } });
    expect(papersOfDay).toBeGreaterThan(0);
    const classifications = await env.db.classification.findMany({ where: { modelVersionId: version.id } });
    expect(classifications).toHaveLength(papersOfDay);
    for (const c of classifications) {
      expect(c.confidence).toBeGreaterThan(0);
      expect(c.confidence).toBeLessThanOrEqual(1);
      expect(Object.keys(labelCounts)).toContain(c.label);
    }

    const s = await nightSummary(env.db, run.id);
    expect(s.status).toBe('succeeded');
    expect(s.promoted).toBe(true);
    expect(s.modelVersion).toBe(1);
    expect(s.classified).toBe(papersOfDay);
    expect(s.candidates.length).toBeGreaterThanOrEqual(2);
    for (const c of s.candidates) expect(c.f1_macro).toBeGreaterThan(0);
  });

  it('a second night with a weaker model keeps the champion and records why', async () => {
    const started = await fleet.start({ logicalDate: '2019-12-31', source: 'sample', trigger: 'manual', params: { candidates: ['complement-nb'] } });
    const run = await waitForNight(env.db, started.pipelineRunId);
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    const s = await nightSummary(env.db, run.id);
    expect(s.modelVersion).toBe(2);
    expect(s.promoted).toBe(false);
    expect(s.gateReason).toMatch(/^not better: macro-F1 0\.\d{4} vs champion v1 0\.\d{4} on the same \d+ held-out papers/);
    // How sure: a paired bootstrap of winner - champion on those same papers, in the reason too.
    const select = await env.db.taskRun.findFirstOrThrow({ where: { pipelineRunId: run.id, stage: 'select', status: 'succeeded' } });
    const out = select.output as unknown as SelectOutput;
    const cmp = out.champion!.comparison!;
    expect(cmp.delta).toBeCloseTo(out.winner.test.f1Macro - out.champion!.test.f1Macro, 9);
    expect(cmp.ci95[0]).toBeLessThanOrEqual(cmp.delta);
    expect(cmp.ci95[1]).toBeGreaterThanOrEqual(cmp.delta);
    expect(cmp.ci95[1]).toBeGreaterThan(cmp.ci95[0]);
    expect(s.gateReason).toContain(`winner better in ${Math.round(cmp.pBetter * 100)}% of resamples`);

    const prod = await env.db.modelVersion.findMany({ where: { stage: 'Production' } });
    expect(prod.map((v) => v.version)).toEqual([1]);
    const events = await listEvents(env.db, 'arxiv-topics');
    const rejected = events.filter((e) => e.kind === 'gate_rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.version).toBe(2);
    expect(rejected[0]!.reason).toBe(s.gateReason);
    // The day's papers were labelled by the model in Production after the gate: still v1.
    const v1 = prod[0]!;
    const day = await env.db.paper.findMany({ where: { publishedDay: new Date('2019-12-31T00:00:00Z') }, select: { topicModelVersionId: true } });
    expect(day.length).toBeGreaterThan(0);
    for (const p of day) expect(p.topicModelVersionId).toBe(v1.id);
  });

  it('the API answers papers by topic and window, trends, runs with params and metrics, and a night', async () => {
    const flows = new FlowProducer({ connection: env.redis, prefix: env.prefix });
    const app = createApp({ db: env.db, blobs: env.blobs, config: env.config, log: createLogger('silent'), redis: env.redis, flows, queues: [] });
    const server = await new Promise<import('node:http').Server>((r) => { const s = app.listen(0, '127.0.0.1', () => r(s)); });
    const get = async (path: string) => (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`)).json() as Promise<any>;
    try {
      const day = await env.db.paper.findMany({ where: { publishedDay: { gte: new Date('2019-12-30T00:00:00Z') } } });
      const topic = day[0]!.topic!;
      const byTopic = await get(`/api/papers?topic=${encodeURIComponent(topic)}&from=2019-12-30&to=2019-12-31`);
      expect(byTopic.total).toBe(day.filter((p) => p.topic === topic).length);
      for (const p of byTopic.papers) {
        expect(p.topic).toBe(topic);
        expect(p.published >= '2019-12-30').toBe(true);
      }
      const trends = await get('/api/trends?bucket=day&from=2019-12-30&to=2019-12-31');
      expect(trends.series.reduce((n: number, r: { papers: number }) => n + r.papers, 0)).toBe(day.length);

      const runs = await get('/api/runs?experiment=arxiv-topics');
      const candidates = runs.runs.filter((r: any) => r.tags.role === 'candidate');
      expect(candidates.length).toBeGreaterThanOrEqual(3);
      for (const r of candidates) {
        expect(r.params.kind).toBeTruthy();
        expect(r.params.snapshot_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(r.metrics.val_f1_macro).toBeGreaterThan(0);
        expect(r.artifacts.map((a: any) => a.path)).toContain('model/model.bin');
        expect(r.parentRunId).toBeTruthy();
      }
      // On-demand classification answers exactly what the night stored for the same papers.
      const post = async (path: string, body: unknown) => {
        const r = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: r.status, body: (await r.json()) as any };
      };
      const sample = day.slice(0, 5);
      const stored = await env.db.classification.findMany({ where: { paperId: { in: sample.map((p) => p.id) } }, include: { modelVersion: true } });
      const byPapers = await post('/api/classify', { papers: sample.map((p) => ({ title: p.title, abstract: p.abstract })), k: 2 });
      expect(byPapers.status).toBe(200);
      expect(byPapers.body).toMatchObject({ model: 'arxiv-topics', version: 1, stage: 'Production' });
      sample.forEach((p, i) => {
        const c = stored.find((x) => x.paperId === p.id && x.modelVersion.version === 1)!;
        expect(byPapers.body.predictions[i].label).toBe(c.label);
        expect(byPapers.body.predictions[i].confidence).toBeCloseTo(c.confidence, 6);
        expect(byPapers.body.predictions[i].topK).toHaveLength(2);
      });
      const byText = await post('/api/classify', { texts: sample.map((p) => `${p.title} ${p.abstract}`), model: 'models:/arxiv-topics/1' });
      expect(byText.body.predictions.map((x: any) => x.label)).toEqual(byPapers.body.predictions.map((x: any) => x.label));
      expect((await post('/api/classify', { texts: ['x'], model: 'models:/arxiv-topics/9' })).status).toBe(404);
      expect((await post('/api/classify', { texts: ['x'], model: 'arxiv-topics' })).status).toBe(400);
      expect((await post('/api/classify', { texts: ['x'], papers: [{ title: 't', abstract: 'a' }] })).status).toBe(400);
      expect((await post('/api/classify', {})).status).toBe(400);

      const nights = await get('/api/pipeline-runs');
      expect(nights.pipelineRuns.map((n: any) => [n.logicalDate, n.status])).toEqual([['2019-12-31', 'succeeded'], ['2019-12-30', 'succeeded']]);
      const one = await get(`/api/pipeline-runs/${nights.pipelineRuns[1].id}`);
      expect(one).toMatchObject({ logicalDate: '2019-12-30', status: 'succeeded', modelVersion: 1, promoted: true });
      expect((await get('/api/pipeline-runs/nope')).error.code).toBe('not_found');
    } finally {
      await new Promise((r) => server.close(r));
      await flows.close();
    }
  });

  it('fans out the hyper-parameter grid with candidates: search, and keeps the validation winner', async () => {
    const started = await fleet.start({ logicalDate: '2019-12-31', source: 'sample', trigger: 'manual', params: { candidates: ['search'] } });
    const run = await waitForNight(env.db, started.pipelineRunId, 240_000);
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    const s = await nightSummary(env.db, run.id);
    const grid = searchSpace();
    expect(s.candidates).toHaveLength(grid.length);
    // Every spec of the grid was trained once, as its own tracked run with its own params
    // (run params are stored as strings, MLflow's way).
    const key = (kind: string, p: Record<string, unknown>) => `${kind} C=${p.C ?? '-'} ngramMax=${p.ngramMax ?? '-'}`;
    const trained = s.candidates.map((c) => key(c.kind, c.params)).sort();
    const wanted = grid.map((g) => key(g.kind, g.params)).sort();
    expect(trained).toEqual(wanted);
    // The registered version is the candidate with the best validation macro-F1.
    const best = Math.max(...s.candidates.map((c) => c.f1_macro ?? -1));
    const version = await env.db.modelVersion.findFirstOrThrow({ where: { version: s.modelVersion! }, include: { run: { include: { metrics: true } } } });
    expect(version.run.metrics.find((m) => m.key === 'val_f1_macro')?.value).toBe(best);
  });
});
