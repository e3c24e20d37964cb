import { createBlobStore } from '../../core/blobs.ts';
import { loadConfig } from '../../core/config.ts';
import { createDb } from '../../core/db/client.ts';
import { createLogger } from '../../core/log.ts';
import type { WorkerContext } from '../context.ts';

let ctx: Omit<WorkerContext, 'connection'> | undefined;

/**
 * The context of a sandboxed processor's child process: built once per child from the
 * environment the parent passed (the parent's exact config), without a Redis connection (the
 * parent process talks to BullMQ; the child only computes and writes to the database).
 */
export function sandboxContext(): Omit<WorkerContext, 'connection'> {
  if (!ctx) {
    const config = loadConfig();
    const db = createDb(config.DATABASE_URL, { max: 2 });
    ctx = { config, db, blobs: createBlobStore(config.BLOB_STORE, db), log: createLogger(config.LOG_LEVEL, { process: 'sandbox', pid: process.pid }) };
    // A sandbox child is killed on worker shutdown; close the pool on the way out when possible.
    process.once('SIGTERM', () => void ctx?.db.$disconnect().finally(() => process.exit(0)));
  }
  return ctx;
}
