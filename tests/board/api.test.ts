import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { FlowProducer, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.ts';
import { ALL_QUEUES } from '../../core/queues.ts';
import { createApp } from '../../board/app.ts';
import { openApiText } from '../../board/write-openapi.ts';
import { createTestEnv, type TestEnv } from '../helpers/env.ts';
import { registerVersions } from '../helpers/registry-fixture.ts';

const MODEL = 'api-model';

describe('board API on real Postgres and Redis', () => {
  let env: TestEnv;
  let server: Server;
  let base: string;
  let queues: Queue[];
  let flows: FlowProducer;
  const token = 'test-token-123';

  const call = async (method: string, path: string, body?: unknown, auth: string | null = `Bearer ${token}`) => {
    const headers: Record<string, string> = {};
    if (auth) headers.authorization = auth;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const production = async () => (await env.db.modelVersion.findMany({ where: { stage: 'Production', model: { name: MODEL } } })).map((v) => v.version);

  beforeAll(async () => {
    env = await createTestEnv({ API_TOKEN: token });
    await registerVersions(env, MODEL, 3);
    queues = ALL_QUEUES.map((q) => new Queue(q, { connection: env.redis, prefix: env.prefix }));
    flows = new FlowProducer({ connection: env.redis, prefix: env.prefix });
    const app = createApp({ db: env.db, blobs: env.blobs, config: env.config, log: createLogger('silent'), redis: env.redis, flows, queues });
    server = await new Promise((r) => { const s = app.listen(0, '127.0.0.1', () => r(s)); });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await Promise.all(queues?.map((q) => q.close()) ?? []);
    await flows?.close();
    await env?.cleanup();
  });

  it('promotes, archives the previous Production version, and records both events', async () => {
    let r = await call('POST', `/api/models/${MODEL}/versions/1/promote`, { reason: 'first' });
    expect(r.status).toBe(200);
    expect(r.body.version).toMatchObject({ version: 1, stage: 'Production', aliases: ['champion'] });
    r = await call('POST', `/api/models/${MODEL}/versions/2/promote`, { reason: 'better on held-out' });
    expect(r.status).toBe(200);
    expect(await production()).toEqual([2]);
    const versions = (await call('GET', `/api/models/${MODEL}/versions`)).body.versions;
    expect(versions.map((v: any) => [v.version, v.stage])).toEqual([[3, 'None'], [2, 'Production'], [1, 'Archived']]);
    const events = (await call('GET', `/api/models/${MODEL}/events`)).body.events;
    const last = events.slice(-2);
    expect(last.map((e: any) => [e.kind, e.version, e.fromStage, e.toStage])).toEqual([
      ['archive', 1, 'Production', 'Archived'],
      ['promote', 2, 'None', 'Production'],
    ]);
    expect(last[1]).toMatchObject({ previousVersion: 1, actor: 'api', reason: 'better on held-out' });
  });

  it('rolls back to the version in Production before the current one', async () => {
    const r = await call('POST', `/api/models/${MODEL}/rollback`, { reason: 'v2 mislabels cs.CL' });
    expect(r.status).toBe(200);
    expect(r.body.version).toMatchObject({ version: 1, stage: 'Production' });
    expect(await production()).toEqual([1]);
    const events = (await call('GET', `/api/models/${MODEL}/events`)).body.events;
    expect(events.at(-1)).toMatchObject({ kind: 'rollback', version: 1, fromStage: 'Archived', toStage: 'Production', previousVersion: 2, reason: 'v2 mislabels cs.CL' });
    const models = (await call('GET', '/api/models')).body.models;
    expect(models.find((m: any) => m.name === MODEL)).toMatchObject({ productionVersion: 1, aliases: { champion: 1 } });
  });

  it('exposes Prometheus metrics read from Redis and Postgres at scrape time', async () => {
    await queues[0]!.add('probe', {}, { delay: 60_000 });
    await call('GET', `/api/models/${MODEL}/versions`);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    const prod = await env.db.modelVersion.findFirstOrThrow({ where: { stage: 'Production', model: { name: MODEL } } });
    expect(value(`radar_production_model_version{model="${MODEL}"}`)).toBe(prod.version);
    expect(value(`radar_production_model_f1_macro{model="${MODEL}"}`)).toBe((prod.metrics as { f1_macro: number }).f1_macro);
    expect(value(`radar_queue_jobs{queue="${queues[0]!.name}",state="delayed"}`)).toBe(1);
    expect(value(`radar_queue_jobs{queue="${queues[0]!.name}",state="failed"}`)).toBe(0);
    expect(value('radar_papers{state="stored"}')).toBe(await env.db.paper.count());
    expect(value(`radar_http_requests_total{method="GET",route="/api/models/:name/versions",status="200"}`)).toBeGreaterThanOrEqual(1);
    expect(text).toContain('radar_process_resident_memory_bytes');
    await queues[0]!.obliterate({ force: true });
  });

  it('validates every documented body with the documented schema: an unknown field is a 400 naming it', async () => {
    const doc = JSON.parse(openApiText());
    const sample: Record<string, string> = { name: MODEL, version: '1', key: 'k', alias: 'a', id: 'x' };
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(ops)) {
        const schema = op.requestBody?.content['application/json'].schema;
        if (!schema || schema.additionalProperties !== false) continue;
        const url = path.replace(/\{([A-Za-z]+)\}/g, (_m, p: string) => sample[p]!);
        const r = await call(method.toUpperCase(), url, { zzUnknownField: 1 });
        expect(r.status, `${method} ${path}`).toBe(400);
        expect(r.body.error.message, `${method} ${path}`).toMatch(/zzUnknownField|Unrecognized key/);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12);
    expect(await production()).toEqual([1]);
  });

  it('serves its OpenAPI document, the one committed in docs/', async () => {
    const r = await call('GET', '/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(JSON.parse(openApiText()));
    expect(r.body.openapi).toBe('3.1.0');
  });

  it('pages through nights newest first, ties on queue time included, with the total', async () => {
    // Seven runs of one date (the date filter keeps other tests' nights out); four share one
    // queue time, as a backfill's nights do, so only the id breaks their tie.
    const t = (s: number) => new Date(Date.UTC(2001, 0, 2, 0, 0, s));
    const queuedAt = [t(5), t(3), t(3), t(3), t(3), t(1), t(9)];
    await env.db.pipelineRun.createMany({
      data: queuedAt.map((at, i) => ({ pipeline: 'nightly', logicalDate: new Date('2001-01-01T00:00:00Z'), runNumber: i + 1, trigger: 'test', source: 'sample', params: {}, status: i === 0 ? 'failed' : 'succeeded', queuedAt: at })),
    });
    const pages = [];
    for (let offset = 0; offset < 9; offset += 3) {
      const r = await call('GET', `/api/pipeline-runs?date=2001-01-01&limit=3&offset=${offset}`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ total: 7, limit: 3, offset });
      pages.push(r.body.pipelineRuns.map((n: any) => n.runNumber));
    }
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    const order = pages.flat();
    expect(new Set(order).size).toBe(7);
    expect(order[0]).toBe(7); // queued last
    expect(order[1]).toBe(1);
    expect(order.slice(2, 6).sort()).toEqual([2, 3, 4, 5]);
    expect(order[6]).toBe(6); // queued first
    // The same query twice gives the same order (the tie-break is stable, not the heap's).
    const again = (await call('GET', '/api/pipeline-runs?date=2001-01-01&limit=7')).body.pipelineRuns.map((n: any) => n.runNumber);
    expect(again).toEqual(order);

    const failed = await call('GET', '/api/pipeline-runs?date=2001-01-01&status=failed');
    expect(failed.body.total).toBe(1);
    expect(failed.body.pipelineRuns.map((n: any) => n.runNumber)).toEqual([1]);
    for (const bad of ['offset=-1', 'offset=x', 'limit=0', 'limit=501', 'date=2019-02-30', 'date=2019-2-1']) {
      const r = await call('GET', `/api/pipeline-runs?${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
    }
  });

  it('answers 404 for an unknown version or model and changes nothing', async () => {
    const before = await env.db.modelEvent.count();
    let r = await call('POST', `/api/models/${MODEL}/versions/99/promote`, {});
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
    expect(r.body.error.message).toContain('no version 99');
    r = await call('POST', '/api/models/no-such-model/rollback', {});
    expect(r.status).toBe(404);
    r = await call('GET', '/api/models/no-such-model/versions');
    expect(r.status).toBe(404);
    expect(await env.db.modelEvent.count()).toBe(before);
    expect(await production()).toEqual([1]);
  });

  it('refuses mutations without the right token, and bad input with 400, never 500', async () => {
    expect((await call('POST', `/api/models/${MODEL}/versions/3/promote`, {}, null)).status).toBe(401);
    expect((await call('POST', `/api/models/${MODEL}/versions/3/promote`, {}, 'Bearer wrong-token')).status).toBe(403);
    let r = await call('POST', `/api/models/${MODEL}/versions/3/promote`, '{"reason": ');
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/malformed JSON/);
    r = await call('POST', `/api/models/${MODEL}/versions/3/promote`, { reason: 'x', extra: true });
    expect(r.status).toBe(400);
    r = await call('POST', `/api/models/${MODEL}/versions/abc/promote`, {});
    expect(r.status).toBe(400);
    r = await call('POST', `/api/models/${MODEL}/rollback`, { to: 'two' });
    expect(r.status).toBe(400);
    r = await call('GET', '/api/papers?from=2019-13-45');
    expect(r.status).toBe(400);
    // Date.parse reads these as March 2 and 1: a query must not quietly answer for another day.
    for (const q of ['/api/papers?from=2019-02-30', '/api/papers?to=2019-02-29', '/api/trends?from=2019-02-30']) {
      r = await call('GET', q);
      expect(r.status, q).toBe(400);
      expect(r.body.error.message, q).toContain('not a date');
    }
    r = await call('GET', '/api/papers?from=2019-12-31&to=2019-01-01');
    expect(r.status).toBe(400);
    r = await call('POST', '/api/pipeline-runs', { logicalDate: '2019-02-30' });
    expect(r.status).toBe(400);
    // An unknown candidate is refused before any night is created, naming what is known.
    const nights = await env.db.pipelineRun.count();
    r = await call('POST', '/api/pipeline-runs', { logicalDate: '2019-12-31', params: { candidates: ['linear-svm', 'random-forest'] } });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/unknown candidate "random-forest" \(kinds: .*svm-nb-blend.*; sets: default, search\)/);
    expect(await env.db.pipelineRun.count()).toBe(nights);
    expect(await production()).toEqual([1]);
  });

  it('answers 409 for a version already in Production or Archived', async () => {
    let r = await call('POST', `/api/models/${MODEL}/versions/1/promote`, {});
    expect(r.status).toBe(409);
    r = await call('POST', `/api/models/${MODEL}/versions/2/promote`, {});
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/Archived/);
  });

  it('keeps exactly one Production version under a storm of concurrent promotes and rollbacks', async () => {
    const requests = Array.from({ length: 30 }, (_, i) =>
      i % 3 === 0 ? call('POST', `/api/models/${MODEL}/rollback`, { reason: `storm ${i}` }) : call('POST', `/api/models/${MODEL}/versions/${(i % 3) + 1}/promote`, { reason: `storm ${i}` }),
    );
    const results = await Promise.all(requests);
    for (const r of results) expect([200, 404, 409], JSON.stringify(r.body)).toContain(r.status);
    expect(results.some((r) => r.status === 200)).toBe(true);
    expect(await production()).toHaveLength(1);
    // The history is one consistent sequence: each Production change starts from the version
    // the previous change left in Production.
    const events = (await call('GET', `/api/models/${MODEL}/events`)).body.events.filter((e: any) => e.toStage === 'Production');
    for (let i = 1; i < events.length; i++) expect(events[i].previousVersion).toBe(events[i - 1].version);
    expect(events.at(-1).version).toBe((await production())[0]);
  });
});
