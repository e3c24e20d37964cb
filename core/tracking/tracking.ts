import type { BlobStore } from '../blobs.ts';
import type { Db } from '../db/client.ts';
import { Prisma } from '../db/client.ts';
import { ConflictError, NotFoundError } from '../errors.ts';

/**
 * Experiment tracking on Postgres: what MLflow's tracking server held. Each function takes its
 * dependencies as arguments and does one thing.
 */

export type RunStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';

/** The experiment with that name, created if absent (safe under concurrent callers). */
export async function getOrCreateExperiment(db: Db, name: string): Promise<{ id: string; name: string }> {
  const found = await db.experiment.findUnique({ where: { name }, select: { id: true, name: true } });
  if (found) return found;
  try {
    return await db.experiment.create({ data: { name }, select: { id: true, name: true } });
  } catch (e) {
    // Another process created it between our read and write: the unique name decides.
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') {
      return db.experiment.findUniqueOrThrow({ where: { name }, select: { id: true, name: true } });
    }
    throw e;
  }
}

export interface StartRunInput {
  experimentId: string;
  name: string;
  parentRunId?: string | null;
  pipelineRunId?: string | null;
  snapshotId?: string | null;
  codeVersion?: string | null;
  tags?: Record<string, string>;
}

/**
 * Open a run (status RUNNING). Throws NotFoundError for an unknown experiment and ConflictError
 * for an archived one: an archived experiment takes no new runs until it is restored.
 */
export async function startRun(db: Db, input: StartRunInput): Promise<{ id: string }> {
  const experiment = await db.experiment.findUnique({ where: { id: input.experimentId }, select: { name: true, lifecycleStage: true } });
  if (!experiment) throw new NotFoundError(`experiment ${input.experimentId} not found`);
  if (experiment.lifecycleStage !== 'active') {
    throw new ConflictError(`experiment "${experiment.name}" is archived: restore it (POST /api/experiments/${experiment.name}/restore) before logging runs to it`);
  }
  return db.run.create({
    data: {
      experimentId: input.experimentId,
      name: input.name,
      parentRunId: input.parentRunId ?? null,
      pipelineRunId: input.pipelineRunId ?? null,
      snapshotId: input.snapshotId ?? null,
      codeVersion: input.codeVersion ?? null,
      tags: input.tags ? { create: Object.entries(input.tags).map(([key, value]) => ({ key, value })) } : undefined,
    },
    select: { id: true },
  });
}

export async function endRun(db: Db, runId: string, status: Exclude<RunStatus, 'RUNNING'>): Promise<void> {
  const updated = await db.run.updateMany({ where: { id: runId }, data: { status, endTime: new Date() } });
  if (updated.count === 0) throw new NotFoundError(`run ${runId} not found`);
}

/**
 * Log params. Params are immutable: logging the same key again with the same value is a no-op
 * (so a retried job can log again), a different value throws ConflictError (409) and logs
 * nothing of the batch. NotFoundError for an unknown run. The primary key (runId, key) is what
 * makes a second value impossible, whichever process writes it.
 */
export async function logParams(db: Db, runId: string, params: Record<string, string | number | boolean>): Promise<void> {
  const entries = Object.entries(params).map(([key, v]) => ({ key, value: String(v) }));
  if (entries.length === 0) return;
  // One transaction: a batch with a clash logs none of its keys, not half of them.
  await db.$transaction(async (tx) => {
    await tx.param.createMany({ data: entries.map((e) => ({ runId, ...e })), skipDuplicates: true });
    const stored = await tx.param.findMany({ where: { runId, key: { in: entries.map((e) => e.key) } } });
    const byKey = new Map(stored.map((p) => [p.key, p.value]));
    const clashes = entries.filter((e) => byKey.get(e.key) !== e.value);
    if (clashes.length) {
      throw new ConflictError(`params are immutable: ${clashes.map((c) => `${c.key} is "${byKey.get(c.key)}", not "${c.value}"`).join('; ')}`, {
        runId,
        keys: clashes.map((c) => c.key),
      });
    }
  }).catch((e: unknown) => {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2003') throw new NotFoundError(`run ${runId} not found`);
    throw e;
  });
}

/** Append metric values to the run's history (every value is kept with its step and time). */
export async function logMetrics(db: Db, runId: string, metrics: Record<string, number>, step = 0, timestamp = new Date()): Promise<void> {
  const rows = Object.entries(metrics)
    .filter(([, v]) => Number.isFinite(v))
    .map(([key, value]) => ({ runId, key, value, step, timestamp }));
  if (rows.length) await db.metric.createMany({ data: rows });
}

export async function setTags(db: Db, runId: string, tags: Record<string, string>): Promise<void> {
  for (const [key, value] of Object.entries(tags)) {
    await db.runTag.upsert({ where: { runId_key: { runId, key } }, create: { runId, key, value }, update: { value } });
  }
}

/**
 * Store bytes in the blob store and record them as an artifact of the run at `path`.
 * Re-logging the same bytes at the same path is a no-op; different bytes at an existing path
 * throw ConflictError (artifacts, like params, do not change under a run).
 */
export async function logArtifact(
  db: Db,
  blobs: BlobStore,
  runId: string,
  path: string,
  bytes: Uint8Array,
  mediaType: string,
): Promise<{ sha256: string; size: number }> {
  const { sha256, size } = await blobs.put(bytes);
  const existing = await db.artifact.findUnique({ where: { runId_path: { runId, path } } });
  if (existing) {
    if (existing.sha256 !== sha256) throw new ConflictError(`artifact ${path} of run ${runId} already holds other bytes`);
    return { sha256, size };
  }
  await db.artifact.create({ data: { runId, path, sha256, size, mediaType } });
  return { sha256, size };
}

