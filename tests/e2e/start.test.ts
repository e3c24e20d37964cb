import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_URL, REDIS_URL, withDatabase } from '../helpers/db-urls.ts';
import { Redis } from 'ioredis';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// `npm start` as a user runs it on a fresh machine: no database yet. It must create and
// migrate it, start everything, finish a first night on the bundled sample, serve the API,
// and stop cleanly on SIGTERM.
describe('npm start (all in one process)', () => {
  const id = randomBytes(4).toString('hex');
  const database = `radar_e2e_${id}`;
  const prefix = `{radar-e2e-${id}}`;
  let child: ChildProcess | undefined;

  afterAll(async () => {
    child?.kill('SIGKILL');
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await c.end();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('creates the database, completes a first night, serves the API, and shuts down on SIGTERM', async () => {
    child = spawn(process.execPath, [fileURLToPath(import.meta.resolve('tsx/cli')), 'all-in-one.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: withDatabase(ADMIN_URL, database), REDIS_URL, QUEUE_PREFIX: prefix, PORT: '0', SCHEDULE_ENABLED: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not running after 240 s:\n${stderr.slice(-3000)}`)), 240_000);
      child!.stderr!.on('data', () => {
        const m = /board: {2}http:\/\/127\.0\.0\.1:(\d+)\/admin\/queues/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child!.on('exit', (code) => reject(new Error(`exited with ${code}:\n${stderr.slice(-3000)}`)));
    });
    expect(stderr).toContain('"msg":"first night succeeded"');

    const models = (await (await fetch(`http://127.0.0.1:${port}/api/models`)).json()) as { models: { name: string; productionVersion: number }[] };
    expect(models.models).toEqual([expect.objectContaining({ name: 'arxiv-topics', productionVersion: 1 })]);
    const nights = (await (await fetch(`http://127.0.0.1:${port}/api/pipeline-runs`)).json()) as { pipelineRuns: { logicalDate: string; status: string }[] };
    expect(nights.pipelineRuns).toMatchObject([{ logicalDate: '2019-12-31', status: 'succeeded' }]);
    expect((await fetch(`http://127.0.0.1:${port}/admin/queues`)).status).toBe(200);

    const exit = new Promise<number | null>((r) => child!.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 300_000);
});
