import type { Queue } from 'bullmq';
import type { Config } from '../core/config.ts';
import type { MaintenanceJobData } from '../core/queues.ts';

/** One retention scheduler per pipeline name: every producer replica upserts the same id. */
export const retentionSchedulerId = (config: Pick<Config, 'PIPELINE_NAME'>) => `${config.PIPELINE_NAME}-retention`;

/**
 * Register (or update, or with RETENTION_ENABLED=false remove) the retention job scheduler on
 * the maintenance queue: RETENTION_CRON in SCHEDULE_TZ. Idempotent across replicas, like the
 * nightly schedule. The job carries no policy: the worker reads RETENTION_KEEP_RUNS at run time.
 */
export async function registerRetentionSchedule(queue: Queue<MaintenanceJobData>, config: Config): Promise<boolean> {
  if (!config.RETENTION_ENABLED) {
    await queue.removeJobScheduler(retentionSchedulerId(config));
    return false;
  }
  await queue.upsertJobScheduler(
    retentionSchedulerId(config),
    { pattern: config.RETENTION_CRON, tz: config.SCHEDULE_TZ },
    {
      name: 'retention',
      data: { task: 'retention' },
      // A failed sweep is retried a little later; the next night's sweep catches up anyway.
      opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
    },
  );
  return true;
}
