import { FlowProducer, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createLogger } from '../../core/log.ts';
import { QUEUES, stageJobId, type TriggerJobData } from '../../core/queues.ts';
import { fireTime, registerSchedule, schedulerId, startTriggerWorker } from '../../producer/trigger.ts';
import { createTestEnv, type TestEnv } from '../helpers/env.ts';

describe('producer: the nightly schedule and triggers', () => {
  let env: TestEnv;
  let queue: Queue<TriggerJobData>;
  let connection: Redis;
  beforeAll(async () => {
    env = await createTestEnv();
    connection = new Redis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(QUEUES.pipeline, { connection, prefix: env.prefix });
  });
  afterAll(async () => {
    await queue?.close();
    connection?.disconnect();
    await env?.cleanup();
  });

  it('replicas booting at once register one schedule; a changed cron replaces it', async () => {
    await Promise.all([registerSchedule(queue, env.config), registerSchedule(queue, env.config), registerSchedule(queue, env.config)]);
    let schedulers = await queue.getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({ key: schedulerId(env.config), pattern: '0 2 * * *', tz: 'UTC' });
    // The next fire is 02:00 UTC of a day to come.
    expect(new Date(schedulers[0]!.next!).toISOString()).toMatch(/T02:00:00\.000Z$/);

    const changed = loadConfig({ ...process.env, DATABASE_URL: env.databaseUrl, QUEUE_PREFIX: env.prefix, SCHEDULE_CRON: '30 3 * * *', SCHEDULE_TZ: 'Europe/Paris' });
    await registerSchedule(queue, changed);
    schedulers = await queue.getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({ pattern: '30 3 * * *', tz: 'Europe/Paris' });
  });

  it('the fire time of a scheduler job is the one in its id; its night is the day before', () => {
    expect(fireTime({ id: 'repeat:nightly-schedule:1766973600000', timestamp: 1 }).toISOString()).toBe('2025-12-29T02:00:00.000Z');
    expect(fireTime({ id: 'manual-1', timestamp: 1766973600000 }).toISOString()).toBe('2025-12-29T02:00:00.000Z');
  });

  it('a trigger job becomes one night with deterministic stage job ids', async () => {
    const flows = new FlowProducer({ connection, prefix: env.prefix });
    const worker = startTriggerWorker({ connection, db: env.db, config: env.config, log: createLogger('silent'), flows });
    const events = new QueueEvents(QUEUES.pipeline, { connection: new Redis(env.config.REDIS_URL, { maxRetriesPerRequest: null }), prefix: env.prefix });
    try {
      await events.waitUntilReady();
      const job = await queue.add('manual', { trigger: 'manual', logicalDate: '2019-12-30', source: 'sample' });
      const result = await job.waitUntilFinished(events, 30_000);
      expect(result).toMatchObject({ logicalDate: '2019-12-30', runNumber: 1, created: true });
      const run = await env.db.pipelineRun.findUniqueOrThrow({ where: { id: result.pipelineRunId } });
      expect(run).toMatchObject({ trigger: 'manual', source: 'sample', status: 'queued', pipeline: 'nightly' });
      // The whole flow is in Redis, waiting for workers: ingest first.
      const ingestQueue = new Queue(QUEUES.ingest, { connection, prefix: env.prefix });
      const classifyQueue = new Queue(QUEUES.classify, { connection, prefix: env.prefix });
      const ingest = await ingestQueue.getJob(stageJobId({ pipeline: 'nightly', logicalDate: '2019-12-30', runNumber: 1 }, 'ingest'));
      expect(ingest?.data).toMatchObject({ pipelineRunId: run.id, logicalDate: '2019-12-30', source: 'sample' });
      const classify = await classifyQueue.getJob('nightly:2019-12-30:classify@1');
      expect(await classify?.getState()).toBe('waiting-children');
      await Promise.all([ingestQueue.close(), classifyQueue.close()]);
    } finally {
      await worker.close();
      await events.close();
      await flows.close();
    }
  });
});
