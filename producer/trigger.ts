import { FlowProducer, Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../core/config.ts';
import type { Db } from '../core/db/client.ts';
import { coerceError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { logicalDateForFire, startNight, type StartNightResult } from '../core/pipeline/night.ts';
import { QUEUES, type TriggerJobData } from '../core/queues.ts';

/** One scheduler per pipeline name: every replica upserts the same id. */
export const schedulerId = (config: Pick<Config, 'PIPELINE_NAME'>) => `${config.PIPELINE_NAME}-schedule`;

/**
 * Register (or update) the nightly job scheduler. Idempotent: every producer replica may call
 * it at boot; the scheduler id makes it one schedule, and a changed cron or time zone replaces
 * the old one.
 */
export async function registerSchedule(queue: Queue<TriggerJobData>, config: Config): Promise<void> {
  await queue.upsertJobScheduler(
    schedulerId(config),
    { pattern: config.SCHEDULE_CRON, tz: config.SCHEDULE_TZ },
    { name: 'scheduled-night', data: { trigger: 'schedule' }, opts: { removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } } },
  );
}

/** The fire time of a scheduler job: its id is `repeat:<scheduler id>:<millis>`. */
export function fireTime(job: Pick<Job, 'id' | 'timestamp'>): Date {
  const millis = Number(job.id?.split(':').at(-1));
  return new Date(Number.isFinite(millis) && millis > 0 ? millis : job.timestamp);
}

/**
 * The producer's worker: turns trigger jobs (the schedule, or a request queued by the API) into
 * one flow per logical date. A trigger for a date that is already running returns that run.
 */
export function startTriggerWorker(deps: { connection: Redis; db: Db; config: Config; log: Logger; flows: FlowProducer }): Worker<TriggerJobData, StartNightResult> {
  const { connection, config, log } = deps;
  const worker = new Worker<TriggerJobData, StartNightResult>(
    QUEUES.pipeline,
    async (job) => {
      const logicalDate = job.data.logicalDate ?? logicalDateForFire(fireTime(job));
      const source = job.data.source ?? config.RADAR_SOURCE;
      return startNight(deps, { logicalDate, source, trigger: job.data.trigger });
    },
    { connection, prefix: config.QUEUE_PREFIX, concurrency: 1 },
  );
  worker.on('error', (err) => log.error('trigger worker error', { error: coerceError(err).message }));
  return worker;
}
