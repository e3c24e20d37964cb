import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../core/blobs.ts';
import { loadConfig } from '../../core/config.ts';
import { ConflictError } from '../../core/errors.ts';
import { QUEUES, type MaintenanceJobData } from '../../core/queues.ts';
import { registerVersion } from '../../core/registry/registry.ts';
import { applyRetention, type RetentionReport } from '../../core/tracking/retention.ts';
import { endRun, getOrCreateExperiment, logArtifact, logParams, startRun } from '../../core/tracking/tracking.ts';
import { registerRetentionSchedule, retentionSchedulerId } from '../../producer/retention-schedule.ts';
import { createTestEnv, type TestEnv } from '../helpers/env.ts';
import { startTestFleet } from '../helpers/fleet.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const HOUR = 3600_000;

/**
 * Six runs, newest last, keeping two: run0 is behind a model version, run3 is still running,
 * run1 shares its bytes with run5, run2 has bytes of its own. Besides: an orphan blob, a fresh
 * orphan (within the grace period), a snapshot manifest and an ingest's raw input.
 */
async function seed(env: TestEnv) {
  const exp = await getOrCreateExperiment(env.db, 'ret');
  const base = Date.parse('2019-12-01T00:00:00Z');
  const runs: string[] = [];
  const bytes = { model0: enc('model of run0'), shared: enc('bytes of run1 and run5'), own2: enc('bytes only run2 has'), running3: enc('run3 still writing'), own4: enc('bytes of run4') };
  const plan: [keyof typeof bytes, 'FINISHED' | 'RUNNING'][] = [['model0', 'FINISHED'], ['shared', 'FINISHED'], ['own2', 'FINISHED'], ['running3', 'RUNNING'], ['own4', 'FINISHED'], ['shared', 'FINISHED']];
  for (const [i, [b, status]] of plan.entries()) {
    const r = await startRun(env.db, { experimentId: exp.id, name: `run${i}` });
    await logParams(env.db, r.id, { i });
    await logArtifact(env.db, env.blobs, r.id, 'model/model.bin', bytes[b], 'application/octet-stream');
    if (status === 'FINISHED') await endRun(env.db, r.id, 'FINISHED');
    await env.db.run.update({ where: { id: r.id }, data: { startTime: new Date(base + i * HOUR) } });
    runs.push(r.id);
  }
  await registerVersion(env.db, { modelName: 'ret-model', runId: runs[0]!, artifactPath: 'model/model.bin', artifactSha256: sha256Hex(bytes.model0), metrics: { f1_macro: 0.7 }, actor: 't', reason: 'kept forever' });

  const orphan = await env.blobs.put(enc('nothing references me'));
  const manifest = await env.blobs.put(enc('a snapshot manifest'));
  await env.db.datasetSnapshot.create({
    data: { contentHash: 'c'.repeat(64), query: {}, asOf: new Date('2019-12-01'), total: 1, labelCounts: {}, splitCounts: {}, manifestSha256: manifest.sha256 },
  });
  const raw = await env.blobs.put(enc('raw arXiv feed page'));
  const night = await env.db.pipelineRun.create({ data: { pipeline: 'nightly', logicalDate: new Date('2019-12-01'), runNumber: 1, trigger: 'manual', source: 'sample', params: {} } });
  await env.db.taskRun.create({
    data: { pipelineRunId: night.id, stage: 'ingest', jobId: 'j', attempt: 1, status: 'succeeded', output: { raw: [{ sha256: raw.sha256, name: 'page-0001.xml', mediaType: 'application/atom+xml', size: raw.size }] } },
  });
  return { runs, bytes, orphan, manifest, raw };
}

/** Make every blob look old, as if put two days ago (the fs store's mtime, the Postgres row's lastPutAt). */
async function ageBlobs(env: TestEnv): Promise<void> {
  const old = new Date(Date.now() - 48 * HOUR);
  await env.db.blob.updateMany({ data: { lastPutAt: old } });
  if (env.config.BLOB_STORE.startsWith('fs:')) {
    const { utimes } = await import('node:fs/promises');
    for (let after: string | null = null; ; ) {
      const page = await env.blobs.list(after, 100);
      if (!page.length) break;
      for (const b of page) await utimes(join(env.config.BLOB_STORE.slice(3), b.sha256.slice(0, 2), b.sha256), old, old);
      after = page.at(-1)!.sha256;
    }
  }
}

for (const store of ['postgres', 'fs'] as const) {
  describe(`retention (${store} blob store)`, () => {
    let env: TestEnv;
    let dir: string | undefined;
    let s: Awaited<ReturnType<typeof seed>>;
    beforeAll(async () => {
      if (store === 'fs') dir = await mkdtemp(join(tmpdir(), 'radar-blobs-'));
      env = await createTestEnv(dir ? { BLOB_STORE: `fs:${dir}` } : {});
      s = await seed(env);
      await ageBlobs(env);
    });
    afterAll(async () => {
      await env?.cleanup();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('keeps the newest runs, registered runs and running runs; frees only blobs nothing references', async () => {
      const fresh = await env.blobs.put(enc('put a moment ago, not referenced yet'));
      const policy = { keepRuns: 2, blobGraceMs: HOUR };
      const dry = await applyRetention({ db: env.db, blobs: env.blobs }, { ...policy, dryRun: true });
      expect(await env.db.artifact.count()).toBe(6);
      expect(await env.blobs.has(s.orphan.sha256)).toBe(true);

      const report = await applyRetention({ db: env.db, blobs: env.blobs }, policy);
      const expected: Partial<RetentionReport> = {
        keepRuns: 2,
        runsPurged: 2, // run1 and run2
        artifactsDeleted: 2,
        artifactBytes: s.bytes.shared.length + s.bytes.own2.length,
        blobsDeleted: 2, // run2's own bytes and the orphan
        bytesFreed: s.bytes.own2.length + s.orphan.size,
        blobsInGrace: 1,
      };
      expect(report).toMatchObject({ ...expected, dryRun: false, experiments: [{ name: 'ret', runs: 6, purged: 2 }] });
      expect(dry).toMatchObject({ ...expected, dryRun: true });

      const left = await env.db.artifact.findMany({ include: { run: { select: { name: true } } } });
      expect(left.map((a) => a.run.name).sort()).toEqual(['run0', 'run3', 'run4', 'run5']);
      const purged = await env.db.run.findMany({ where: { artifactsPurgedAt: { not: null } }, select: { name: true } });
      expect(purged.map((r) => r.name).sort()).toEqual(['run1', 'run2']);
      // The history of a purged run stays.
      expect(await env.db.param.count({ where: { runId: s.runs[2]! } })).toBe(1);

      expect(await env.blobs.has(sha256Hex(s.bytes.own2))).toBe(false);
      expect(await env.blobs.has(s.orphan.sha256)).toBe(false);
      for (const kept of [sha256Hex(s.bytes.model0), sha256Hex(s.bytes.shared), sha256Hex(s.bytes.running3), sha256Hex(s.bytes.own4), s.manifest.sha256, s.raw.sha256, fresh.sha256]) {
        expect(await env.blobs.has(kept)).toBe(true);
      }

      // Nothing more to free the second time.
      expect(await applyRetention({ db: env.db, blobs: env.blobs }, policy)).toMatchObject({ runsPurged: 0, artifactsDeleted: 0, blobsDeleted: 0 });
      // A purged run cannot become a model version: its artifact is gone.
      await expect(
        registerVersion(env.db, { modelName: 'ret-model', runId: s.runs[2]!, artifactPath: 'model/model.bin', artifactSha256: sha256Hex(s.bytes.own2), metrics: { f1_macro: 0.9 }, actor: 't', reason: 'too late' }),
      ).rejects.toBeInstanceOf(ConflictError);
    });

    it('a put of bytes already stored restarts their grace period, so a writer about to reference them keeps them', async () => {
      const b = await env.blobs.put(enc('old orphan, about to be wanted again'));
      await ageBlobs(env);
      await env.blobs.put(enc('old orphan, about to be wanted again'));
      const r = await applyRetention({ db: env.db, blobs: env.blobs }, { keepRuns: 2, blobGraceMs: HOUR });
      expect(r.blobsDeleted).toBe(1); // only the earlier test's fresh orphan, now aged
      expect(await env.blobs.has(b.sha256)).toBe(true);
    });
  });
}

describe('retention as a scheduled job', () => {
  let env: TestEnv;
  let connection: Redis;
  beforeAll(async () => {
    env = await createTestEnv();
    connection = new Redis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    connection?.disconnect();
    await env?.cleanup();
  });

  it('the producer registers one retention scheduler on the maintenance queue (and removes it when disabled)', async () => {
    const queue = new Queue<MaintenanceJobData>(QUEUES.maintenance, { connection, prefix: env.prefix });
    try {
      await Promise.all([registerRetentionSchedule(queue, env.config), registerRetentionSchedule(queue, env.config)]);
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers).toHaveLength(1);
      expect(schedulers[0]).toMatchObject({ key: retentionSchedulerId(env.config), pattern: '30 3 * * *', tz: 'UTC' });
      expect(new Date(schedulers[0]!.next!).toISOString()).toMatch(/T03:30:00\.000Z$/);
      const off = loadConfig({ ...process.env, DATABASE_URL: env.databaseUrl, QUEUE_PREFIX: env.prefix, RETENTION_ENABLED: 'false' });
      expect(await registerRetentionSchedule(queue, off)).toBe(false);
      expect(await queue.getJobSchedulers()).toHaveLength(0);
    } finally {
      await queue.close();
    }
  });

  it('a maintenance worker runs retention and returns what it freed', async () => {
    const s = await seed(env);
    await ageBlobs(env);
    const fleet = startTestFleet(env, { queues: [QUEUES.maintenance] });
    const queue = new Queue<MaintenanceJobData>(QUEUES.maintenance, { connection, prefix: env.prefix });
    const events = new QueueEvents(QUEUES.maintenance, { connection: new Redis(env.config.REDIS_URL, { maxRetriesPerRequest: null }), prefix: env.prefix });
    try {
      await events.waitUntilReady();
      const job = await queue.add('retention', { task: 'retention', keepRuns: 2 });
      const report = (await job.waitUntilFinished(events, 30_000)) as RetentionReport;
      expect(report).toMatchObject({ runsPurged: 2, blobsDeleted: 2, bytesFreed: s.bytes.own2.length + s.orphan.size });
      expect(await env.blobs.has(s.orphan.sha256)).toBe(false);
    } finally {
      await events.close();
      await queue.close();
      await fleet.close();
    }
  });
});
