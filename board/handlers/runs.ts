import { z } from 'zod';
import type { Db } from '../../core/db/client.ts';
import { parse, type Handler } from '../http.ts';

const query = z.object({
  experiment: z.string().min(1).optional(),
  pipelineRun: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Tracking runs with their params and latest metrics (MLflow's runs view). */
export function runHandlers(deps: { db: Db }) {
  const list: Handler = async (req) => {
    const q = parse(query, req.query);
    const runs = await deps.db.run.findMany({
      where: { ...(q.experiment ? { experiment: { name: q.experiment } } : {}), ...(q.pipelineRun ? { pipelineRunId: q.pipelineRun } : {}) },
      orderBy: { startTime: 'desc' },
      take: q.limit,
      include: {
        experiment: { select: { name: true } },
        params: true,
        tags: true,
        metrics: { orderBy: [{ step: 'asc' }, { timestamp: 'asc' }, { id: 'asc' }] },
        artifacts: { select: { path: true, sha256: true, size: true, mediaType: true } },
        snapshot: { select: { contentHash: true } },
      },
    });
    return {
      status: 200,
      body: {
        runs: runs.map((r) => {
          const metrics: Record<string, number> = {};
          for (const m of r.metrics) metrics[m.key] = m.value; // latest value per key
          return {
            id: r.id,
            experiment: r.experiment.name,
            name: r.name,
            status: r.status,
            startTime: r.startTime,
            endTime: r.endTime,
            parentRunId: r.parentRunId,
            pipelineRunId: r.pipelineRunId,
            snapshotHash: r.snapshot?.contentHash ?? null,
            codeVersion: r.codeVersion,
            params: Object.fromEntries(r.params.map((p) => [p.key, p.value])),
            metrics,
            tags: Object.fromEntries(r.tags.map((t) => [t.key, t.value])),
            artifacts: r.artifacts,
          };
        }),
      },
    };
  };
  return { list };
}
