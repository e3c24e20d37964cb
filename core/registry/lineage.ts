import type { BlobStore } from '../blobs.ts';
import type { Db } from '../db/client.ts';
import { NotFoundError } from '../errors.ts';
import { runViews } from '../tracking/runs.ts';
import { listEvents, resolveVersion, type ModelEventView, type ModelRef, type ModelVersionView } from './registry.ts';

/**
 * The lineage of a model version, one chain of foreign keys:
 * version → run (params, metrics, artifacts, parent run) → dataset snapshot (hash, query,
 * counts) → pipeline run (logical date, trigger) → code version. Each link is null when the
 * version's run has none (a run logged outside a night has no pipeline run).
 */
export interface Lineage {
  uri: string;
  version: ModelVersionView & { artifactPresent: boolean };
  /** Every event of this version: registration, gate decisions, promotions, archives, aliases. */
  history: ModelEventView[];
  /** The Production version before this one entered Production (the last time it did), if any. */
  replaced: number | null;
  run: {
    id: string;
    name: string;
    experiment: string;
    status: string;
    startTime: Date;
    endTime: Date | null;
    codeVersion: string | null;
    params: Record<string, string>;
    metrics: Record<string, number>;
    tags: Record<string, string>;
    artifacts: { path: string; sha256: string; size: number; mediaType: string; present: boolean }[];
    artifactsPurgedAt: Date | null;
    parent: { id: string; name: string; params: Record<string, string>; metrics: Record<string, number> } | null;
  };
  snapshot: {
    id: string;
    contentHash: string;
    query: unknown;
    asOf: string;
    total: number;
    labelCounts: Record<string, number>;
    splitCounts: Record<string, number>;
    manifestSha256: string;
    manifestPresent: boolean;
    validation: unknown;
  } | null;
  pipelineRun: {
    id: string;
    pipeline: string;
    logicalDate: string;
    runNumber: number;
    trigger: string;
    source: string;
    params: unknown;
    status: string;
    startedAt: Date | null;
    finishedAt: Date | null;
    codeVersion: string | null;
  } | null;
  /** The git commit that trained the model (the run's), and whether it had uncommitted changes. */
  code: { commit: string; dirty: boolean } | null;
}

/**
 * Assemble the lineage of `models:/<name>/<version>` (or `@alias`). NotFoundError for an unknown
 * model, version or alias. `blobs` is asked whether each artifact's bytes still exist.
 */
export async function lineage(db: Db, blobs: BlobStore, ref: ModelRef): Promise<Lineage> {
  const version = await resolveVersion(db, ref);
  const [history, run] = await Promise.all([
    listEvents(db, version.model, { version: version.version }),
    db.run.findUnique({ where: { id: version.runId }, include: { snapshot: true, pipelineRun: true } }),
  ]);
  if (!run) throw new NotFoundError(`run ${version.runId} of version ${version.version} not found`);
  const views = await runViews(db, run.parentRunId ? [run.id, run.parentRunId] : [run.id]);
  const runView = views.find((v) => v.id === run.id)!;
  const parentView = views.find((v) => v.id === run.parentRunId) ?? null;

  const present = async (sha: string) => blobs.has(sha);
  const artifacts = await Promise.all(runView.artifacts.map(async (a) => ({ ...a, present: await present(a.sha256) })));
  const entered = history.filter((e) => e.toStage === 'Production').at(-1);
  const snap = run.snapshot;
  const pr = run.pipelineRun;
  const commit = run.codeVersion ?? pr?.codeVersion ?? null;

  return {
    uri: `models:/${version.model}/${version.version}`,
    version: { ...version, artifactPresent: await present(version.artifactSha256) },
    history,
    replaced: entered?.previousVersion ?? null,
    run: {
      id: run.id,
      name: run.name,
      experiment: runView.experiment,
      status: run.status,
      startTime: run.startTime,
      endTime: run.endTime,
      codeVersion: run.codeVersion,
      params: runView.params,
      metrics: runView.metrics,
      tags: runView.tags,
      artifacts,
      artifactsPurgedAt: run.artifactsPurgedAt,
      parent: parentView ? { id: parentView.id, name: parentView.name, params: parentView.params, metrics: parentView.metrics } : null,
    },
    snapshot: snap
      ? {
          id: snap.id,
          contentHash: snap.contentHash,
          query: snap.query,
          asOf: snap.asOf.toISOString().slice(0, 10),
          total: snap.total,
          labelCounts: snap.labelCounts as Record<string, number>,
          splitCounts: snap.splitCounts as Record<string, number>,
          manifestSha256: snap.manifestSha256,
          manifestPresent: await present(snap.manifestSha256),
          validation: snap.validation,
        }
      : null,
    pipelineRun: pr
      ? {
          id: pr.id,
          pipeline: pr.pipeline,
          logicalDate: pr.logicalDate.toISOString().slice(0, 10),
          runNumber: pr.runNumber,
          trigger: pr.trigger,
          source: pr.source,
          params: pr.params,
          status: pr.status,
          startedAt: pr.startedAt,
          finishedAt: pr.finishedAt,
          codeVersion: pr.codeVersion,
        }
      : null,
    code: commit ? { commit: commit.replace(/-dirty$/, ''), dirty: commit.endsWith('-dirty') } : null,
  };
}
