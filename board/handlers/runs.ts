import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import { getRun, metricHistory } from '../../core/tracking/runs.ts';
import { searchRuns } from '../../core/tracking/search.ts';
import { parse, type Handler } from '../http.ts';

export const searchQuery = z
  .object({
    experiment: z.string().min(1).max(200).optional(),
    pipelineRun: z.string().min(1).max(100).optional(),
    filter: z.string().max(10_000).optional(),
    orderBy: z.string().max(2000).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().min(1).max(4000).optional(),
  })
  .strict();

export const runId = z.object({ id: z.string().min(1).max(100) });
export const historyParams = runId.extend({ key: z.string().min(1).max(250) });

/**
 * Tracking runs (MLflow's runs view): search with the filter language, one run, a metric's
 * history. A bad filter or orderBy is a 400 whose message and details give the position.
 */
export function runHandlers(deps: { db: Db }) {
  const { db } = deps;
  const list: Handler = async (req) => {
    const q = parse(searchQuery, req.query);
    const result = await searchRuns(db, q);
    return { status: 200, body: { runs: result.runs, nextCursor: result.nextCursor } };
  };
  const get: Handler = async (req) => {
    const p = parse(runId, req.params);
    return { status: 200, body: { run: await getRun(db, p.id) } };
  };
  const history: Handler = async (req) => {
    const p = parse(historyParams, req.params);
    return { status: 200, body: { runId: p.id, key: p.key, history: (await metricHistory(db, p.id, p.key)).map(({ value, step, timestamp }) => ({ value, step, timestamp })) } };
  };
  return { list, get, history };
}
