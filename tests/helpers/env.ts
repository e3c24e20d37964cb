import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../core/config.ts';
import { createBlobStore, type BlobStore } from '../../core/blobs.ts';
import { createDb, type Db } from '../../core/db/client.ts';
import { inject } from 'vitest';
import { ADMIN_URL, REDIS_URL, withDatabase } from './db-urls.ts';

/**
 * One isolated world per test file: a database cloned from the migrated template and a unique
 * BullMQ prefix (a Redis Cluster hash tag, like production's). `cleanup()` drops the database
 * and deletes every Redis key under the prefix.
 */
export interface TestEnv {
  id: string;
  databaseUrl: string;
  prefix: string;
  config: Config;
  db: Db;
  blobs: BlobStore;
  redis: Redis;
  cleanup(): Promise<void>;
}

export async function createTestEnv(overrides: Record<string, string> = {}): Promise<TestEnv> {
  const id = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const database = `radar_${id}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database}" TEMPLATE "${inject('templateDb')}"`);
  } finally {
    await admin.end();
  }
  const databaseUrl = withDatabase(ADMIN_URL, database);
  const prefix = `{radar-test-${id}}`;
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    RETRY_BACKOFF_MS: '50',
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...overrides,
  });
  const db = createDb(databaseUrl, { max: 4 });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  return {
    id,
    databaseUrl,
    prefix,
    config,
    db,
    blobs: createBlobStore(config.BLOB_STORE, db),
    redis,
    async cleanup() {
      await db.$disconnect().catch(() => undefined);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
      const a = new pg.Client({ connectionString: ADMIN_URL });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}
