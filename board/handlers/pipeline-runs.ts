import type { FlowProducer } from 'bullmq';
import { z } from 'zod';
import type { Config } from '../../core/config.ts';
import { sourceSpec } from '../../core/config.ts';
import type { Db } from '../../core/db/client.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { listNights, logicalDay, nightListQuery, nightSummary, startNight } from '../../core/pipeline/night.ts';
import { resolveSource } from '../../core/sources/index.ts';
import { parse, type Handler } from '../http.ts';

export const listQuery = nightListQuery;

export const triggerBody = z
  .object({
    logicalDate: logicalDay.optional(),
    source: sourceSpec.optional(),
    params: z
      .object({
        promotionMinF1: z.number().min(0).max(1).optional(),
        promotionMinMargin: z.number().min(0).max(1).optional(),
        promotionMinConfidence: z.number().min(0).max(1).optional(),
        requireApproval: z.boolean().optional(),
        candidates: z.array(z.string().min(1)).optional(),
        seed: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export function pipelineRunHandlers(deps: { db: Db; config: Config; flows: FlowProducer; log: Logger }) {
  const { db, config } = deps;
  const list: Handler = async (req) => ({ status: 200, body: await listNights(db, parse(listQuery, req.query)) });
  const get: Handler = async (req) => {
    const id = String(req.params.id);
    if (!(await db.pipelineRun.count({ where: { id } }))) throw new NotFoundError(`pipeline run ${id} not found`);
    return { status: 200, body: await nightSummary(db, id) };
  };
  const trigger: Handler = async (req) => {
    const b = parse(triggerBody, req.body ?? {});
    const source = b.source ?? config.RADAR_SOURCE;
    const logicalDate = b.logicalDate ?? (source === 'arxiv' ? new Date(Date.now() - 86400_000).toISOString().slice(0, 10) : await resolveSource(source).lastDate!());
    const r = await startNight(deps, { logicalDate, source, trigger: 'manual', params: b.params });
    return { status: r.created ? 202 : 200, body: r };
  };
  return { list, get, trigger };
}
