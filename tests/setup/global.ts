import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { applyMigrations } from '../../prisma/tools/migrate.ts';
import { ADMIN_URL, withDatabase } from '../helpers/db-urls.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
  }
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * Once per test run: build a template database from the committed migrations, so every test
 * file can clone a fresh migrated database from it in milliseconds. The name is unique per run,
 * so two test runs on one machine never touch each other's template; it is dropped at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = `radar_tpl_${randomBytes(4).toString('hex')}`;
  const drop = () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined);
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  try {
    await applyMigrations({ connectionString: withDatabase(ADMIN_URL, name) });
  } catch (err) {
    // A failing migration must not leave the half-built template behind (no teardown runs).
    await drop();
    throw err;
  }
  project.provide('templateDb', name);
  return drop;
}
