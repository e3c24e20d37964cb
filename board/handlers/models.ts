import { z } from 'zod';
import type { BlobStore } from '../../core/blobs.ts';
import type { Db } from '../../core/db/client.ts';
import { listEvents, listModels, listVersions, promoteVersion, rollback } from '../../core/registry/registry.ts';
import { parse, type Handler } from '../http.ts';

export const name = z.object({ name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'not a model name') });
export const nameVersion = name.extend({ version: z.string().regex(/^[1-9]\d{0,8}$/, 'not a version number').transform(Number) });
export const promoteBody = z.object({ reason: z.string().min(1).max(2000).optional(), actor: z.string().min(1).max(200).optional() }).strict();
export const rollbackBody = promoteBody.extend({ to: z.number().int().positive().optional() }).strict();
export const eventsQuery = z.object({ version: z.string().regex(/^[1-9]\d{0,8}$/, 'not a version number').transform(Number).optional() }).strict();

/** The body may be absent for promote/rollback: treat a missing body as `{}`. */
const bodyOf = (b: unknown) => (b === undefined || b === null || (typeof b === 'object' && Object.keys(b as object).length === 0) ? {} : b);

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
