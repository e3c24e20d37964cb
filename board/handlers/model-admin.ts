import { z } from 'zod';
import type { BlobStore } from '../../core/blobs.ts';
import type { Db } from '../../core/db/client.ts';
import { lineage } from '../../core/registry/lineage.ts';
import { setModelDescription, setModelTag, setVersionDescription, setVersionTag } from '../../core/registry/metadata.ts';
import { deleteAlias, getModel, parseModelUri, resolveVersion, setAlias } from '../../core/registry/registry.ts';
import { parse, type Handler } from '../http.ts';

export const name = z.object({ name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'not a model name') });
export const version = z.string().regex(/^[1-9]\d{0,8}$/, 'not a version number').transform(Number);
export const nameVersion = name.extend({ version });
export const nameKey = name.extend({ key: z.string().min(1).max(250) });
export const nameVersionKey = nameVersion.extend({ key: z.string().min(1).max(250) });
export const nameAlias = name.extend({ alias: z.string().min(1).max(64) });

const who = { reason: z.string().min(1).max(2000).optional(), actor: z.string().min(1).max(200).optional() };
export const descriptionBody = z.object({ description: z.string().max(5000).nullable(), ...who }).strict();
export const tagBody = z.object({ value: z.string().max(5000), ...who }).strict();
export const whoBody = z.object(who).strict();
export const aliasBody = z.object({ version: z.number().int().positive(), ...who }).strict();
export const uriQuery = z.object({ uri: z.string().min(1).max(500) }).strict();

/** A registry change may come without a body (a DELETE never has one): treat a missing one as `{}`. */
export const bodyOf = (b: unknown) => (b === undefined || b === null ? {} : b);

/**
 * Registry reads and metadata: one model, one version, `models:/` URI resolution, lineage,
 * descriptions, tags and aliases. Every change records an event with its actor and reason.
 */
export function modelAdminHandlers(deps: { db: Db; blobs: BlobStore }) {
  const { db, blobs } = deps;

  const get: Handler = async (req) => ({ status: 200, body: { model: await getModel(db, parse(name, req.params).name) } });

  const getVersion: Handler = async (req) => {
    const p = parse(nameVersion, req.params);
    return { status: 200, body: { version: await resolveVersion(db, { name: p.name, version: p.version }) } };
  };

  /** `GET /api/model-uri?uri=models:/name@alias` or `models:/name/3`: the version it names. */
  const resolveUri: Handler = async (req) => {
    const q = parse(uriQuery, req.query);
    return { status: 200, body: { uri: q.uri, version: await resolveVersion(db, parseModelUri(q.uri)) } };
  };

  const versionLineage: Handler = async (req) => {
    const p = parse(nameVersion, req.params);
    return { status: 200, body: await lineage(db, blobs, { name: p.name, version: p.version }) };
  };

  const describeModel: Handler = async (req) => {
    const p = parse(name, req.params);
    const b = parse(descriptionBody, req.body ?? {});
    return { status: 200, body: { model: await setModelDescription(db, { modelName: p.name, description: b.description, actor: b.actor ?? 'api', reason: b.reason }) } };
  };
  const setModelTagH: Handler = async (req) => {
    const p = parse(nameKey, req.params);
    const b = parse(tagBody, req.body ?? {});
    return { status: 200, body: { model: await setModelTag(db, { modelName: p.name, key: p.key, value: b.value, actor: b.actor ?? 'api', reason: b.reason }) } };
  };
  const deleteModelTagH: Handler = async (req) => {
    const p = parse(nameKey, req.params);
    const b = parse(whoBody, bodyOf(req.body));
    return { status: 200, body: { model: await setModelTag(db, { modelName: p.name, key: p.key, value: null, actor: b.actor ?? 'api', reason: b.reason }) } };
  };

  const describeVersion: Handler = async (req) => {
    const p = parse(nameVersion, req.params);
    const b = parse(descriptionBody, req.body ?? {});
    const v = await setVersionDescription(db, { modelName: p.name, version: p.version, description: b.description, actor: b.actor ?? 'api', reason: b.reason });
    return { status: 200, body: { version: v } };
  };
  const setVersionTagH: Handler = async (req) => {
    const p = parse(nameVersionKey, req.params);
    const b = parse(tagBody, req.body ?? {});
    const v = await setVersionTag(db, { modelName: p.name, version: p.version, key: p.key, value: b.value, actor: b.actor ?? 'api', reason: b.reason });
    return { status: 200, body: { version: v } };
  };
  const deleteVersionTagH: Handler = async (req) => {
    const p = parse(nameVersionKey, req.params);
    const b = parse(whoBody, bodyOf(req.body));
    const v = await setVersionTag(db, { modelName: p.name, version: p.version, key: p.key, value: null, actor: b.actor ?? 'api', reason: b.reason });
    return { status: 200, body: { version: v } };
  };

  /** `PUT /api/models/:name/aliases/:alias` body `{ version }`: point the alias at the version. `champion` is refused (409): it follows Production. */
  const putAlias: Handler = async (req) => {
    const p = parse(nameAlias, req.params);
    const b = parse(aliasBody, req.body ?? {});
    const v = await setAlias(db, p.name, p.alias, b.version, b.actor ?? 'api', b.reason ?? `alias ${p.alias} set through the API`);
    return { status: 200, body: { alias: p.alias, version: v } };
  };
  const deleteAliasH: Handler = async (req) => {
    const p = parse(nameAlias, req.params);
    const b = parse(whoBody, bodyOf(req.body));
    await deleteAlias(db, p.name, p.alias, b.actor ?? 'api', b.reason ?? `alias ${p.alias} removed through the API`);
    return { status: 200, body: { model: await getModel(db, p.name) } };
  };

  return {
    get,
    getVersion,
    resolveUri,
    lineage: versionLineage,
    describeModel,
    setModelTag: setModelTagH,
    deleteModelTag: deleteModelTagH,
    describeVersion,
    setVersionTag: setVersionTagH,
    deleteVersionTag: deleteVersionTagH,
    putAlias,
    deleteAlias: deleteAliasH,
  };
}
