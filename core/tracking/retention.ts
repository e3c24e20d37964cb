import type { BlobStore } from '../blobs.ts';
import type { Db } from '../db/client.ts';
import { Prisma } from '../db/client.ts';
import type { Logger } from '../log.ts';

/**
 * Retention: keep the newest `keepRuns` runs of each experiment with their artifacts, and every
 * run behind a registered model version, whatever its age; delete the artifacts of the other
 * finished runs (their params, metrics and tags stay: the history is small, the bytes are not);
 * then remove the blobs that nothing references any more.
 *
 * What references a blob (every place that holds a sha256 of the blob store):
 *   Artifact.sha256, ModelVersion.artifactSha256, DatasetSnapshot.manifestSha256, and the raw
 *   input an ingest recorded in its output (TaskRun.output of stage `ingest`, which a replay
 *   reads back). That output is searched as text rather than by field name, so a change of its
 *   shape cannot silently expose raw input to deletion; a 64-hex sha256 does not occur there by
 *   accident. Other stages' outputs mention artifact hashes too (a candidate's model), but those
 *   bytes belong to their run's Artifact rows, which is what retention governs.
 */

export interface RetentionPolicy {
  keepRuns: number;
  /** Blobs put within this many milliseconds are kept even when unreferenced (a writer may be about to reference them). */
  blobGraceMs: number;
  /** Report what would be freed, change nothing. */
  dryRun?: boolean;
}

export interface RetentionReport {
  dryRun: boolean;
  keepRuns: number;
  experiments: { name: string; runs: number; purged: number }[];
  runsPurged: number;
  artifactsDeleted: number;
  artifactBytes: number;
  blobsScanned: number;
  blobsDeleted: number;
  /** Logical bytes of the deleted blobs (Postgres returns the disk space after its VACUUM). */
  bytesFreed: number;
  /** Unreferenced blobs kept because they were put within the grace period. */
  blobsInGrace: number;
  durationMs: number;
}

const BATCH = 500;

/** Runs whose artifacts the policy lets go: beyond the newest N of their experiment, finished, not behind a version, still holding artifacts. */
async function runsToPurge(db: Db, keepRuns: number): Promise<{ id: string; experiment: string }[]> {
  return db.$queryRaw<{ id: string; experiment: string }[]>`
    SELECT q."id", q."experiment" FROM (
      SELECT r."id", r."status", e."name" AS "experiment",
             row_number() OVER (PARTITION BY r."experimentId" ORDER BY r."startTime" DESC, r."id" DESC) AS "rank"
      FROM "Run" r JOIN "Experiment" e ON e."id" = r."experimentId"
    ) q
    WHERE q."rank" > ${keepRuns}
      AND q."status" <> 'RUNNING'
      AND NOT EXISTS (SELECT 1 FROM "ModelVersion" mv WHERE mv."runId" = q."id")
      AND EXISTS (SELECT 1 FROM "Artifact" a WHERE a."runId" = q."id")
    ORDER BY q."experiment", q."id"`;
}

/**
 * Delete the artifacts of `ids` in one transaction. The runs are locked first (FOR UPDATE
 * conflicts with the FOR SHARE lock registerVersion takes), and "not behind a version" is checked
 * again after the lock, so a run registered meanwhile keeps its artifacts, and a registration
 * that comes after sees the artifacts gone and is refused.
 */
async function purgeArtifacts(db: Db, ids: string[]): Promise<{ runs: string[]; artifacts: number; bytes: number }> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT "id" FROM "Run" WHERE "id" IN (${Prisma.join(ids)}) ORDER BY "id" FOR UPDATE`;
    const still = await tx.$queryRaw<{ id: string }[]>`
      SELECT r."id" FROM "Run" r
      WHERE r."id" IN (${Prisma.join(ids)}) AND r."status" <> 'RUNNING'
        AND NOT EXISTS (SELECT 1 FROM "ModelVersion" mv WHERE mv."runId" = r."id")`;
    if (still.length === 0) return { runs: [], artifacts: 0, bytes: 0 };
    const keep = still.map((r) => r.id);
    const deleted = await tx.$queryRaw<{ size: number }[]>`DELETE FROM "Artifact" WHERE "runId" IN (${Prisma.join(keep)}) RETURNING "size"`;
    await tx.run.updateMany({ where: { id: { in: keep } }, data: { artifactsPurgedAt: new Date() } });
    return { runs: keep, artifacts: deleted.length, bytes: deleted.reduce((n, d) => n + d.size, 0) };
  });
}

/**
 * The hashes among `hashes` that something references (see the module comment); artifacts of
 * the runs in `ignoreRuns` do not count.
 */
export async function referencedBlobs(db: Db, hashes: readonly string[], ignoreRuns: readonly string[] = []): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const notIgnored = ignoreRuns.length ? Prisma.sql`AND a."runId" NOT IN (${Prisma.join(ignoreRuns as string[])})` : Prisma.empty;
  const rows = await db.$queryRaw<{ h: string }[]>`
    SELECT h FROM unnest(ARRAY[${Prisma.join(hashes as string[])}]::text[]) AS h
    WHERE EXISTS (SELECT 1 FROM "Artifact" a WHERE a."sha256" = h ${notIgnored})
       OR EXISTS (SELECT 1 FROM "ModelVersion" mv WHERE mv."artifactSha256" = h)
       OR EXISTS (SELECT 1 FROM "DatasetSnapshot" ds WHERE ds."manifestSha256" = h)
       OR EXISTS (SELECT 1 FROM "TaskRun" t WHERE t."stage" = 'ingest' AND t."output" IS NOT NULL AND strpos(t."output"::text, h) > 0)`;
  return new Set(rows.map((r) => r.h));
}

/**
 * Apply the policy and report what it freed (or, with dryRun, would free). Safe to run while
 * nights run: artifacts of running runs and of registered runs are never touched, and a blob is
 * removed only when unreferenced and idle for the grace period (BlobStore.deleteIfIdle).
 */
export async function applyRetention(deps: { db: Db; blobs: BlobStore; log?: Logger }, policy: RetentionPolicy): Promise<RetentionReport> {
  const { db, blobs, log } = deps;
  const started = Date.now();
  const dryRun = policy.dryRun ?? false;
  const candidates = await runsToPurge(db, policy.keepRuns);

  const purged = new Set<string>();
  let artifactsDeleted = 0;
  let artifactBytes = 0;
  if (dryRun) {
    const agg = candidates.length
      ? await db.artifact.aggregate({ where: { runId: { in: candidates.map((c) => c.id) } }, _count: true, _sum: { size: true } })
      : { _count: 0, _sum: { size: 0 } };
    for (const c of candidates) purged.add(c.id);
    artifactsDeleted = agg._count;
    artifactBytes = agg._sum.size ?? 0;
  } else {
    for (let i = 0; i < candidates.length; i += BATCH) {
      const r = await purgeArtifacts(db, candidates.slice(i, i + BATCH).map((c) => c.id));
      for (const id of r.runs) purged.add(id);
      artifactsDeleted += r.artifacts;
      artifactBytes += r.bytes;
    }
  }

  const byExperiment = await db.$queryRaw<{ name: string; runs: bigint }[]>`
    SELECT e."name", count(r."id") AS "runs" FROM "Experiment" e LEFT JOIN "Run" r ON r."experimentId" = e."id" GROUP BY e."name" ORDER BY e."name"`;
  const experiments = byExperiment.map((e) => ({
    name: e.name,
    runs: Number(e.runs),
    purged: candidates.filter((c) => c.experiment === e.name && purged.has(c.id)).length,
  }));

  const idleSince = new Date(Date.now() - policy.blobGraceMs);
  let blobsScanned = 0;
  let blobsDeleted = 0;
  let bytesFreed = 0;
  let blobsInGrace = 0;
  // In a dry run the purged runs' artifacts still exist: do not count them as references.
  const ignore = dryRun ? [...purged] : [];
  for (let after: string | null = null; ; ) {
    const page = await blobs.list(after, BATCH);
    if (page.length === 0) break;
    after = page.at(-1)!.sha256;
    blobsScanned += page.length;
    const referenced = await referencedBlobs(db, page.map((b) => b.sha256), ignore);
    for (const b of page) {
      if (referenced.has(b.sha256)) continue;
      if (b.lastPutAt >= idleSince) {
        blobsInGrace++;
        continue;
      }
      if (dryRun || (await blobs.deleteIfIdle(b.sha256, idleSince))) {
        blobsDeleted++;
        bytesFreed += b.size;
      }
    }
  }

  const report: RetentionReport = {
    dryRun,
    keepRuns: policy.keepRuns,
    experiments,
    runsPurged: purged.size,
    artifactsDeleted,
    artifactBytes,
    blobsScanned,
    blobsDeleted,
    bytesFreed,
    blobsInGrace,
    durationMs: Date.now() - started,
  };
  log?.info(dryRun ? 'retention (dry run): would free' : 'retention: freed', { ...report, experiments: undefined });
  return report;
}
