import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import {
  createExperiment,
  deleteExperimentTag,
  getExperiment,
  listExperiments,
  setExperimentLifecycle,
  setExperimentTag,
} from '../../core/tracking/experiments.ts';
import { parse, type Handler } from '../http.ts';

export const listQuery = z.object({ view: z.enum(['active', 'archived', 'all']).default('active') }).strict();
export const name = z.object({ name: z.string().min(1).max(200) });
export const nameKey = name.extend({ key: z.string().min(1).max(250) });
export const createBody = z.object({ name: z.string().min(1).max(200), tags: z.record(z.string(), z.string().max(5000)).optional() }).strict();
export const tagBody = z.object({ value: z.string().max(5000) }).strict();

/** Experiments: list (active, archived or all), one, create, tags, archive and restore. */
export function experimentHandlers(deps: { db: Db }) {
  const { db } = deps;
  const list: Handler = async (req) => {
    const q = parse(listQuery, req.query);
    return { status: 200, body: { experiments: await listExperiments(db, q.view) } };
  };
  const get: Handler = async (req) => ({ status: 200, body: { experiment: await getExperiment(db, parse(name, req.params).name) } });
  const create: Handler = async (req) => {
    const b = parse(createBody, req.body ?? {});
    return { status: 201, body: { experiment: await createExperiment(db, b.name, b.tags) } };
  };
  const setTag: Handler = async (req) => {
    const p = parse(nameKey, req.params);
    const b = parse(tagBody, req.body ?? {});
    return { status: 200, body: { experiment: await setExperimentTag(db, p.name, p.key, b.value) } };
  };
  const deleteTag: Handler = async (req) => {
    const p = parse(nameKey, req.params);
    return { status: 200, body: { experiment: await deleteExperimentTag(db, p.name, p.key) } };
  };
  const archive: Handler = async (req) => ({ status: 200, body: { experiment: await setExperimentLifecycle(db, parse(name, req.params).name, 'archived') } });
  const restore: Handler = async (req) => ({ status: 200, body: { experiment: await setExperimentLifecycle(db, parse(name, req.params).name, 'active') } });
  return { list, get, create, setTag, deleteTag, archive, restore };
}
