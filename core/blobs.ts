import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Db } from './db/client.ts';
import { NotFoundError } from './errors.ts';

/**
 * Content-addressed bytes that every worker on every machine can reach. The same bytes are
 * stored once, whoever writes them; a blob is named by its sha256.
 */
export interface BlobStore {
  put(bytes: Uint8Array): Promise<{ sha256: string; size: number }>;
  /** Throws NotFoundError when no blob has that hash. */
  get(sha256: string): Promise<Uint8Array>;
  /**
   * `via` lets a caller inside a database transaction ask on its own connection (a store in
   * Postgres would otherwise need a second pooled connection while the first holds locks).
   */
  has(sha256: string, via?: Pick<Db, 'blob'>): Promise<boolean>;
  delete(sha256: string): Promise<void>;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const HEX64 = /^[0-9a-f]{64}$/;
function checkHash(sha256: string): void {
  if (!HEX64.test(sha256)) throw new NotFoundError(`not a sha256: ${sha256}`);
}

/** Blobs in Postgres (`Blob` table): nothing else to deploy, reachable wherever the database is. */
export class PostgresBlobStore implements BlobStore {
  constructor(private readonly db: Db) {}

  async put(bytes: Uint8Array) {
    const sha256 = sha256Hex(bytes);
    // ON CONFLICT DO NOTHING: concurrent writers of the same bytes both succeed, one row remains.
    await this.db.$executeRaw`INSERT INTO "Blob" ("sha256", "size", "bytes") VALUES (${sha256}, ${bytes.length}, ${Buffer.from(bytes)}) ON CONFLICT ("sha256") DO NOTHING`;
    return { sha256, size: bytes.length };
  }

  async get(sha256: string) {
    checkHash(sha256);
    const row = await this.db.blob.findUnique({ where: { sha256 }, select: { bytes: true } });
    if (!row) throw new NotFoundError(`blob ${sha256} not found`);
    return new Uint8Array(row.bytes);
  }

  async has(sha256: string, via?: Pick<Db, 'blob'>) {
    if (!HEX64.test(sha256)) return false;
    return (await (via ?? this.db).blob.count({ where: { sha256 } })) > 0;
  }

  async delete(sha256: string) {
    checkHash(sha256);
    await this.db.blob.deleteMany({ where: { sha256 } });
  }
}

/** Blobs in a directory (a shared volume): `<dir>/<first two hex>/<sha256>`, written atomically. */
export class FsBlobStore implements BlobStore {
  constructor(private readonly dir: string) {}

  private pathOf(sha256: string) {
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  async put(bytes: Uint8Array) {
    const sha256 = sha256Hex(bytes);
    const target = this.pathOf(sha256);
    if (await this.has(sha256)) return { sha256, size: bytes.length };
    await mkdir(dirname(target), { recursive: true });
    // Write then rename, so a reader never sees a half-written blob.
    const tmp = `${target}.${randomUUID()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, target);
    return { sha256, size: bytes.length };
  }

  async get(sha256: string) {
    checkHash(sha256);
    try {
      return new Uint8Array(await readFile(this.pathOf(sha256)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`blob ${sha256} not found`);
      throw e;
    }
  }

  async has(sha256: string) {
    if (!HEX64.test(sha256)) return false;
    try {
      await stat(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  async delete(sha256: string) {
    checkHash(sha256);
    await rm(this.pathOf(sha256), { force: true });
  }
}

/** The store named by config: `postgres` or `fs:<directory>`. */
export function createBlobStore(spec: string, db: Db): BlobStore {
  if (spec === 'postgres') return new PostgresBlobStore(db);
  if (spec.startsWith('fs:')) return new FsBlobStore(spec.slice(3));
  throw new Error(`unknown blob store ${spec}`);
}
