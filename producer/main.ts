import { pathToFileURL } from 'node:url';
import { FlowProducer, Queue } from 'bullmq';
import { loadConfig, type Config } from '../core/config.ts';
import { createDb } from '../core/db/client.ts';
import { createLogger } from '../core/log.ts';
import { QUEUES, type MaintenanceJobData, type TriggerJobData } from '../core/queues.ts';
import { createRedis } from '../core/redis.ts';
import { closeAll, onShutdown } from '../core/shutdown.ts';
import { registerRetentionSchedule } from './retention-schedule.ts';
import { registerSchedule, schedulerId, startTriggerWorker } from './trigger.ts';

/** Register the nightly schedule and turn triggers into flows until closed. */
export async function startProducer(config: Config) {
  const log = createLogger(config.LOG_LEVEL, { process: 'producer', pid: process.pid });
  const db = createDb(config.DATABASE_URL, { max: 3 });
  const connection = createRedis(config.REDIS_URL, 'worker');
  const queue = new Queue<TriggerJobData>(QUEUES.pipeline, { connection, prefix: config.QUEUE_PREFIX });
  const maintenance = new Queue<MaintenanceJobData>(QUEUES.maintenance, { connection, prefix: config.QUEUE_PREFIX });
  const flows = new FlowProducer({ connection, prefix: config.QUEUE_PREFIX });
  if (config.SCHEDULE_ENABLED) {
    await registerSchedule(queue, config);
    log.info('nightly schedule registered', { cron: config.SCHEDULE_CRON, tz: config.SCHEDULE_TZ, source: config.RADAR_SOURCE });
  } else {
    await queue.removeJobScheduler(schedulerId(config));
    log.info('nightly schedule disabled');
  }
  if (await registerRetentionSchedule(maintenance, config)) {
    log.info('retention schedule registered', { cron: config.RETENTION_CRON, tz: config.SCHEDULE_TZ, keepRuns: config.RETENTION_KEEP_RUNS });
  } else {
    log.info('retention schedule disabled');
  }
  const worker = startTriggerWorker({ connection, db, config, log, flows });
  return {
    log,
    queue,
    close: () =>
      closeAll(
        [
          ['trigger worker', () => worker.close()],
          ['queues', () => Promise.all([queue.close(), maintenance.close(), flows.close()])],
          ['database', () => db.$disconnect()],
          ['redis', () => connection.quit()],
        ],
        log,
      ),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = loadConfig();
  const p = await startProducer(config);
  onShutdown(p.close, p.log, config.SHUTDOWN_TIMEOUT_MS);
}
