import type { Db } from '../db/client.ts';
import { BadInputError, NotFoundError } from '../errors.ts';

/**
 * Read views of tracking runs: the shape the API and the CLI show (MLflow's run view), the
 * metric history of a key, and runs side by side.
 */

export interface RunView {
  id: string;
  experiment: string;
  name: string;
  status: 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';
  startTime: Date;
  endTime: Date | null;
  parentRunId: string | null;
  pipelineRunId: string | null;
  snapshotHash: string | null;
  codeVersion: string | null;
  params: Record<string, string>;
  /** Latest value per key (highest step, then latest timestamp, then last logged). */
  metrics: Record<string, number>;
  tags: Record<string, string>;
  artifacts: { path: string; sha256: string; size: number; mediaType: string }[];
  /** When retention deleted the run's artifacts, else null. */
  artifactsPurgedAt: Date | null;
}

/** Latest value of every metric of the given runs, in one query. */
export async function latestMetricsOf(db: Db, runIds: readonly string[]): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>(runIds.map((id) => [id, {}]));
  if (runIds.length === 0) return out;
  const rows = await db.latestMetric.findMany({ where: { runId: { in: runIds as string[] } }, select: { runId: true, key: true, value: true } });
  for (const r of rows) out.get(r.runId)![r.key] = r.value;
  return out;
}

/** Views of the given runs, in the order of `ids`; unknown ids are left out. */
export async function runViews(db: Db, ids: readonly string[]): Promise<RunView[]> {
  if (ids.length === 0) return [];
  const [runs, metrics] = await Promise.all([
    db.run.findMany({
      where: { id: { in: ids as string[] } },
      include: {
        experiment: { select: { name: true } },
        params: { orderBy: { key: 'asc' } },
        tags: { orderBy: { key: 'asc' } },
        artifacts: { select: { path: true, sha256: true, size: true, mediaType: true }, orderBy: { path: 'asc' } },
        snapshot: { select: { contentHash: true } },
      },
    }),
    latestMetricsOf(db, ids),
  ]);
  const byId = new Map(runs.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    return [
      {
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
        metrics: metrics.get(id) ?? {},
        tags: Object.fromEntries(r.tags.map((t) => [t.key, t.value])),
        artifacts: r.artifacts,
        artifactsPurgedAt: r.artifactsPurgedAt,
      },
    ];
  });
}

export interface RunDetail extends RunView {
  children: { id: string; name: string; status: string }[];
  modelVersions: { model: string; version: number; stage: string }[];
}

/** One run with its nested runs and the model versions registered from it. NotFoundError if unknown. */
export async function getRun(db: Db, id: string): Promise<RunDetail> {
  const [view] = await runViews(db, [id]);
  if (!view) throw new NotFoundError(`run ${id} not found`);
  const [children, versions] = await Promise.all([
    db.run.findMany({ where: { parentRunId: id }, orderBy: [{ startTime: 'asc' }, { id: 'asc' }], select: { id: true, name: true, status: true } }),
    db.modelVersion.findMany({ where: { runId: id }, orderBy: { version: 'asc' }, select: { version: true, stage: true, model: { select: { name: true } } } }),
  ]);
  return { ...view, children, modelVersions: versions.map((v) => ({ model: v.model.name, version: v.version, stage: v.stage })) };
}

export interface MetricPoint {
  key: string;
  value: number;
  step: number;
  timestamp: Date;
}

/**
 * Every logged value of a run's metrics (of one key when given), in history order: by step, then
 * timestamp, then the order they were logged. NotFoundError for an unknown run.
 */
export async function metricHistory(db: Db, runId: string, key?: string): Promise<MetricPoint[]> {
  if (!(await db.run.count({ where: { id: runId } }))) throw new NotFoundError(`run ${runId} not found`);
  const rows = await db.metric.findMany({
    where: { runId, ...(key === undefined ? {} : { key }) },
    orderBy: [{ step: 'asc' }, { timestamp: 'asc' }, { id: 'asc' }],
    select: { key: true, value: true, step: true, timestamp: true },
  });
  return rows;
}

export interface RunComparison {
  runs: Omit<RunView, 'params' | 'metrics' | 'tags' | 'artifacts'>[];
  /** One row per key of any run; `values[i]` belongs to `runs[i]` (null: that run lacks the key). */
  params: { key: string; values: (string | null)[]; differs: boolean }[];
  metrics: { key: string; values: (number | null)[]; differs: boolean; min: number | null; max: number | null }[];
  tags: { key: string; values: (string | null)[]; differs: boolean }[];
}

function rows<T>(views: RunView[], pick: (v: RunView) => Record<string, T>) {
  const keys = [...new Set(views.flatMap((v) => Object.keys(pick(v))))].sort();
  return keys.map((key) => {
    const values = views.map((v) => (key in pick(v) ? pick(v)[key]! : null));
    return { key, values, differs: new Set(values.map((x) => JSON.stringify(x))).size > 1 };
  });
}

/**
 * Runs side by side: their attributes, and every param, latest metric and tag aligned by key.
 * Throws BadInputError for duplicate ids, NotFoundError naming the ids that do not exist.
 */
export async function compareRuns(db: Db, ids: readonly string[]): Promise<RunComparison> {
  if (new Set(ids).size !== ids.length) throw new BadInputError('ids: a run is named twice');
  const views = await runViews(db, ids);
  const missing = ids.filter((id) => !views.some((v) => v.id === id));
  if (missing.length) throw new NotFoundError(`run${missing.length > 1 ? 's' : ''} not found: ${missing.join(', ')}`, { missing });
  return {
    runs: views.map(({ params: _p, metrics: _m, tags: _t, artifacts: _a, ...attrs }) => attrs),
    params: rows(views, (v) => v.params),
    metrics: rows(views, (v) => v.metrics).map((r) => {
      const present = r.values.filter((x): x is number => x !== null);
      return { ...r, min: present.length ? Math.min(...present) : null, max: present.length ? Math.max(...present) : null };
    }),
    tags: rows(views, (v) => v.tags),
  };
}
