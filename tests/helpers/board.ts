import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { FlowProducer } from 'bullmq';
import { createApp } from '../../board/app.ts';
import { createBlobStore } from '../../core/blobs.ts';
import { createDb, type Db } from '../../core/db/client.ts';
import { createLogger } from '../../core/log.ts';
import type { TestEnv } from './env.ts';

export interface TestBoard {
  base: string;
  /** A JSON request; `auth` null sends no Authorization header. */
  call(method: string, path: string, body?: unknown, auth?: string | null): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/**
 * The real board app on an ephemeral port over the test env's database and Redis. With
 * `ownPool`, the app gets its own database pool (a second board replica, as in production).
 */
export async function startTestBoard(env: TestEnv, opts: { ownPool?: boolean; poolSize?: number } = {}): Promise<TestBoard> {
  const db: Db = opts.ownPool ? createDb(env.databaseUrl, { max: opts.poolSize ?? 4 }) : env.db;
  const blobs = opts.ownPool ? createBlobStore(env.config.BLOB_STORE, db) : env.blobs;
  const flows = new FlowProducer({ connection: env.redis, prefix: env.prefix });
  const app = createApp({ db, blobs, config: env.config, log: createLogger('silent'), redis: env.redis, flows, queues: [] });
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = env.config.API_TOKEN;
  return {
    base,
    async call(method, path, body, auth = `Bearer ${token}`) {
      const headers: Record<string, string> = {};
      if (auth) headers.authorization = auth;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async close() {
      await new Promise((r) => server.close(r));
      await flows.close();
      if (opts.ownPool) await db.$disconnect();
    },
  };
}
