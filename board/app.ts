import { timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
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
import * as classifyApi from './handlers/classify.ts';
import * as experimentApi from './handlers/experiments.ts';
import * as adminApi from './handlers/model-admin.ts';
import * as modelApi from './handlers/models.ts';
import * as paperApi from './handlers/papers.ts';
import * as nightApi from './handlers/pipeline-runs.ts';
import * as compareApi from './handlers/runs-compare.ts';
import * as runApi from './handlers/runs.ts';
import { errorBody, errorResponse, type Route } from './http.ts';
import { createMetrics } from './metrics.ts';
import { openApiDocument } from './openapi.ts';

const DASHBOARD_PAGE = fileURLToPath(new URL('./dashboard/index.html', import.meta.url));

/** Version of the API contract, as published in the OpenAPI document. */
export const API_VERSION = '1.0.0';

export interface BoardDeps {
  db: Db;
  blobs: BlobStore;
  config: Config;
  log: Logger;
  redis: Redis;
  flows: FlowProducer;
  queues: Queue[];
}

/**
 * Every API route, as data: method, path, summary, auth, the schemas its handler validates with,
 * and the handler. The OpenAPI document is generated from this table.
 */
export function routes(deps: BoardDeps): Route[] {
  let doc: unknown;
  const openApi = () => (doc ??= openApiDocument(routes(deps), API_VERSION));
  const models = modelApi.modelHandlers(deps);
  const admin = adminApi.modelAdminHandlers(deps);
  const experiments = experimentApi.experimentHandlers(deps);
  const nights = nightApi.pipelineRunHandlers(deps);
  const runs = runApi.runHandlers(deps);
  const papers = paperApi.paperHandlers(deps);
  const M = modelApi;
  const A = adminApi;
  const E = experimentApi;
  const R = runApi;
  return [
    { method: 'get', path: '/api/health', summary: 'PostgreSQL and Redis reachability (503 when degraded)', errors: [503], handler: async () => health(deps) },
    { method: 'get', path: '/api/openapi.json', summary: 'This document', handler: async () => ({ status: 200, body: openApi() }) },
    { method: 'get', path: '/api/models', summary: 'Registered models with their Production version and aliases', handler: models.list },
    { method: 'get', path: '/api/model-uri', summary: 'Resolve a models:/ URI (name/version, name@alias, name/Production) to a version', query: A.uriQuery, errors: [404], handler: admin.resolveUri },
    { method: 'get', path: '/api/models/:name', summary: 'One model: description, tags, aliases, versions by stage', params: A.name, handler: admin.get },
    { method: 'patch', path: '/api/models/:name', summary: "Set or clear a model's description", auth: true, params: A.name, body: A.descriptionBody, handler: admin.describeModel },
    { method: 'put', path: '/api/models/:name/tags/:key', summary: 'Set a model tag', auth: true, params: A.nameKey, body: A.tagBody, handler: admin.setModelTag },
    { method: 'delete', path: '/api/models/:name/tags/:key', summary: 'Delete a model tag', auth: true, params: A.nameKey, body: A.whoBody, handler: admin.deleteModelTag },
    { method: 'put', path: '/api/models/:name/aliases/:alias', summary: 'Point an alias at a version (not "champion": that is always Production)', auth: true, params: A.nameAlias, body: A.aliasBody, errors: [409], handler: admin.putAlias },
    { method: 'delete', path: '/api/models/:name/aliases/:alias', summary: 'Delete an alias', auth: true, params: A.nameAlias, body: A.whoBody, errors: [409], handler: admin.deleteAlias },
    { method: 'get', path: '/api/models/:name/versions', summary: 'Versions of a model with stage, metrics and source run', params: A.name, handler: models.versions },
    { method: 'get', path: '/api/models/:name/versions/:version', summary: 'One version: stage, metrics, tags, description, artifact', params: A.nameVersion, handler: admin.getVersion },
    { method: 'patch', path: '/api/models/:name/versions/:version', summary: "Set or clear a version's description", auth: true, params: A.nameVersion, body: A.descriptionBody, handler: admin.describeVersion },
    { method: 'put', path: '/api/models/:name/versions/:version/tags/:key', summary: 'Set a version tag', auth: true, params: A.nameVersionKey, body: A.tagBody, handler: admin.setVersionTag },
    { method: 'delete', path: '/api/models/:name/versions/:version/tags/:key', summary: 'Delete a version tag', auth: true, params: A.nameVersionKey, body: A.whoBody, handler: admin.deleteVersionTag },
    { method: 'get', path: '/api/models/:name/versions/:version/lineage', summary: 'Lineage: the run, its night, data snapshot, code version and artifact behind a version', params: A.nameVersion, handler: admin.lineage },
    { method: 'get', path: '/api/models/:name/events', summary: 'Registry events (registered, promoted, archived, gate rejected, rolled back) in order', params: A.name, query: M.eventsQuery, handler: models.events },
    { method: 'post', path: '/api/models/:name/versions/:version/promote', summary: 'Promote a version to Production (the previous one is archived)', auth: true, params: A.nameVersion, body: M.promoteBody, errors: [409], handler: models.promote },
    { method: 'post', path: '/api/models/:name/rollback', summary: 'Roll Production back to the previous (or a given) archived version', auth: true, params: A.name, body: M.rollbackBody, errors: [409], handler: models.rollback },
    { method: 'get', path: '/api/pipeline-runs', summary: 'Nights, newest first, by status and date', query: nightApi.listQuery, handler: nights.list },
    { method: 'get', path: '/api/pipeline-runs/:id', summary: 'One night: stages, inputs, candidates, model version, gate decision', handler: nights.get },
    { method: 'post', path: '/api/pipeline-runs', summary: 'Trigger a night (the running night of the same date is returned, not duplicated)', auth: true, body: nightApi.triggerBody, handler: nights.trigger },
    { method: 'get', path: '/api/experiments', summary: 'Experiments (active, archived or all)', query: E.listQuery, handler: experiments.list },
    { method: 'post', path: '/api/experiments', summary: 'Create an experiment', auth: true, body: E.createBody, errors: [409], handler: experiments.create },
    { method: 'get', path: '/api/experiments/:name', summary: 'One experiment with its tags and run count', params: E.name, handler: experiments.get },
    { method: 'put', path: '/api/experiments/:name/tags/:key', summary: 'Set an experiment tag', auth: true, params: E.nameKey, body: E.tagBody, handler: experiments.setTag },
    { method: 'delete', path: '/api/experiments/:name/tags/:key', summary: 'Delete an experiment tag', auth: true, params: E.nameKey, handler: experiments.deleteTag },
    { method: 'post', path: '/api/experiments/:name/archive', summary: 'Archive an experiment (no new runs until restored)', auth: true, params: E.name, handler: experiments.archive },
    { method: 'post', path: '/api/experiments/:name/restore', summary: 'Restore an archived experiment', auth: true, params: E.name, handler: experiments.restore },
    { method: 'get', path: '/api/runs', summary: 'Search runs with a filter over metrics., params., tags. and attributes; ordered, keyset-paged', query: R.searchQuery, handler: runs.list },
    // Before /api/runs/:id, so "compare" is not taken for a run id.
    { method: 'get', path: '/api/runs/compare', summary: 'Compare runs side by side: params, latest metrics, tags', query: compareApi.query, handler: compareApi.compareHandler(deps) },
    { method: 'get', path: '/api/runs/:id', summary: 'One run: params, metrics, tags, artifacts, parent and children', params: R.runId, handler: runs.get },
    { method: 'get', path: '/api/runs/:id/metrics/:key', summary: "One metric's history (every step) for a run", params: R.historyParams, handler: runs.history },
    { method: 'post', path: '/api/classify', summary: 'Label up to 500 texts or papers (title + abstract; body at most 1 MB) with the Production model or a models:/ URI: label, confidence, top-k', body: classifyApi.classifyBody, bodyRequired: true, errors: [404], handler: classifyApi.classifyHandler(deps) },
    { method: 'get', path: '/api/papers', summary: 'Papers by predicted topic, category, publication window and text', query: paperApi.query, handler: papers.list },
    { method: 'get', path: '/api/trends', summary: 'Papers per topic per day, week or month', query: paperApi.trendsQuery, handler: papers.trends },
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

/** The Express app: the dashboard at /dashboard, Bull Board at /admin/queues, the JSON API under /api, Prometheus metrics at /metrics. */
export function createApp(deps: BoardDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));

  const bullBoard = new ExpressAdapter();
  bullBoard.setBasePath('/admin/queues');
  createBullBoard({ queues: deps.queues.map((q) => new BullMQAdapter(q)), serverAdapter: bullBoard });
  app.use('/admin/queues', bullBoard.getRouter());

  // The dashboard: one static page over the JSON API (models, promote / rollback, nights, papers,
  // trends). It holds no logic the API does not have.
  app.get('/', (_req: Request, res: Response) => res.redirect('/dashboard'));
  app.get('/dashboard', (_req: Request, res: Response) => res.sendFile(DASHBOARD_PAGE));

  const metrics = createMetrics(deps);
  app.get('/metrics', async (_req: Request, res: Response) => {
    try {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    } catch (err) {
      // A scrape that cannot reach Redis or Postgres fails loudly: Prometheus records the target down.
      deps.log.error('metrics scrape failed', { error: coerceError(err).message });
      res.status(503).type('text/plain').send(`metrics unavailable: ${coerceError(err).message}\n`);
    }
  });

  for (const route of routes(deps)) {
    app[route.method](route.path, async (req: Request, res: Response) => {
      const started = performance.now();
      res.on('finish', () => metrics.observeRequest(route.method, route.path, res.statusCode, (performance.now() - started) / 1000));
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
