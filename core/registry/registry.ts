import type { BlobStore } from '../blobs.ts';
import type { Db } from '../db/client.ts';
import { BadInputError, ConflictError, NotFoundError } from '../errors.ts';

/**
 * The model registry: registered models, numbered versions, stages, aliases and a full event
 * history. Stage changes of one model are serialised by a row lock on the model, and the
 * database's partial unique index (one Production version per model) backs the invariant.
 */

/** A Prisma interactive transaction. */
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/**
 * Stage changes wait for the model's row lock; under a storm of requests that wait can be long,
 * so give the transaction room rather than failing requests that would have succeeded.
 */
export const TX_OPTIONS = { maxWait: 20_000, timeout: 30_000 } as const;

export type Stage = 'None' | 'Staging' | 'Production' | 'Archived';

export interface ModelVersionView {
  id: string;
  model: string;
  version: number;
  stage: Stage;
  status: string;
  runId: string;
  artifactPath: string;
  artifactSha256: string;
  metrics: Record<string, number>;
  aliases: string[];
  description: string | null;
  tags: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
}

export type ModelRef = { name: string; version: number } | { name: string; alias: string };

/**
 * Parse `models:/<name>/<version>` or `models:/<name>@<alias>` (MLflow's forms).
 * Throws BadInputError for anything else.
 */
export function parseModelUri(uri: string): ModelRef {
  const m = /^models:\/([A-Za-z0-9_.-]+)(?:\/(\d+)|@([A-Za-z0-9_-]+))$/.exec(uri);
  if (!m) throw new BadInputError(`not a model URI: "${uri}" (expected models:/<name>/<version> or models:/<name>@<alias>)`);
  return m[2] !== undefined ? { name: m[1]!, version: Number(m[2]) } : { name: m[1]!, alias: m[3]! };
}

/**
 * Lock a registered model's row for the rest of the transaction; NotFoundError when unknown.
 * Every change of a model's versions, stages or aliases takes this lock first.
 */
export async function lockModel(tx: Tx, name: string): Promise<{ id: string }> {
  // FOR UPDATE serialises every stage change of this model: concurrent promotes and rollbacks
  // queue here instead of racing, so the history stays a consistent sequence.
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "RegisteredModel" WHERE "name" = ${name} FOR UPDATE`;
  if (!rows[0]) throw new NotFoundError(`model "${name}" not found`);
  return rows[0];
}

export async function getOrCreateRegisteredModel(db: Db, name: string, description?: string): Promise<{ id: string; name: string }> {
  await db.$executeRaw`INSERT INTO "RegisteredModel" ("id", "name", "description", "tags", "createdAt", "updatedAt")
    VALUES (${'rm_' + name}, ${name}, ${description ?? null}, '{}'::jsonb, now(), now()) ON CONFLICT ("name") DO NOTHING`;
  return db.registeredModel.findUniqueOrThrow({ where: { name }, select: { id: true, name: true } });
}

export interface RegisterInput {
  modelName: string;
  runId: string;
  artifactPath: string;
  artifactSha256: string;
  metrics: Record<string, number>;
  actor: string;
  reason: string;
  stage?: 'None' | 'Staging';
  description?: string;
}

/**
 * Register a new version (number = previous highest + 1) and record a `register` event.
 * NotFoundError when the run does not exist; ConflictError when the run does not hold the
 * artifact (path and sha256) the version names, e.g. because retention purged it. The run's row
 * is share-locked while checking, so retention cannot purge it between the check and the insert.
 */
export async function registerVersion(db: Db, input: RegisterInput): Promise<{ id: string; version: number }> {
  await getOrCreateRegisteredModel(db, input.modelName);
  return db.$transaction(async (tx) => {
    const model = await lockModel(tx, input.modelName);
    const run = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "Run" WHERE "id" = ${input.runId} FOR SHARE`;
    if (!run[0]) throw new NotFoundError(`run ${input.runId} not found`);
    const artifact = await tx.artifact.findUnique({ where: { runId_path: { runId: input.runId, path: input.artifactPath } }, select: { sha256: true } });
    if (artifact?.sha256 !== input.artifactSha256) {
      throw new ConflictError(`run ${input.runId} has no artifact ${input.artifactPath} with sha256 ${input.artifactSha256}${artifact ? '' : ' (purged by retention, or never logged)'}`);
    }
    const last = await tx.modelVersion.findFirst({ where: { modelId: model.id }, orderBy: { version: 'desc' }, select: { version: true } });
    const version = (last?.version ?? 0) + 1;
    const created = await tx.modelVersion.create({
      data: {
        modelId: model.id,
        version,
        runId: input.runId,
        artifactPath: input.artifactPath,
        artifactSha256: input.artifactSha256,
        metrics: input.metrics,
        stage: input.stage ?? 'None',
        description: input.description ?? null,
      },
      select: { id: true, version: true },
    });
    await tx.modelEvent.create({
      data: { modelId: model.id, versionId: created.id, kind: 'register', toStage: input.stage ?? 'None', actor: input.actor, reason: input.reason },
    });
    return created;
  }, TX_OPTIONS);
}

async function setAliasTx(tx: Tx, modelId: string, alias: string, versionId: string): Promise<void> {
  await tx.modelAlias.upsert({
    where: { modelId_alias: { modelId, alias } },
    create: { modelId, alias, versionId },
    update: { versionId },
  });
}

/** The alias that always names the Production version: only promotion and rollback move it. */
export const CHAMPION = 'champion';

/** Throws BadInputError unless `alias` is 1–64 letters, digits, `_` or `-`, not only digits. */
export function checkAlias(alias: string): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(alias) || /^\d+$/.test(alias)) {
    throw new BadInputError(`alias "${alias}" must be 1 to 64 letters, digits, _ or -, and not a number`);
  }
}

/**
 * Point an alias (`challenger`, `candidate`, any name) at a version, with an `alias_set` event
 * that records the version it pointed at before. BadInputError for a malformed alias,
 * ConflictError for `champion` (it follows Production: promote instead), NotFoundError for an
 * unknown model or version.
 */
export async function setAlias(db: Db, modelName: string, alias: string, version: number, actor: string, reason: string): Promise<ModelVersionView> {
  checkAlias(alias);
  if (alias === CHAMPION) throw new ConflictError(`"${CHAMPION}" always names the Production version: promote or roll back instead`);
  const id = await db.$transaction(async (tx) => {
    const model = await lockModel(tx, modelName);
    const v = await tx.modelVersion.findUnique({ where: { modelId_version: { modelId: model.id, version } } });
    if (!v) throw new NotFoundError(`model "${modelName}" has no version ${version}`);
    const before = await tx.modelAlias.findUnique({ where: { modelId_alias: { modelId: model.id, alias } }, include: { version: { select: { version: true } } } });
    await setAliasTx(tx, model.id, alias, v.id);
    await tx.modelEvent.create({
      data: { modelId: model.id, versionId: v.id, kind: 'alias_set', actor, reason, details: { alias, previousVersion: before?.version.version ?? null } },
    });
    return v.id;
  }, TX_OPTIONS);
  return getVersionById(db, id);
}

/**
 * Remove an alias, with an `alias_deleted` event. ConflictError for `champion`, NotFoundError
 * when the model or the alias does not exist.
 */
export async function deleteAlias(db: Db, modelName: string, alias: string, actor: string, reason: string): Promise<void> {
  checkAlias(alias);
  if (alias === CHAMPION) throw new ConflictError(`"${CHAMPION}" always names the Production version: it cannot be removed`);
  await db.$transaction(async (tx) => {
    const model = await lockModel(tx, modelName);
    const before = await tx.modelAlias.findUnique({ where: { modelId_alias: { modelId: model.id, alias } }, include: { version: { select: { version: true } } } });
    if (!before) throw new NotFoundError(`model "${modelName}" has no alias "${alias}"`);
    await tx.modelAlias.delete({ where: { modelId_alias: { modelId: model.id, alias } } });
    await tx.modelEvent.create({
      data: { modelId: model.id, versionId: before.versionId, kind: 'alias_deleted', actor, reason, details: { alias, previousVersion: before.version.version } },
    });
  }, TX_OPTIONS);
}

export interface StageChangeInput {
  modelName: string;
  version: number;
  actor: string;
  reason: string;
}

/**
 * Move a version to Production in one transaction: the current Production version (if any) is
 * archived, the `champion` alias follows, and an event records who, why, from and to.
 * Throws NotFoundError for an unknown model or version, ConflictError when the version is
 * already in Production, is Archived (use rollback), has no evaluation metrics, or (when `blobs`
 * is given) has lost its artifact bytes.
 * Relies on the partial unique index "one Production version per model" and on the model's row
 * lock, which serialises every stage change of the model (READ COMMITTED: each statement after
 * the lock sees the changes committed before it).
 */
export async function promoteVersion(db: Db, input: StageChangeInput, blobs?: BlobStore): Promise<ModelVersionView> {
  return changeProduction(db, input, 'promote', blobs);
}

type TargetResolver = (tx: Tx, modelId: string, current: { version: number } | null) => Promise<number>;

async function changeProduction(
  db: Db,
  input: Omit<StageChangeInput, 'version'> & { version: number | TargetResolver },
  kind: 'promote' | 'rollback',
  blobs?: BlobStore,
): Promise<ModelVersionView> {
  const id = await db.$transaction(async (tx) => {
    const model = await lockModel(tx, input.modelName);
    const current = await tx.modelVersion.findFirst({ where: { modelId: model.id, stage: 'Production' } });
    // Resolved under the lock, so concurrent rollbacks each step back from what is current now.
    const number = typeof input.version === 'number' ? input.version : await input.version(tx, model.id, current);
    const target = await tx.modelVersion.findUnique({ where: { modelId_version: { modelId: model.id, version: number } } });
    if (!target) throw new NotFoundError(`model "${input.modelName}" has no version ${number}`);
    if (target.stage === 'Production') {
      throw new ConflictError(`version ${number} of "${input.modelName}" is already in Production`);
    }
    if (kind === 'promote' && target.stage === 'Archived') {
      throw new ConflictError(`version ${number} of "${input.modelName}" is Archived; bring it back with a rollback`, { stage: target.stage });
    }
    const metrics = (target.metrics ?? {}) as Record<string, unknown>;
    if (typeof metrics.f1_macro !== 'number') {
      throw new ConflictError(`version ${number} of "${input.modelName}" was never evaluated (no f1_macro)`);
    }
    if (blobs && !(await blobs.has(target.artifactSha256, tx))) {
      throw new ConflictError(`version ${number} of "${input.modelName}" has lost its artifact ${target.artifactSha256}`);
    }
    if (current) {
      await tx.modelVersion.update({ where: { id: current.id }, data: { stage: 'Archived' } });
      await tx.modelEvent.create({
        data: {
          modelId: model.id,
          versionId: current.id,
          kind: 'archive',
          fromStage: 'Production',
          toStage: 'Archived',
          actor: input.actor,
          reason: `replaced by version ${target.version}: ${input.reason}`,
        },
      });
    }
    await tx.modelVersion.update({ where: { id: target.id }, data: { stage: 'Production' } });
    await setAliasTx(tx, model.id, 'champion', target.id);
    // A challenger that has become champion is no longer a challenger.
    await tx.modelAlias.deleteMany({ where: { modelId: model.id, alias: 'challenger', versionId: target.id } });
    await tx.modelEvent.create({
      data: {
        modelId: model.id,
        versionId: target.id,
        kind,
        fromStage: target.stage,
        toStage: 'Production',
        previousVersion: current?.version ?? null,
        actor: input.actor,
        reason: input.reason,
      },
    });
    return target.id;
  }, TX_OPTIONS);
  return getVersionById(db, id);
}

/**
 * The version a rollback returns to: the last one that entered Production before the current
 * one and was not itself rolled back from (so repeated rollbacks keep stepping back).
 */
const previousProduction =
  (modelName: string): TargetResolver =>
  async (tx, modelId, current) => {
    const events = await tx.modelEvent.findMany({
      where: { modelId, toStage: 'Production' },
      orderBy: { id: 'desc' },
      include: { version: { select: { version: true } } },
    });
    const rolledBackFrom = new Set(events.filter((e) => e.kind === 'rollback' && e.previousVersion !== null).map((e) => e.previousVersion!));
    const target = events
      .map((e) => e.version?.version)
      .find((v): v is number => v !== undefined && v !== current?.version && !rolledBackFrom.has(v));
    if (target === undefined) throw new NotFoundError(`model "${modelName}" has no earlier Production version to roll back to`);
    return target;
  };

/**
 * Roll back Production: to `to` when given, else to the last version that was in Production
 * before the current one and was not itself rolled back from. Refused (ConflictError) when the
 * target's artifact is missing or it was never evaluated; NotFoundError when there is nothing
 * to roll back to.
 */
export async function rollback(db: Db, blobs: BlobStore, input: { modelName: string; to?: number; actor: string; reason: string }): Promise<ModelVersionView> {
  return changeProduction(db, { ...input, version: input.to ?? previousProduction(input.modelName) }, 'rollback', blobs);
}

function view(v: {
  id: string;
  version: number;
  stage: Stage;
  status: string;
  runId: string;
  artifactPath: string;
  artifactSha256: string;
  metrics: unknown;
  description: string | null;
  tags: unknown;
  createdAt: Date;
  updatedAt: Date;
  model: { name: string };
  aliases: { alias: string }[];
}): ModelVersionView {
  return {
    id: v.id,
    model: v.model.name,
    version: v.version,
    stage: v.stage,
    status: v.status,
    runId: v.runId,
    artifactPath: v.artifactPath,
    artifactSha256: v.artifactSha256,
    metrics: (v.metrics ?? {}) as Record<string, number>,
    aliases: v.aliases.map((a) => a.alias).sort(),
    description: v.description,
    tags: (v.tags ?? {}) as Record<string, string>,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
  };
}

const VERSION_INCLUDE = { model: { select: { name: true } }, aliases: { select: { alias: true } } } as const;

export async function getVersionById(db: Db, id: string): Promise<ModelVersionView> {
  return view(await db.modelVersion.findUniqueOrThrow({ where: { id }, include: VERSION_INCLUDE }));
}

/** Resolve `{name, version}` or `{name, alias}`; NotFoundError when unknown. */
export async function resolveVersion(db: Db, ref: ModelRef): Promise<ModelVersionView> {
  const model = await db.registeredModel.findUnique({ where: { name: ref.name } });
  if (!model) throw new NotFoundError(`model "${ref.name}" not found`);
  if ('version' in ref) {
    const v = await db.modelVersion.findUnique({ where: { modelId_version: { modelId: model.id, version: ref.version } }, include: VERSION_INCLUDE });
    if (!v) throw new NotFoundError(`model "${ref.name}" has no version ${ref.version}`);
    return view(v);
  }
  const alias = await db.modelAlias.findUnique({ where: { modelId_alias: { modelId: model.id, alias: ref.alias } } });
  if (!alias) throw new NotFoundError(`model "${ref.name}" has no alias "${ref.alias}"`);
  return getVersionById(db, alias.versionId);
}

/** The Production version of a model, or null (also null when the model does not exist yet). */
export async function productionVersion(db: Db, modelName: string): Promise<ModelVersionView | null> {
  const v = await db.modelVersion.findFirst({ where: { model: { name: modelName }, stage: 'Production' }, include: VERSION_INCLUDE });
  return v ? view(v) : null;
}

export async function listModels(db: Db) {
  const models = await db.registeredModel.findMany({
    orderBy: { name: 'asc' },
    include: {
      versions: { where: { stage: 'Production' }, select: { version: true } },
      aliases: { include: { version: { select: { version: true } } } },
      _count: { select: { versions: true } },
    },
  });
  return models.map((m) => ({
    name: m.name,
    description: m.description,
    versions: m._count.versions,
    productionVersion: m.versions[0]?.version ?? null,
    aliases: Object.fromEntries(m.aliases.map((a) => [a.alias, a.version.version])),
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  }));
}

export interface ModelView {
  name: string;
  description: string | null;
  tags: Record<string, string>;
  versions: number;
  productionVersion: number | null;
  aliases: Record<string, number>;
  /** The newest version of each stage that has one. */
  latestVersions: Partial<Record<Stage, number>>;
  createdAt: Date;
  updatedAt: Date;
}

/** One registered model with its aliases and newest version per stage; NotFoundError when unknown. */
export async function getModel(db: Db, modelName: string): Promise<ModelView> {
  const m = await db.registeredModel.findUnique({
    where: { name: modelName },
    include: { aliases: { include: { version: { select: { version: true } } } }, _count: { select: { versions: true } } },
  });
  if (!m) throw new NotFoundError(`model "${modelName}" not found`);
  const latest = await db.modelVersion.groupBy({ by: ['stage'], where: { modelId: m.id }, _max: { version: true } });
  const latestVersions: Partial<Record<Stage, number>> = {};
  for (const l of latest) if (l._max.version !== null) latestVersions[l.stage] = l._max.version;
  return {
    name: m.name,
    description: m.description,
    tags: (m.tags ?? {}) as Record<string, string>,
    versions: m._count.versions,
    productionVersion: latestVersions.Production ?? null,
    aliases: Object.fromEntries(m.aliases.map((a) => [a.alias, a.version.version])),
    latestVersions,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

export async function listVersions(db: Db, modelName: string): Promise<ModelVersionView[]> {
  const model = await db.registeredModel.findUnique({ where: { name: modelName } });
  if (!model) throw new NotFoundError(`model "${modelName}" not found`);
  const versions = await db.modelVersion.findMany({ where: { modelId: model.id }, orderBy: { version: 'desc' }, include: VERSION_INCLUDE });
  return versions.map(view);
}

export interface ModelEventView {
  id: number;
  kind: string;
  version: number | null;
  fromStage: Stage | null;
  toStage: Stage | null;
  previousVersion: number | null;
  actor: string;
  reason: string;
  details: unknown;
  at: Date;
}

/**
 * A model's history, oldest first: every register, promote, archive, rollback, alias and tag
 * change and gate decision (who, when, from, to, which version, why). With `version`, only the
 * events of that version. NotFoundError for an unknown model.
 */
export async function listEvents(db: Db, modelName: string, opts: { version?: number } = {}): Promise<ModelEventView[]> {
  const model = await db.registeredModel.findUnique({ where: { name: modelName } });
  if (!model) throw new NotFoundError(`model "${modelName}" not found`);
  const events = await db.modelEvent.findMany({
    where: { modelId: model.id, ...(opts.version === undefined ? {} : { version: { version: opts.version } }) },
    orderBy: { id: 'asc' },
    include: { version: { select: { version: true } } },
  });
  return events.map((e) => ({
    id: Number(e.id),
    kind: e.kind,
    version: e.version?.version ?? null,
    fromStage: e.fromStage,
    toStage: e.toStage,
    previousVersion: e.previousVersion,
    actor: e.actor,
    reason: e.reason,
    details: e.details,
    at: e.createdAt,
  }));
}

/** Record a gate decision that kept a version out of Production. */
export async function recordGateRejection(db: Db, modelName: string, versionId: string, actor: string, reason: string, details: unknown): Promise<void> {
  const model = await db.registeredModel.findUniqueOrThrow({ where: { name: modelName } });
  await db.modelEvent.create({ data: { modelId: model.id, versionId, kind: 'gate_rejected', actor, reason, details: details as object } });
}
