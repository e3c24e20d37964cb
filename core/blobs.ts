import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
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
  /**
   * Stored blobs in sha256 order, after `after` (exclusive), at most `limit`: the hash, the size
   * and the time of the last put of those bytes (a put of bytes already stored moves it).
   */
  list(after: string | null, limit: number): Promise<BlobInfo[]>;
  /**
   * Delete the blob only if nobody has put it since `idleSince`; true when it was deleted.
   * Retention relies on it: a writer puts the bytes before it writes the row that references
   * them, so a blob put within the grace period is never taken from under that writer.
   */
  deleteIfIdle(sha256: string, idleSince: Date): Promise<boolean>;
}

export interface BlobInfo {
  sha256: string;
  size: number;
  lastPutAt: Date;
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
    // ON CONFLICT: concurrent writers of the same bytes both succeed and one row remains; the
    // second put only moves lastPutAt (the bytes are not rewritten), which is what keeps retention
    // from deleting bytes a writer is about to reference. If retention deletes the row at the same
    // moment, the conflict goes away and this insert writes the bytes again.
    // Times are UTC wall time, as Prisma writes them, whatever the server's TimeZone.
    await this.db.$executeRaw`INSERT INTO "Blob" ("sha256", "size", "bytes", "createdAt", "lastPutAt")
      VALUES (${sha256}, ${bytes.length}, ${Buffer.from(bytes)}, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
      ON CONFLICT ("sha256") DO UPDATE SET "lastPutAt" = now() AT TIME ZONE 'UTC'`;
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

  async list(after: string | null, limit: number) {
    return this.db.blob.findMany({
      where: after ? { sha256: { gt: after } } : {},
      orderBy: { sha256: 'asc' },
      take: limit,
      select: { sha256: true, size: true, lastPutAt: true },
    });
  }

  async deleteIfIdle(sha256: string, idleSince: Date) {
    checkHash(sha256);
    // One statement: a put that commits first moves lastPutAt and the row no longer matches; a
    // put that comes after waits for this delete and then inserts the bytes again.
    return (await this.db.blob.deleteMany({ where: { sha256, lastPutAt: { lt: idleSince } } })).count > 0;
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
    if (await this.has(sha256)) {
      // The file's mtime is its lastPutAt: touch it so retention sees the bytes are wanted.
      const now = new Date();
      await utimes(target, now, now).catch(() => undefined);
      if (await this.has(sha256)) return { sha256, size: bytes.length };
    }
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

  async list(after: string | null, limit: number) {
    const out: BlobInfo[] = [];
    const dirs = (await readdir(this.dir).catch(() => [] as string[])).filter((d) => /^[0-9a-f]{2}$/.test(d)).sort();
    for (const d of dirs) {
      if (after && d < after.slice(0, 2)) continue;
      const names = (await readdir(join(this.dir, d))).filter((n) => HEX64.test(n) && (!after || n > after)).sort();
      for (const name of names) {
        const st = await stat(join(this.dir, d, name)).catch(() => null);
        if (st) out.push({ sha256: name, size: st.size, lastPutAt: st.mtime });
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  async deleteIfIdle(sha256: string, idleSince: Date) {
    checkHash(sha256);
    // A file system has no conditional delete: check the mtime just before unlinking. The
    // window between the two is microseconds, against a grace period of hours.
    const st = await stat(this.pathOf(sha256)).catch(() => null);
    if (!st || st.mtime >= idleSince) return false;
    await rm(this.pathOf(sha256), { force: true });
    return true;
  }
}

/** The store named by config: `postgres` or `fs:<directory>`. */
export function createBlobStore(spec: string, db: Db): BlobStore {
  if (spec === 'postgres') return new PostgresBlobStore(db);
  if (spec.startsWith('fs:')) return new FsBlobStore(spec.slice(3));
  throw new Error(`unknown blob store ${spec}`);
}
