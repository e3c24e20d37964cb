/**
 * Prometheus metrics at GET /metrics: what an on-call engineer alerts on. Queue depths per state
 * (a growing `waiting` or any `failed` means the fleet is behind or broken), nights by status and
 * the end time of the last succeeded and failed night (alert when the last success is older than a
 * day), the Production model's version and macro-F1 per model, papers stored and classified, the
 * API's request durations, and Node's process metrics. Gauges are read at scrape time from Redis
 * and Postgres, so any board replica reports the same fleet-wide figures.
 */
import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../core/db/client.ts';

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

export interface BoardMetrics {
  registry: Registry;
  /** Records one API request (route is the route pattern, not the concrete path). */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

export function createMetrics(deps: { db: Db; queues: readonly Queue[] }): BoardMetrics {
  const { db, queues } = deps;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'radar_' });

  new Gauge({
    name: 'radar_queue_jobs',
    help: 'Jobs per BullMQ queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      const counts = await Promise.all(queues.map((q) => q.getJobCounts(...JOB_STATES)));
      this.reset();
      queues.forEach((q, i) => {
        for (const state of JOB_STATES) this.set({ queue: q.name, state }, counts[i]![state] ?? 0);
      });
    },
  });

  new Gauge({
    name: 'radar_nights',
    help: 'Pipeline runs (nights) per status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const rows = await db.pipelineRun.groupBy({ by: ['status'], _count: { _all: true } });
      this.reset();
      for (const r of rows) this.set({ status: r.status }, r._count._all);
    },
  });

  new Gauge({
    name: 'radar_last_night_end_timestamp_seconds',
    help: 'When the most recent night of each final status ended (Unix seconds)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const rows = await db.pipelineRun.groupBy({ by: ['status'], where: { status: { in: ['succeeded', 'failed'] }, finishedAt: { not: null } }, _max: { finishedAt: true } });
      this.reset();
      for (const r of rows) if (r._max.finishedAt) this.set({ status: r.status }, r._max.finishedAt.getTime() / 1000);
    },
  });

  // Every collect() reads first and then resets and sets without an await in between: two scrapes
  // running at once can then never see a gauge reset by the other but not yet refilled.
  // prom-client collects every metric of a scrape concurrently: the two Production gauges share
  // one query per scrape through a promise kept for a second.
  let production: { at: number; rows: Promise<{ version: number; metrics: unknown; model: { name: string } }[]> } | null = null;
  const productionRows = () => {
    if (!production || performance.now() - production.at > 1000) {
      production = { at: performance.now(), rows: db.modelVersion.findMany({ where: { stage: 'Production' }, select: { version: true, metrics: true, model: { select: { name: true } } } }) };
    }
    return production.rows;
  };
  new Gauge({
    name: 'radar_production_model_version',
    help: 'Version number in Production, per registered model',
    labelNames: ['model'],
    registers: [registry],
    async collect() {
      const rows = await productionRows();
      this.reset();
      for (const v of rows) this.set({ model: v.model.name }, v.version);
    },
  });
  new Gauge({
    name: 'radar_production_model_f1_macro',
    help: "Production version's held-out macro-F1, per registered model",
    labelNames: ['model'],
    registers: [registry],
    async collect() {
      const rows = await productionRows();
      this.reset();
      for (const v of rows) {
        const f1 = (v.metrics as Record<string, unknown> | null)?.f1_macro;
        if (typeof f1 === 'number') this.set({ model: v.model.name }, f1);
      }
    },
  });

  new Gauge({
    name: 'radar_papers',
    help: 'Papers stored, and those with a predicted topic',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const [all, labelled] = await Promise.all([db.paper.count(), db.paper.count({ where: { topic: { not: null } } })]);
      this.reset();
      this.set({ state: 'stored' }, all);
      this.set({ state: 'classified' }, labelled);
    },
  });

  const duration = new Histogram({
    name: 'radar_http_request_duration_seconds',
    help: 'API request durations by route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const requests = new Counter({ name: 'radar_http_requests_total', help: 'API requests by route pattern and status', labelNames: ['method', 'route', 'status'], registers: [registry] });

  return {
    registry,
    observeRequest(method, route, status, seconds) {
      const labels = { method: method.toUpperCase(), route, status: String(status) };
      duration.observe(labels, seconds);
      requests.inc(labels);
    },
  };
}
