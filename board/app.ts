import { timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { FlowProducer, Queue } from 'bullmq';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import type { BlobStore } from '../core/blobs.ts';
import type { Config } from '../core/config.ts';
import type { Db } from '../core/db/client.ts';
import { coerceError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { experimentHandlers } from './handlers/experiments.ts';
import { modelAdminHandlers } from './handlers/model-admin.ts';
import { modelHandlers } from './handlers/models.ts';
import { paperHandlers } from './handlers/papers.ts';
import { pipelineRunHandlers } from './handlers/pipeline-runs.ts';
import { compareHandler } from './handlers/runs-compare.ts';
import { runHandlers } from './handlers/runs.ts';
import { errorBody, errorResponse, type Route } from './http.ts';

export interface BoardDeps {
  db: Db;
  blobs: BlobStore;
  config: Config;
  log: Logger;
  redis: Redis;
  flows: FlowProducer;
  queues: Queue[];
}

/** Every API route, as data: method, path, auth, handler. */
export function routes(deps: BoardDeps): Route[] {
  const models = modelHandlers(deps);
  const admin = modelAdminHandlers(deps);
  const experiments = experimentHandlers(deps);
  const nights = pipelineRunHandlers(deps);
  const runs = runHandlers(deps);
  const papers = paperHandlers(deps);
  return [
    { method: 'get', path: '/api/health', handler: async () => health(deps) },
    { method: 'get', path: '/api/models', handler: models.list },
    { method: 'get', path: '/api/model-uri', handler: admin.resolveUri },
    { method: 'get', path: '/api/models/:name', handler: admin.get },
    { method: 'patch', path: '/api/models/:name', auth: true, handler: admin.describeModel },
    { method: 'put', path: '/api/models/:name/tags/:key', auth: true, handler: admin.setModelTag },
    { method: 'delete', path: '/api/models/:name/tags/:key', auth: true, handler: admin.deleteModelTag },
    { method: 'put', path: '/api/models/:name/aliases/:alias', auth: true, handler: admin.putAlias },
    { method: 'delete', path: '/api/models/:name/aliases/:alias', auth: true, handler: admin.deleteAlias },
    { method: 'get', path: '/api/models/:name/versions', handler: models.versions },
    { method: 'get', path: '/api/models/:name/versions/:version', handler: admin.getVersion },
    { method: 'patch', path: '/api/models/:name/versions/:version', auth: true, handler: admin.describeVersion },
    { method: 'put', path: '/api/models/:name/versions/:version/tags/:key', auth: true, handler: admin.setVersionTag },
    { method: 'delete', path: '/api/models/:name/versions/:version/tags/:key', auth: true, handler: admin.deleteVersionTag },
    { method: 'get', path: '/api/models/:name/versions/:version/lineage', handler: admin.lineage },
    { method: 'get', path: '/api/models/:name/events', handler: models.events },
    { method: 'post', path: '/api/models/:name/versions/:version/promote', auth: true, handler: models.promote },
    { method: 'post', path: '/api/models/:name/rollback', auth: true, handler: models.rollback },
    { method: 'get', path: '/api/pipeline-runs', handler: nights.list },
    { method: 'get', path: '/api/pipeline-runs/:id', handler: nights.get },
    { method: 'post', path: '/api/pipeline-runs', auth: true, handler: nights.trigger },
    { method: 'get', path: '/api/experiments', handler: experiments.list },
    { method: 'post', path: '/api/experiments', auth: true, handler: experiments.create },
    { method: 'get', path: '/api/experiments/:name', handler: experiments.get },
    { method: 'put', path: '/api/experiments/:name/tags/:key', auth: true, handler: experiments.setTag },
    { method: 'delete', path: '/api/experiments/:name/tags/:key', auth: true, handler: experiments.deleteTag },
    { method: 'post', path: '/api/experiments/:name/archive', auth: true, handler: experiments.archive },
    { method: 'post', path: '/api/experiments/:name/restore', auth: true, handler: experiments.restore },
    { method: 'get', path: '/api/runs', handler: runs.list },
    // Before /api/runs/:id, so "compare" is not taken for a run id.
    { method: 'get', path: '/api/runs/compare', handler: compareHandler(deps) },
    { method: 'get', path: '/api/runs/:id', handler: runs.get },
    { method: 'get', path: '/api/runs/:id/metrics/:key', handler: runs.history },
    { method: 'get', path: '/api/papers', handler: papers.list },
    { method: 'get', path: '/api/trends', handler: papers.trends },
  ];
}

async function health(deps: BoardDeps) {
  const checks: Record<string, string> = {};
  try {
    await deps.db.$queryRaw`SELECT 1`;
    checks.postgres = 'ok';
  } catch (e) {
    checks.postgres = coerceError(e).message;
  }
  try {
    await deps.redis.ping();
    checks.redis = 'ok';
  } catch (e) {
    checks.redis = coerceError(e).message;
  }
  const ok = Object.values(checks).every((v) => v === 'ok');
  return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'degraded', checks } };
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]!);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The Express app: Bull Board at /admin/queues and the JSON API under /api. */
export function createApp(deps: BoardDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));

  const bullBoard = new ExpressAdapter();
  bullBoard.setBasePath('/admin/queues');
  createBullBoard({ queues: deps.queues.map((q) => new BullMQAdapter(q)), serverAdapter: bullBoard });
  app.use('/admin/queues', bullBoard.getRouter());

  for (const route of routes(deps)) {
    app[route.method](route.path, async (req: Request, res: Response) => {
      if (route.auth && !tokenMatches(req.header('authorization'), deps.config.API_TOKEN)) {
        const hasHeader = req.header('authorization') !== undefined;
        res.status(hasHeader ? 403 : 401).json(errorBody(hasHeader ? 'forbidden' : 'unauthorized', hasHeader ? 'invalid token' : 'a bearer token is required'));
        return;
      }
      try {
        const out = await route.handler({ params: req.params as Record<string, string>, query: req.query as Record<string, unknown>, body: req.body, headers: req.headers });
        res.status(out.status).json(out.body);
      } catch (err) {
        const out = errorResponse(err);
        if (out.status >= 500) deps.log.error('request failed', { method: req.method, path: req.path, error: coerceError(err).message });
        res.status(out.status).json(out.body);
      }
    });
  }

  app.use('/api', (_req: Request, res: Response) => {
    res.status(404).json(errorBody('not_found', 'no such endpoint'));
  });
  // Body parser errors (malformed JSON, too large) and anything else thrown by middleware.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed') {
      res.status(400).json(errorBody('bad_request', `malformed JSON body: ${e.message}`));
      return;
    }
    if (e?.status && e.status >= 400 && e.status < 500) {
      res.status(e.status).json(errorBody('bad_request', e.message ?? 'bad request'));
      return;
    }
    deps.log.error('unhandled error', { error: coerceError(err).message });
    res.status(500).json(errorBody('internal', 'internal error'));
  });
  return app;
}
