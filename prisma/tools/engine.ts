// Prisma's schema engine, run as WebAssembly inside this process, talking to PostgreSQL through
// @prisma/adapter-pg. This is what `prisma migrate` does with its native binary, minus the
// binary: that one is downloaded on first use, and this machine cannot download it.
//
// - The wasm module is the one the prisma package ships (node_modules/prisma/build/
//   schema_engine_bg.wasm), so the engine version always matches the installed CLI.
// - Its JS glue (wasm-bindgen) comes from the npm package @prisma/schema-engine-wasm, pinned to
//   the build whose imports and exports (names and signatures) match that wasm exactly: npm has
//   no build for prisma 7.10.1's own engine hash. `loadSchemaEngine` checks the match before
//   instantiating, so an upgrade that breaks it fails loudly with the fix.
// - @prisma/adapter-pg 7.10 needs four fixes to serve the engine: its shadow database handling
//   (`migrationAdapterFactory`), catalog column types it cannot map, and its `executeScript`, which
//   splits scripts on `;` and runs them outside a transaction (`patchAdapter`).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory, DriverAdapterError } from '@prisma/driver-adapter-utils';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';

export type { SchemaEngine, MigrationList } from '@prisma/schema-engine-wasm/schema_engine_bg';

const require = createRequire(import.meta.url);

/** Directory of the installed prisma package (its `build/` holds the wasm engines). */
export function prismaPackageDir(): string {
  return path.dirname(require.resolve('prisma/package.json'));
}

/** The engines hash the installed prisma CLI was built with. */
export function expectedEnginesHash(): string {
  const pkg = JSON.parse(readFileSync(require.resolve('@prisma/engines-version/package.json'), 'utf8'));
  return pkg.prisma.enginesVersion as string;
}

let loaded: typeof glue | undefined;

// The project compiles without the DOM lib, where the WebAssembly JS API is typed: the little used here.
type WasmModule = object;
interface WasmApi {
  Module: {
    new (bytes: Uint8Array): WasmModule;
    imports(module: WasmModule): { module: string; name: string; kind: string }[];
  };
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}
const { WebAssembly: Wasm } = globalThis as unknown as { WebAssembly: WasmApi };

/** Instantiate the schema engine wasm once per process and return the glue module. */
export function loadSchemaEngine(): typeof glue {
  if (loaded) return loaded;
  const wasmPath = path.join(prismaPackageDir(), 'build', 'schema_engine_bg.wasm');
  const module = new Wasm.Module(readFileSync(wasmPath));
  const imports = Wasm.Module.imports(module);
  const provided = glue as unknown as Record<string, unknown>;
  const missing = imports.filter((i) => typeof provided[i.name] !== 'function').map((i) => i.name);
  if (missing.length > 0) {
    throw new Error(
      `The @prisma/schema-engine-wasm glue does not match ${wasmPath} (missing imports: ${missing.join(', ')}). ` +
        'Pin @prisma/schema-engine-wasm in package.json to the build whose hash matches node_modules/@prisma/engines-version (npm view @prisma/schema-engine-wasm versions).',
    );
  }
  // The glue reports Rust panics through this global (the prisma CLI defines it the same way).
  const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { message: string; set_message(m: string): void } };
  g.PRISMA_WASM_PANIC_REGISTRY ??= {
    message: '',
    set_message(m: string) {
      this.message = `RuntimeError: ${m}`;
    },
  };
  const instance = new Wasm.Instance(module, { './schema_engine_bg.js': provided });
  (glue as unknown as { __wbg_set_wasm(x: unknown): void }).__wbg_set_wasm(instance.exports);
  (instance.exports as unknown as { __wbindgen_start(): void }).__wbindgen_start();
  const version = glue.version();
  const expected = expectedEnginesHash();
  if (version !== expected) {
    throw new Error(`schema_engine_bg.wasm reports version ${version}, @prisma/engines-version expects ${expected}`);
  }
  loaded = glue;
  return glue;
}

/** Connection string → pg config + Prisma's `?schema=` (which pg itself does not know). */
export function parseDatabaseUrl(connectionString: string): { url: URL; database: string; schema?: string } {
  const url = new URL(connectionString);
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new Error(`Only postgresql:// URLs are supported, got ${url.protocol}`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username) || 'postgres';
  const schema = url.searchParams.get('schema') ?? undefined;
  return { url, database, ...(schema ? { schema } : {}) };
}

/** The same URL pointing at another database (and without Prisma-only parameters). */
export function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = '/' + encodeURIComponent(database);
  url.searchParams.delete('schema');
  return url.toString();
}

export function stripPrismaParams(connectionString: string): string {
  const url = new URL(connectionString);
  url.searchParams.delete('schema');
  return url.toString();
}

export function quoteIdent(name: string): string {
  return '"' + name.replaceAll('"', '""') + '"';
}

type PgAdapter = Awaited<ReturnType<PrismaPg['connect']>>;

/**
 * Catalog types adapter-pg 7.10 cannot map to a column type (it throws UnsupportedNativeDataType),
 * which the engine's schema describer selects from pg_catalog: `"char"` (pg_constraint.contype,
 * pg_class.relkind, ...), `name[]`, reg* and vector types. The native engine reads them as text;
 * so do we, by relabelling the result column before adapter-pg looks at it. pg has already turned
 * the scalar ones into strings; the arrays are parsed here as text arrays.
 */
const TEXT = 25;
const TEXT_ARRAY = 1009;
const CATALOG_TEXT_TYPES: Record<number, number> = {
  18: TEXT, // "char"
  22: TEXT, // int2vector
  24: TEXT, // regproc
  28: TEXT, // xid
  29: TEXT, // cid
  30: TEXT, // oidvector
  194: TEXT, // pg_node_tree
  1033: TEXT, // aclitem
  2202: TEXT, // regprocedure
  2203: TEXT, // regoper
  2204: TEXT, // regoperator
  2205: TEXT, // regclass
  2206: TEXT, // regtype
  3734: TEXT, // regconfig
  4089: TEXT, // regnamespace
  1002: TEXT_ARRAY, // "char"[] (adapter-pg maps it to CharacterArray, which the engine cannot read)
  1003: TEXT_ARRAY, // name[]
  1006: TEXT_ARRAY, // int2vector[]
  1013: TEXT_ARRAY, // oidvector[]
  1034: TEXT_ARRAY, // aclitem[]
  2210: TEXT_ARRAY, // regclass[]
  2211: TEXT_ARRAY, // regtype[]
};
const parseTextArray = (pg.types.getTypeParser as (oid: number) => (value: string) => string[])(TEXT_ARRAY);

export interface ScriptError {
  code: string;
  message: string;
  detail?: string | undefined;
  hint?: string | undefined;
}

/**
 * Adjust an adapter-pg adapter for the schema engine:
 *
 * - catalog types (above) come back as text;
 * - adapter-pg's `executeScript` splits the script on every `;` and runs the pieces one by one,
 *   outside any transaction: a `;` inside a string, a comment or a `$$` function body breaks it,
 *   and a failing statement leaves the ones before it applied. The native schema engine sends the
 *   whole script as one simple-protocol query instead, which PostgreSQL runs as one implicit
 *   transaction (all or nothing, unless the script has its own BEGIN/COMMIT). Do the same.
 */
function patchAdapter(
  adapter: PgAdapter,
  trace?: (kind: string, sql: string) => void,
  onScriptError?: (error: ScriptError) => void,
): PgAdapter {
  const internals = adapter as unknown as {
    performIO(query: { sql: string }): Promise<pg.QueryResult<unknown[]>>;
    onError(error: unknown): never;
  };
  const performIO = internals.performIO.bind(adapter);
  internals.performIO = async (query) => {
    trace?.('query', query.sql);
    const result = await performIO(query);
    result.fields.forEach((field, i) => {
      const as = CATALOG_TEXT_TYPES[field.dataTypeID];
      if (as === undefined) return;
      if (as === TEXT_ARRAY) {
        for (const row of result.rows) if (typeof row[i] === 'string') row[i] = parseTextArray(row[i] as string);
      }
      field.dataTypeID = as;
    });
    return result;
  };
  const pool = adapter.underlyingDriver();
  adapter.executeScript = async (script: string) => {
    trace?.('script', script);
    try {
      await pool.query(script);
    } catch (error) {
      const e = error as Partial<pg.DatabaseError>;
      if (typeof e.code !== 'string' || typeof e.severity !== 'string' || typeof e.message !== 'string') {
        return internals.onError(error);
      }
      // Say where in the script it happened, when PostgreSQL tells. The engine maps well-known
      // codes to terse messages of its own (42P01 becomes "No such table: x"), so PostgreSQL's
      // own error also goes to `onScriptError`, for the caller to report.
      let where = '';
      const position = Number(e.position);
      if (position > 0) {
        const line = script.slice(0, position - 1).split('\n').length;
        where = ` (line ${line}: ${script.split('\n')[line - 1]?.trim()})`;
      }
      onScriptError?.({ code: e.code, message: e.message + where, detail: e.detail, hint: e.hint });
      throw new DriverAdapterError({
        kind: 'postgres',
        code: e.code,
        severity: e.severity,
        message: e.message + where,
        detail: e.detail,
        column: e.column,
        hint: e.hint,
        originalCode: e.code,
        originalMessage: e.message,
      });
    }
  };
  return adapter;
}

export interface EngineOptions {
  connectionString: string;
  /** Postgres schema (namespace) the migrations live in; default from `?schema=`, else public. */
  schema?: string;
  /** Receives the engine's JSON log lines. */
  log?: (line: string) => void;
  /**
   * Receives PostgreSQL's own error when a migration script fails (the engine's message maps some
   * codes to terse descriptions such as "No such table: x").
   */
  onScriptError?: (error: ScriptError) => void;
  /** Receives every SQL statement the engine sends (debugging: MIGRATE_TRACE_SQL=1). */
  trace?: (kind: string, sql: string) => void;
}

/**
 * A migration-aware adapter factory for the wasm engine.
 *
 * adapter-pg 7.10's own `connectToShadowDb` (1) spreads `{ connectionString }` and sets
 * `database`, but pg lets the connection string win, so the "shadow" pool connects to the main
 * database — where the engine then resets and replays migrations; and (2) drops the shadow
 * database before ending the pool connected to it, which fails. Here the shadow URL carries the
 * shadow database name itself, and the database is dropped after its pool has ended.
 */
function migrationAdapterFactory(opts: EngineOptions, live: Set<PgAdapter>) {
  const schema = opts.schema ?? parseDatabaseUrl(opts.connectionString).schema;
  const mainUrl = stripPrismaParams(opts.connectionString);
  const pgOptions = schema ? { schema } : undefined;
  // One connection per pool, never closed while the engine runs: the engine takes a session-level
  // advisory lock (pg_advisory_lock(72707369), like the native engine) on this connection and
  // relies on it for the whole command; every query must run in that same session. (The engine
  // does not open transactions on these adapters for deploy and diff; one that queried the pool
  // while holding a transaction would wait forever on a one-connection pool.)
  // With a non-default schema, unqualified names in migration scripts must land in it, as with the
  // native engine's `?schema=` (PrismaPg's `schema` option only tells the engine which namespace
  // to describe): set the session's search_path.
  const options = schema ? `-c search_path=${quoteIdent(schema).replaceAll(' ', '\\ ')}` : undefined;
  const poolConfig = (connectionString: string): pg.PoolConfig => ({
    connectionString,
    max: 1,
    idleTimeoutMillis: 0,
    ...(options ? { options } : {}),
  });
  const track = (adapter: PgAdapter): PgAdapter => {
    const dispose = adapter.dispose.bind(adapter);
    let disposed: Promise<void> | undefined;
    adapter.dispose = () => {
      live.delete(adapter);
      return (disposed ??= dispose());
    };
    live.add(adapter);
    return adapter;
  };
  return {
    provider: 'postgres' as const,
    adapterName: '@prisma/adapter-pg',
    async connect() {
      return track(
        patchAdapter(await new PrismaPg(poolConfig(mainUrl), pgOptions).connect(), opts.trace, opts.onScriptError),
      );
    },
    async connectToShadowDb() {
      const shadow = `prisma_migrate_shadow_db_${randomUUID()}`;
      await adminQuery(mainUrl, `CREATE DATABASE ${quoteIdent(shadow)}`);
      const adapter = patchAdapter(
        await new PrismaPg(poolConfig(withDatabase(mainUrl, shadow)), pgOptions).connect(),
        opts.trace && ((kind, sql) => opts.trace!(`shadow ${kind}`, sql)),
        opts.onScriptError,
      );
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose(); // end the shadow pool first: a database with sessions cannot be dropped
        await dropShadow(mainUrl, shadow);
      };
      return track(adapter);
    },
  };
}

/** Run one statement on the server of `url` through its `postgres` maintenance database. */
export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function dropShadow(url: string, shadow: string): Promise<void> {
  // WITH (FORCE): PostgreSQL 13+; a lingering session must not leave the shadow database behind.
  await adminQuery(url, `DROP DATABASE IF EXISTS ${quoteIdent(shadow)} WITH (FORCE)`);
}

export interface EngineHandle {
  engine: SchemaEngine;
  close(): Promise<void>;
}

export async function openEngine(opts: EngineOptions): Promise<EngineHandle> {
  const { SchemaEngine } = loadSchemaEngine();
  const live = new Set<PgAdapter>();
  const adapter = bindMigrationAwareSqlAdapterFactory(migrationAdapterFactory(opts, live) as never);
  let engine: SchemaEngine;
  try {
    engine = await SchemaEngine.new({ datamodels: undefined }, (line: string) => opts.log?.(line), adapter);
  } catch (error) {
    await Promise.allSettled([...live].map((a) => a.dispose()));
    throw error;
  }
  return {
    engine,
    async close() {
      engine.free();
      // Whatever the engine did not dispose itself (its main connection, a shadow database left
      // by an error): end the pools, drop the shadow databases.
      await Promise.allSettled([...live].map((a) => a.dispose()));
    },
  };
}

export const noFilters = { externalTables: [] as string[], externalEnums: [] as string[] };
