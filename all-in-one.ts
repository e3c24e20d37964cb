/**
 * `npm start`: the whole system in one process, for a first run and for small teams.
 * Applies migrations (creating the database if needed), starts the workers, the producer
 * (nightly schedule + triggers) and the board, and, when the database has never run a night,
 * runs a first one on the bundled sample so the dashboard and the API have something to show.
 *
 * This file composes the three processes; it is the only place that imports more than one of
 * them. In production run them separately (`npm run start:workers|start:board|start:producer`).
 */
import { FlowProducer } from 'bullmq';
import { startBoard } from './board/main.ts';
import { loadConfig } from './core/config.ts';
import { createDb } from './core/db/client.ts';
import { coerceError } from './core/errors.ts';
import { createLogger } from './core/log.ts';
import { startNight } from './core/pipeline/night.ts';
import { createRedis } from './core/redis.ts';
import { closeAll, onShutdown } from './core/shutdown.ts';
import { resolveSource } from './core/sources/index.ts';
import { applyMigrations } from './prisma/tools/migrate.ts';
import { startProducer } from './producer/main.ts';
import { startWorkers } from './workers/main.ts';

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL, { process: 'all-in-one', pid: process.pid });

try {
  const { applied } = await applyMigrations({ connectionString: config.DATABASE_URL, createDatabase: true });
  log.info('database ready', { applied });
} catch (e) {
  log.error('cannot prepare the database: is PostgreSQL running and DATABASE_URL right?', { databaseUrl: config.DATABASE_URL.replace(/:[^:@/]+@/, ':***@'), error: coerceError(e).message });
  process.exit(1);
}

const workers = startWorkers(config);
const producer = await startProducer(config);
const board = await startBoard(config);

const db = createDb(config.DATABASE_URL, { max: 2 });
const redis = createRedis(config.REDIS_URL, 'client');
const flows = new FlowProducer({ connection: redis, prefix: config.QUEUE_PREFIX });
onShutdown(
  () =>
    closeAll(
      [
        ['board', () => board.close()],
        ['producer', () => producer.close()],
        ['workers', () => workers.close()],
        ['first-night clients', async () => { await flows.close(); await db.$disconnect(); redis.disconnect(); }],
      ],
      log,
    ),
  log,
  config.SHUTDOWN_TIMEOUT_MS,
);

if ((await db.pipelineRun.count()) === 0) {
  const logicalDate = await resolveSource('sample').lastDate!();
  const night = await startNight({ db, flows, config, log }, { logicalDate, source: 'sample', trigger: 'manual' });
  log.info('first night queued on the bundled sample', { logicalDate, pipelineRunId: night.pipelineRunId });
  const started = Date.now();
  for (;;) {
    const run = await db.pipelineRun.findUniqueOrThrow({ where: { id: night.pipelineRunId } });
    if (run.status === 'succeeded' || run.status === 'failed') {
      const line = run.status === 'succeeded' ? 'first night succeeded' : 'first night FAILED';
      (run.status === 'succeeded' ? log.info : log.error)(line, { logicalDate, seconds: Math.round((Date.now() - started) / 1000), summary: run.summary, error: run.error });
      break;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
process.stderr.write(
  `\narxiv-radar is running.\n  board:  http://${config.HOST}:${board.port}/admin/queues\n  api:    http://${config.HOST}:${board.port}/api/models\n  cli:    npx radar status\nCtrl-C stops it.\n\n`,
);
