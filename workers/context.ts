import type { Redis } from 'ioredis';
import { createBlobStore, type BlobStore } from '../core/blobs.ts';
import type { Config } from '../core/config.ts';
import { createDb, type Db } from '../core/db/client.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { createRedis } from '../core/redis.ts';

/** What a worker process holds once: connections, stores, logger. */
export interface WorkerContext {
  config: Config;
  connection: Redis;
  db: Db;
  blobs: BlobStore;
  log: Logger;
}

export function createWorkerContext(config: Config, log: Logger = createLogger(config.LOG_LEVEL, { process: 'worker' })): WorkerContext {
  const db = createDb(config.DATABASE_URL, { max: 5 });
  return { config, connection: createRedis(config.REDIS_URL, 'worker'), db, blobs: createBlobStore(config.BLOB_STORE, db), log };
}
