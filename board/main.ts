import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { FlowProducer, Queue } from 'bullmq';
import { createBlobStore } from '../core/blobs.ts';
import { loadConfig, type Config } from '../core/config.ts';
import { createDb } from '../core/db/client.ts';
import { createLogger } from '../core/log.ts';
import { ALL_QUEUES } from '../core/queues.ts';
import { createRedis } from '../core/redis.ts';
import { closeAll, onShutdown } from '../core/shutdown.ts';
import { createApp } from './app.ts';

/** Start the board (Bull Board + API) on config.PORT; resolves once it listens. */
export async function startBoard(config: Config) {
  const log = createLogger(config.LOG_LEVEL, { process: 'board', pid: process.pid });
  const db = createDb(config.DATABASE_URL, { max: 10 });
  const redis = createRedis(config.REDIS_URL, 'client');
  const queues = ALL_QUEUES.map((name) => new Queue(name, { connection: redis, prefix: config.QUEUE_PREFIX }));
  const flows = new FlowProducer({ connection: redis, prefix: config.QUEUE_PREFIX });
  const app = createApp({ db, blobs: createBlobStore(config.BLOB_STORE, db), config, log, redis, flows, queues });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  log.info('board listening', { url: `http://${config.HOST}:${port}`, queues: '/admin/queues', api: '/api' });
  return {
    server,
    port,
    log,
    close: () =>
      closeAll(
        [
          ['http server', () => new Promise<void>((r) => server.close(() => r()))],
          ['queues', () => Promise.all([...queues.map((q) => q.close()), flows.close()])],
          ['database', () => db.$disconnect()],
          ['redis', () => redis.quit()],
        ],
        log,
      ),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = loadConfig();
  const b = await startBoard(config);
  onShutdown(b.close, b.log, config.SHUTDOWN_TIMEOUT_MS);
}
