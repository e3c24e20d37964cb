import pg from 'pg';
import { applyMigrations } from '../../prisma/tools/migrate.ts';
import { ADMIN_URL, TEMPLATE_DB, withDatabase } from '../helpers/db-urls.ts';

/**
 * Once per test run: (re)build the template database from the committed migrations, so every
 * test file can clone a fresh migrated database from it in a few milliseconds.
 */
export default async function setup(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${TEMPLATE_DB}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${TEMPLATE_DB}"`);
  } finally {
    await admin.end();
  }
  await applyMigrations({ connectionString: withDatabase(ADMIN_URL, TEMPLATE_DB) });
}
