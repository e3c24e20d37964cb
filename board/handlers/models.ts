import { z } from 'zod';
import type { BlobStore } from '../../core/blobs.ts';
import type { Db } from '../../core/db/client.ts';
import { listEvents, listModels, listVersions, promoteVersion, rollback } from '../../core/registry/registry.ts';
import { parse, type Handler } from '../http.ts';
import { bodyOf, name, nameVersion, version, whoBody } from './model-admin.ts';

/** A promotion takes what every registry change takes: an optional reason and actor. */
export const promoteBody = whoBody;
export const rollbackBody = whoBody.extend({ to: z.number().int().positive().optional() }).strict();
export const eventsQuery = z.object({ version: version.optional() }).strict();

export function modelHandlers(deps: { db: Db; blobs: BlobStore }) {
  const { db, blobs } = deps;
  const list: Handler = async () => ({ status: 200, body: { models: await listModels(db) } });
  const versions: Handler = async (req) => {
    const p = parse(name, req.params);
    return { status: 200, body: { model: p.name, versions: await listVersions(db, p.name) } };
  };
  const events: Handler = async (req) => {
    const p = parse(name, req.params);
    const q = parse(eventsQuery, req.query);
    return { status: 200, body: { model: p.name, events: await listEvents(db, p.name, { version: q.version }) } };
  };
  const promote: Handler = async (req) => {
    const p = parse(nameVersion, req.params);
    const b = parse(promoteBody, bodyOf(req.body));
    const v = await promoteVersion(db, { modelName: p.name, version: p.version, actor: b.actor ?? 'api', reason: b.reason ?? 'promoted through the API' }, blobs);
    return { status: 200, body: { version: v } };
  };
  const rollbackHandler: Handler = async (req) => {
    const p = parse(name, req.params);
    const b = parse(rollbackBody, bodyOf(req.body));
    const v = await rollback(db, blobs, { modelName: p.name, to: b.to, actor: b.actor ?? 'api', reason: b.reason ?? 'rolled back through the API' });
    return { status: 200, body: { version: v } };
  };
  return { list, versions, events, promote, rollback: rollbackHandler };
}
