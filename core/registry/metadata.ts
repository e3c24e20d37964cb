import type { Db } from '../db/client.ts';
import { BadInputError, NotFoundError } from '../errors.ts';
import { getModel, getVersionById, lockModel, TX_OPTIONS, type ModelVersionView, type ModelView, type Tx } from './registry.ts';

/**
 * Descriptions and tags of registered models and their versions. Each change is one atomic
 * UPDATE (a JSON merge, so concurrent writers of other keys lose nothing) plus an event in the
 * model's history, in one transaction under the model's lock.
 */

const TAG_KEY = /^[A-Za-z0-9_.\-:/ ]{1,250}$/;
const MAX_VALUE = 5000;

function checkTag(key: string, value?: string): void {
  if (!TAG_KEY.test(key)) throw new BadInputError(`tag key "${key}" must be 1 to 250 letters, digits, spaces or _ . - : /`);
  if (value !== undefined && value.length > MAX_VALUE) throw new BadInputError(`tag value longer than ${MAX_VALUE} characters`);
}

interface Change {
  modelName: string;
  actor: string;
  reason?: string;
}

/** Set a model's description. NotFoundError for an unknown model. */
export async function setModelDescription(db: Db, input: Change & { description: string | null }): Promise<ModelView> {
  await db.$transaction(async (tx) => {
    const model = await lockModel(tx, input.modelName);
    await tx.registeredModel.update({ where: { id: model.id }, data: { description: input.description } });
    await tx.modelEvent.create({
      data: { modelId: model.id, kind: 'description_set', actor: input.actor, reason: input.reason ?? 'description changed', details: { description: input.description } },
    });
  }, TX_OPTIONS);
  return getModel(db, input.modelName);
}

/** Set (`value` given) or delete (`value` null) a model tag. NotFoundError for an unknown model or, on delete, tag. */
export async function setModelTag(db: Db, input: Change & { key: string; value: string | null }): Promise<ModelView> {
  checkTag(input.key, input.value ?? undefined);
  await db.$transaction(async (tx) => {
    const model = await lockModel(tx, input.modelName);
    const n =
      input.value === null
        ? await tx.$executeRaw`UPDATE "RegisteredModel" SET "tags" = "tags" - ${input.key}::text, "updatedAt" = now() AT TIME ZONE 'UTC' WHERE "id" = ${model.id} AND ("tags" -> ${input.key}::text) IS NOT NULL`
        : await tx.$executeRaw`UPDATE "RegisteredModel" SET "tags" = "tags" || jsonb_build_object(${input.key}::text, ${input.value}::text), "updatedAt" = now() AT TIME ZONE 'UTC' WHERE "id" = ${model.id}`;
    if (n === 0) throw new NotFoundError(`model "${input.modelName}" has no tag "${input.key}"`);
    await tx.modelEvent.create({
      data: {
        modelId: model.id,
        kind: input.value === null ? 'tag_deleted' : 'tag_set',
        actor: input.actor,
        reason: input.reason ?? `tag ${input.key} ${input.value === null ? 'deleted' : 'set'}`,
        details: { key: input.key, value: input.value },
      },
    });
  }, TX_OPTIONS);
  return getModel(db, input.modelName);
}

async function versionId(tx: Tx, modelId: string, modelName: string, version: number): Promise<string> {
  const v = await tx.modelVersion.findUnique({ where: { modelId_version: { modelId, version } }, select: { id: true } });
  if (!v) throw new NotFoundError(`model "${modelName}" has no version ${version}`);
  return v.id;
}

/** Set a version's description. NotFoundError for an unknown model or version. */
export async function setVersionDescription(db: Db, input: Change & { version: number; description: string | null }): Promise<ModelVersionView> {
  const id = await db.$transaction(async (tx) => {
    const model = await lockModel(tx, input.modelName);
    const id = await versionId(tx, model.id, input.modelName, input.version);
    await tx.modelVersion.update({ where: { id }, data: { description: input.description } });
    await tx.modelEvent.create({
      data: { modelId: model.id, versionId: id, kind: 'description_set', actor: input.actor, reason: input.reason ?? 'description changed', details: { description: input.description } },
    });
    return id;
  }, TX_OPTIONS);
  return getVersionById(db, id);
}

/** Set (`value` given) or delete (`value` null) a version tag. NotFoundError for an unknown model, version or, on delete, tag. */
export async function setVersionTag(db: Db, input: Change & { version: number; key: string; value: string | null }): Promise<ModelVersionView> {
  checkTag(input.key, input.value ?? undefined);
  const id = await db.$transaction(async (tx) => {
    const model = await lockModel(tx, input.modelName);
    const id = await versionId(tx, model.id, input.modelName, input.version);
    const n =
      input.value === null
        ? await tx.$executeRaw`UPDATE "ModelVersion" SET "tags" = "tags" - ${input.key}::text, "updatedAt" = now() AT TIME ZONE 'UTC' WHERE "id" = ${id} AND ("tags" -> ${input.key}::text) IS NOT NULL`
        : await tx.$executeRaw`UPDATE "ModelVersion" SET "tags" = "tags" || jsonb_build_object(${input.key}::text, ${input.value}::text), "updatedAt" = now() AT TIME ZONE 'UTC' WHERE "id" = ${id}`;
    if (n === 0) throw new NotFoundError(`version ${input.version} of "${input.modelName}" has no tag "${input.key}"`);
    await tx.modelEvent.create({
      data: {
        modelId: model.id,
        versionId: id,
        kind: input.value === null ? 'tag_deleted' : 'tag_set',
        actor: input.actor,
        reason: input.reason ?? `tag ${input.key} ${input.value === null ? 'deleted' : 'set'}`,
        details: { key: input.key, value: input.value },
      },
    });
    return id;
  }, TX_OPTIONS);
  return getVersionById(db, id);
}
