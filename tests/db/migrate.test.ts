// prisma/tools/migrate.ts against a real PostgreSQL: throwaway databases, dropped afterwards.
import { createHash, randomUUID } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyMigrations,
  diffMigration,
  MIGRATIONS_DIR,
  MigrationError,
  migrationStatus,
  resolveMigration,
} from '../../prisma/tools/migrate.ts';

const serverUrl = process.env.TEST_DATABASE_SERVER_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const suffix = `${process.pid}_${randomUUID().slice(0, 8)}`;
const created: string[] = [];

function urlFor(database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(connectionString: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A database name that afterAll drops (applyMigrations creates it with createDatabase: true). */
function scratchDb(label: string): string {
  const name = `migrate_test_${label}_${suffix}`;
  created.push(name);
  return urlFor(name);
}

async function localMigrations(dir = MIGRATIONS_DIR): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'migrate-test-'));
});

afterAll(async () => {
  await withClient(serverUrl, async (c) => {
    for (const db of created) await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  });
  await rm(tmp, { recursive: true, force: true });
});

describe('applyMigrations', () => {
  const url = scratchDb('main');

  it('applies every migration of prisma/migrations to a fresh database (creating it)', async () => {
    const local = await localMigrations();
    expect(local.length).toBeGreaterThan(0);
    const { applied } = await applyMigrations({ connectionString: url, createDatabase: true });
    expect(applied).toEqual(local);
    const status = await migrationStatus({ connectionString: url });
    expect(status).toMatchObject({ applied: local, pending: [], failed: [], modified: [], unknown: [], upToDate: true });
  });

  it('is a no-op the second time', async () => {
    const count = () => withClient(url, async (c) => (await c.query('SELECT count(*)::int AS n FROM _prisma_migrations')).rows[0].n);
    const before = await count();
    expect(await applyMigrations({ connectionString: url })).toEqual({ applied: [] });
    expect(await count()).toBe(before);
  });

  it('records _prisma_migrations exactly like prisma migrate deploy', async () => {
    const columns = await withClient(url, async (c) =>
      (
        await c.query(
          `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '_prisma_migrations'
            ORDER BY ordinal_position`,
        )
      ).rows,
    );
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'character varying', character_maximum_length: 36, is_nullable: 'NO', column_default: null },
      { column_name: 'checksum', data_type: 'character varying', character_maximum_length: 64, is_nullable: 'NO', column_default: null },
      { column_name: 'finished_at', data_type: 'timestamp with time zone', character_maximum_length: null, is_nullable: 'YES', column_default: null },
      { column_name: 'migration_name', data_type: 'character varying', character_maximum_length: 255, is_nullable: 'NO', column_default: null },
      { column_name: 'logs', data_type: 'text', character_maximum_length: null, is_nullable: 'YES', column_default: null },
      { column_name: 'rolled_back_at', data_type: 'timestamp with time zone', character_maximum_length: null, is_nullable: 'YES', column_default: null },
      { column_name: 'started_at', data_type: 'timestamp with time zone', character_maximum_length: null, is_nullable: 'NO', column_default: 'now()' },
      { column_name: 'applied_steps_count', data_type: 'integer', character_maximum_length: null, is_nullable: 'NO', column_default: '0' },
    ]);

    const rows = await withClient(url, async (c) => (await c.query('SELECT * FROM _prisma_migrations ORDER BY started_at')).rows);
    const local = await localMigrations();
    expect(rows.map((r) => r.migration_name)).toEqual(local);
    for (const row of rows) {
      const script = await readFile(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'), 'utf8');
      expect(row.checksum).toBe(sha256(script));
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('refuses to run when an applied migration was edited afterwards', async () => {
    const dir = path.join(tmp, 'edited');
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const first = (await localMigrations(dir))[0]!;
    await appendFile(path.join(dir, first, 'migration.sql'), '\n-- edited after the fact\n');
    const error = await applyMigrations({ connectionString: url, migrationsDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).migration).toBe(first);
    expect((error as Error).message).toMatch(/changed after being applied/);
    expect((await migrationStatus({ connectionString: url, migrationsDir: dir })).modified).toEqual([first]);
  });

  it('names a failing migration, keeps none of its statements, and blocks deploys until resolved', async () => {
    const dir = path.join(tmp, 'broken');
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const name = '99990101000000_broken';
    await mkdir(path.join(dir, name));
    const script = [
      'CREATE TABLE "migrate_test_partial" ("id" INTEGER);',
      "-- a comment; with a semicolon, and a string with one: 'a;b'",
      "INSERT INTO \"migrate_test_partial\" VALUES (1);",
      'ALTER TABLE "migrate_test_missing" ADD COLUMN "x" INTEGER;',
      '',
    ].join('\n');
    await writeFile(path.join(dir, name, 'migration.sql'), script);

    const error = await applyMigrations({ connectionString: url, migrationsDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).migration).toBe(name);
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).toMatch(/migrate_test_missing/);
    const exists = await withClient(url, async (c) => (await c.query(`SELECT to_regclass('"migrate_test_partial"') AS t`)).rows[0].t);
    expect(exists).toBeNull(); // the script ran as one transaction

    const again = await applyMigrations({ connectionString: url, migrationsDir: dir }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(MigrationError);
    expect((again as MigrationError).migration).toBe(name);
    expect((again as Error).message).toMatch(/failed/);
    expect((await migrationStatus({ connectionString: url, migrationsDir: dir })).failed.map((f) => f.name)).toEqual([name]);

    // Fix the script, mark the failed attempt rolled back: the next deploy applies it.
    await writeFile(path.join(dir, name, 'migration.sql'), 'CREATE TABLE "migrate_test_partial" ("id" INTEGER);\n');
    await resolveMigration({ connectionString: url, migrationsDir: dir, migration: name, as: 'rolled-back' });
    expect(await applyMigrations({ connectionString: url, migrationsDir: dir })).toEqual({ applied: [name] });
    const status = await migrationStatus({ connectionString: url, migrationsDir: dir });
    expect(status.upToDate).toBe(true);
    const rows = await withClient(url, async (c) =>
      (await c.query('SELECT rolled_back_at, finished_at FROM _prisma_migrations WHERE migration_name = $1 ORDER BY started_at', [name])).rows,
    );
    expect(rows).toHaveLength(2);
    expect(rows[0].rolled_back_at).not.toBeNull();
    expect(rows[1]).toMatchObject({ rolled_back_at: null });
    expect(rows[1].finished_at).toBeInstanceOf(Date);
  });
});

describe('migration latest_metrics', () => {
  it('fills LatestMetric from the metrics logged before it, then keeps it current', async () => {
    const url = scratchDb('latest');
    const all = await localMigrations();
    const latest = all.find((m) => m.endsWith('_latest_metrics'))!;
    const before = path.join(tmp, 'before-latest');
    await mkdir(before);
    for (const m of all.slice(0, all.indexOf(latest))) await cp(path.join(MIGRATIONS_DIR, m), path.join(before, m), { recursive: true });
    await cp(path.join(MIGRATIONS_DIR, 'migration_lock.toml'), path.join(before, 'migration_lock.toml'));
    await applyMigrations({ connectionString: url, createDatabase: true, migrationsDir: before });
    const latestRows = (c: pg.Client) => c.query('SELECT "runId", "key", "value", "step" FROM "LatestMetric" ORDER BY "runId", "key"').then((r) => r.rows);
    await withClient(url, async (c) => {
      await c.query(`INSERT INTO "Experiment" ("id", "name") VALUES ('e', 'e')`);
      await c.query(`INSERT INTO "Run" ("id", "experimentId", "name") VALUES ('r1', 'e', 'a'), ('r2', 'e', 'b')`);
      // History of r1.loss: step 2 twice (the later time wins), a lower step logged last.
      await c.query(`INSERT INTO "Metric" ("runId", "key", "value", "step", "timestamp") VALUES
        ('r1', 'loss', 0.5, 2, '2019-12-30 00:00:10'), ('r1', 'loss', 0.4, 2, '2019-12-30 00:00:30'),
        ('r1', 'loss', 0.9, 0, '2019-12-30 00:00:40'), ('r1', 'acc', 0.6, 1, '2019-12-30 00:00:05'),
        ('r2', 'loss', 0.8, 0, '2019-12-30 00:00:00')`);
    });
    expect(await applyMigrations({ connectionString: url, migrationsDir: MIGRATIONS_DIR })).toEqual({ applied: all.slice(all.indexOf(latest)) });
    await withClient(url, async (c) => {
      expect(await latestRows(c)).toEqual([
        { runId: 'r1', key: 'acc', value: 0.6, step: 1 },
        { runId: 'r1', key: 'loss', value: 0.4, step: 2 },
        { runId: 'r2', key: 'loss', value: 0.8, step: 0 },
      ]);
      // From now on the trigger: a later step replaces, an earlier one does not, a new key appears.
      await c.query(`INSERT INTO "Metric" ("runId", "key", "value", "step", "timestamp") VALUES
        ('r2', 'loss', 0.7, 1, '2019-12-30 00:00:01'), ('r1', 'loss', 0.1, 1, '2019-12-30 00:01:00'), ('r2', 'acc', 0.3, 0, '2019-12-30 00:00:00')`);
      expect(await latestRows(c)).toEqual([
        { runId: 'r1', key: 'acc', value: 0.6, step: 1 },
        { runId: 'r1', key: 'loss', value: 0.4, step: 2 },
        { runId: 'r2', key: 'acc', value: 0.3, step: 0 },
        { runId: 'r2', key: 'loss', value: 0.7, step: 1 },
      ]);
      // Deleting a run takes its latest values with it.
      await c.query(`DELETE FROM "Run" WHERE "id" = 'r2'`);
      expect((await latestRows(c)).map((r: { runId: string }) => r.runId)).toEqual(['r1', 'r1']);
    });
  });
});

describe('concurrency', () => {
  it('two processes applying at once: each migration applied exactly once', async () => {
    const url = scratchDb('concurrent');
    const local = await localMigrations();
    const results = await Promise.all([
      applyMigrations({ connectionString: url, createDatabase: true }),
      applyMigrations({ connectionString: url, createDatabase: true }),
    ]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(local);
    const rows = await withClient(url, async (c) =>
      (await c.query('SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at')).rows,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(local);
    expect(rows.every((r) => r.finished_at !== null && r.rolled_back_at === null)).toBe(true);
  });

  it('works in a non-public schema (?schema=)', async () => {
    const url = `${scratchDb('schema')}?schema=radar_test`;
    const [a, b] = await Promise.all([
      applyMigrations({ connectionString: url, createDatabase: true }),
      applyMigrations({ connectionString: url, createDatabase: true }),
    ]);
    expect([...a.applied, ...b.applied].sort()).toEqual(await localMigrations());
    const tables = await withClient(url.replace(/\?.*$/, ''), async (c) =>
      (await c.query(`SELECT table_schema, count(*)::int AS n FROM information_schema.tables WHERE table_schema IN ('public', 'radar_test') GROUP BY 1`)).rows,
    );
    expect(tables).toEqual([expect.objectContaining({ table_schema: 'radar_test' })]);
  });
});

describe('diff', () => {
  it('prisma/schema.prisma is in sync with prisma/migrations (no new migration needed)', async () => {
    const result = await diffMigration({ connectionString: serverUrl, name: 'sync_check', dryRun: true });
    expect(result.sql).toBe('');
    expect(result.migration).toBeNull();
  });

  it('writes a new migration for a schema change, and none after it', async () => {
    const dir = path.join(tmp, 'diff');
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const schemaPath = path.join(tmp, 'changed.prisma');
    const schema = await readFile(path.resolve(MIGRATIONS_DIR, '..', 'schema.prisma'), 'utf8');
    await writeFile(schemaPath, `${schema}\nmodel MigrateTestExtra {\n  id   Int    @id\n  note String\n}\n`);

    const result = await diffMigration({ connectionString: serverUrl, name: 'Add extra table', schemaPath, migrationsDir: dir });
    expect(result.migration).toMatch(/^\d{14}_add_extra_table$/);
    expect(result.sql).toContain('CREATE TABLE "MigrateTestExtra"');
    // Hand-written partial indexes in earlier migrations are not dropped.
    expect(result.sql).not.toMatch(/DROP INDEX/);
    const written = await readFile(path.join(dir, result.migration!, 'migration.sql'), 'utf8');
    expect(written).toBe(result.sql);
    expect(await readFile(path.join(dir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
    const last = (await localMigrations(dir)).at(-1);
    expect(last).toBe(result.migration);

    const again = await diffMigration({ connectionString: serverUrl, name: 'nothing', schemaPath, migrationsDir: dir });
    expect(again.migration).toBeNull();
    expect(await localMigrations(dir)).toHaveLength((await localMigrations()).length + 1);
  });
});
