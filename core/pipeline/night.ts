import type { FlowJob, FlowProducer } from 'bullmq';
import { z } from 'zod';
import { isCalendarDay } from '../calendar-day.ts';
import { codeVersion } from '../code-version.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { asJson, Prisma } from '../db/client.ts';
import { BadInputError, coerceError, describeError } from '../errors.ts';
import { checkCandidateNames } from '../ml/candidates.ts';
import type { Logger } from '../log.ts';
import { defaultJobOptions, STAGE_QUEUE, STAGES, stageJobId, type NightRef, type Stage, type StageJobData } from '../queues.ts';
import type { NightParams } from './deps.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Validate a logical date: a real calendar day `YYYY-MM-DD`. Throws BadInputError. */
export function parseLogicalDate(s: string): string {
  if (!isCalendarDay(s)) throw new BadInputError(`"${s}" is not a date (expected YYYY-MM-DD)`);
  return s;
}

/** The logical date a scheduled fire at `at` processes: the UTC day before (Airflow's data interval). */
export function logicalDateForFire(at: Date): string {
  return new Date(at.getTime() - 24 * 3600 * 1000).toISOString().slice(0, 10);
}

/** Every day from `from` to `to` inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${parseLogicalDate(from)}T00:00:00Z`); t <= Date.parse(`${parseLogicalDate(to)}T00:00:00Z`); t += 86400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  if (out.length === 0) throw new BadInputError(`backfill range is empty: ${from} is after ${to}`);
  return out;
}

/**
 * The flow of one night: classify ← register ← select ← train ← prepare ← ingest. A child's
 * failure fails its parent (failParentOnFailure), so a failed stage fails the whole night
 * instead of leaving it waiting forever.
 */
export function buildNightFlow(ref: NightRef, config: Pick<Config, 'STAGE_ATTEMPTS' | 'RETRY_BACKOFF_MS'>): FlowJob {
  const opts = defaultJobOptions({ attempts: config.STAGE_ATTEMPTS, backoffMs: config.RETRY_BACKOFF_MS });
  const data: StageJobData = ref;
  let node: FlowJob | undefined;
  for (const stage of STAGES) {
    const job: FlowJob = {
      name: stage,
      queueName: STAGE_QUEUE[stage],
      data,
      opts: { ...opts, jobId: stageJobId(ref, stage) },
      ...(node ? { children: [{ ...node, opts: { ...node.opts, failParentOnFailure: true } }] } : {}),
    };
    node = job;
  }
  return node!;
}

export interface StartNightRequest {
  logicalDate: string;
  source: string;
  trigger: 'schedule' | 'manual' | 'backfill';
  params?: NightParams;
}

export interface StartNightResult {
  pipelineRunId: string;
  logicalDate: string;
  runNumber: number;
  /** False when a run of that date was already queued or running: it is returned instead. */
  created: boolean;
}

/**
 * Start one night: record a PipelineRun and enqueue its flow. At most one run per (pipeline,
 * date) is queued or running at a time (partial unique index): a second trigger of the same
 * date gets the active run back. If the flow cannot be enqueued (Redis down) the run is marked
 * failed with the reason and the error is rethrown.
 */
export async function startNight(
  deps: { db: Db; flows: FlowProducer; config: Config; log: Logger },
  req: StartNightRequest,
): Promise<StartNightResult> {
  const { db, flows, config, log } = deps;
  const logicalDate = parseLogicalDate(req.logicalDate);
  // A bad candidate name is the caller's mistake: refuse it now rather than fail a training job.
  try {
    checkCandidateNames(req.params?.candidates ?? []);
  } catch (e) {
    throw new BadInputError(`params.candidates: ${coerceError(e).message}`);
  }
  const pipeline = config.PIPELINE_NAME;
  const day = new Date(`${logicalDate}T00:00:00Z`);

  const active = () =>
    db.pipelineRun.findFirst({ where: { pipeline, logicalDate: day, status: { in: ['queued', 'running'] } }, orderBy: { runNumber: 'desc' } });
  const found = await active();
  if (found) return { pipelineRunId: found.id, logicalDate, runNumber: found.runNumber, created: false };

  let run;
  for (let tries = 0; ; tries++) {
    const last = await db.pipelineRun.findFirst({ where: { pipeline, logicalDate: day }, orderBy: { runNumber: 'desc' }, select: { runNumber: true } });
    try {
      run = await db.pipelineRun.create({
        data: {
          pipeline,
          logicalDate: day,
          runNumber: (last?.runNumber ?? 0) + 1,
          trigger: req.trigger,
          source: req.source,
          params: asJson(req.params ?? {}),
          codeVersion: codeVersion(),
        },
      });
      break;
    } catch (e) {
      // Lost a race with another trigger of the same date: either it is the active run now
      // (return it) or it took our run number (try the next one).
      if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002' && tries < 5) {
        const winner = await active();
        if (winner) return { pipelineRunId: winner.id, logicalDate, runNumber: winner.runNumber, created: false };
        continue;
      }
      throw e;
    }
  }

  const ref: NightRef = { pipelineRunId: run.id, pipeline, logicalDate, runNumber: run.runNumber, source: req.source };
  try {
    await flows.add(buildNightFlow(ref, config));
  } catch (err) {
    await db.pipelineRun.update({
      where: { id: run.id },
      data: { status: 'failed', finishedAt: new Date(), error: asJson({ stage: 'trigger', ...describeError(err) }) },
    });
    throw err;
  }
  log.info('night queued', { pipelineRunId: run.id, logicalDate, runNumber: run.runNumber, source: req.source, trigger: req.trigger });
  return { pipelineRunId: run.id, logicalDate, runNumber: run.runNumber, created: true };
}

// ---------------------------------------------------------------------------------------------
// Task and pipeline run records, written by the worker adapters around every stage attempt.
// ---------------------------------------------------------------------------------------------

export async function recordTaskStart(db: Db, ref: NightRef, stage: string, jobId: string, attempt: number): Promise<string> {
  await db.pipelineRun.updateMany({ where: { id: ref.pipelineRunId, status: 'queued' }, data: { status: 'running', startedAt: new Date() } });
  const task = await db.taskRun.upsert({
    where: { jobId_attempt: { jobId, attempt } },
    create: { pipelineRunId: ref.pipelineRunId, stage, jobId, attempt, status: 'running' },
    update: { status: 'running', startedAt: new Date(), finishedAt: null, error: Prisma.DbNull },
  });
  return task.id;
}

export async function recordTaskSuccess(db: Db, taskId: string, output: unknown): Promise<void> {
  const task = await db.taskRun.findUniqueOrThrow({ where: { id: taskId } });
  const now = new Date();
  await db.taskRun.update({
    where: { id: taskId },
    data: { status: 'succeeded', finishedAt: now, durationMs: now.getTime() - task.startedAt.getTime(), output: asJson(output) },
  });
}

/**
 * Record a failed attempt. When it is the last (retries exhausted, or a permanent error), the
 * night fails with the stage, the job and the reason; what earlier stages committed stays.
 */
export async function recordTaskFailure(db: Db, ref: NightRef, taskId: string, err: unknown, final: boolean, jobId: string, stage: string): Promise<void> {
  const task = await db.taskRun.findUniqueOrThrow({ where: { id: taskId } });
  const now = new Date();
  const error = describeError(err);
  await db.taskRun.update({
    where: { id: taskId },
    data: { status: 'failed', finishedAt: now, durationMs: now.getTime() - task.startedAt.getTime(), error: asJson(error) },
  });
  if (final) {
    await db.pipelineRun.updateMany({
      where: { id: ref.pipelineRunId, status: { in: ['queued', 'running'] } },
      data: { status: 'failed', finishedAt: now, error: asJson({ stage, jobId, ...error }) },
    });
  }
}

export async function recordNightSuccess(db: Db, ref: NightRef): Promise<void> {
  await db.pipelineRun.update({ where: { id: ref.pipelineRunId }, data: { status: 'succeeded', finishedAt: new Date() } });
  // The stored summary is the final one: computed after the status changed.
  await db.pipelineRun.update({ where: { id: ref.pipelineRunId }, data: { summary: asJson(await nightSummary(db, ref.pipelineRunId)) } });
}

export interface NightSummary {
  runId: string;
  pipeline: string;
  logicalDate: string;
  runNumber: number;
  trigger: string;
  source: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  stages: Record<Stage, 'pending' | 'running' | 'succeeded' | 'failed'>;
  papersIngested: number | null;
  newPapers: number | null;
  snapshot: { id: string; contentHash: string; total: number } | null;
  /** Every trained candidate; `f1_macro` is on the validation split (what the choice is made on), `test_f1_macro` only for the winner. */
  candidates: { kind: string; runId: string; params: Record<string, unknown>; f1_macro: number | null; test_f1_macro: number | null }[];
  modelVersion: number | null;
  promoted: boolean | null;
  gateReason: string | null;
  classified: number | null;
  error: unknown;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Everything about one night, assembled from its task records and tracking runs. */
export async function nightSummary(db: Db, pipelineRunId: string): Promise<NightSummary> {
  const run = await db.pipelineRun.findUniqueOrThrow({ where: { id: pipelineRunId }, include: { tasks: { orderBy: [{ startedAt: 'asc' }] } } });
  const stages = Object.fromEntries(STAGES.map((s) => [s, 'pending'])) as NightSummary['stages'];
  const outputs: Partial<Record<Stage, unknown>> = {};
  for (const t of run.tasks) {
    if (!(STAGES as readonly string[]).includes(t.stage)) continue;
    const s = t.stage as Stage;
    // The latest attempt decides; a success is never overwritten by an older failure.
    if (stages[s] !== 'succeeded') stages[s] = t.status;
    if (t.status === 'succeeded') outputs[s] = t.output;
  }
  const ingest = outputs.ingest as { fetched: number; newOnDate: number } | undefined;
  const prepare = outputs.prepare as { snapshotId: string; contentHash: string; total: number } | undefined;
  const register = outputs.register as { version: number; promoted: boolean; reason: string } | undefined;
  const classify = outputs.classify as { classified: number } | undefined;

  const candidateRuns = await db.run.findMany({
    where: { pipelineRunId, tags: { some: { key: 'role', value: 'candidate' } }, status: 'FINISHED' },
    include: { params: true, metrics: { where: { key: { in: ['f1_macro', 'val_f1_macro'] } } } },
    orderBy: { startTime: 'asc' },
  });
  const candidates = candidateRuns.map((r) => {
    const params: Record<string, unknown> = {};
    for (const p of r.params) if (p.key.startsWith('model.') || p.key === 'kind') params[p.key.replace(/^model\./, '')] = p.value;
    const val = r.metrics.find((m) => m.key === 'val_f1_macro')?.value ?? null;
    const test = r.metrics.find((m) => m.key === 'f1_macro')?.value ?? null;
    return { kind: String(params.kind), runId: r.id, params, f1_macro: val, test_f1_macro: test };
  });

  return {
    runId: run.id,
    pipeline: run.pipeline,
    logicalDate: run.logicalDate.toISOString().slice(0, 10),
    runNumber: run.runNumber,
    trigger: run.trigger,
    source: run.source,
    status: run.status,
    stages,
    papersIngested: ingest?.fetched ?? null,
    newPapers: ingest?.newOnDate ?? null,
    snapshot: prepare ? { id: prepare.snapshotId, contentHash: prepare.contentHash, total: prepare.total } : null,
    candidates,
    modelVersion: register?.version ?? null,
    promoted: register?.promoted ?? null,
    gateReason: register?.reason ?? null,
    classified: classify?.classified ?? null,
    error: run.error ?? null,
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

/** A logical date as a request field: a real calendar day (2019-02-30 is refused, not read as March 2). */
export const logicalDay = z.string().regex(DAY, 'expected YYYY-MM-DD').refine(isCalendarDay, 'not a date (YYYY-MM-DD)');

/** Offset paging fields of a list query (nights, papers): up to 500 a page, 50 by default. */
export const pageFields = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};

/** A page of nights: the query of `GET /api/pipeline-runs` and `radar nights`. */
export const nightListQuery = z.object({
  ...pageFields,
  status: z.enum(['queued', 'running', 'succeeded', 'failed']).optional(),
  date: logicalDay.optional(),
});
export type NightListQuery = z.infer<typeof nightListQuery>;

/**
 * Nights newest first, with the total matching the filter. Ties on queue time (a backfill queues
 * many nights at once) are broken by id, so pages neither skip nor repeat a night.
 */
export async function listNights(db: Db, q: NightListQuery) {
  const where = { ...(q.status ? { status: q.status } : {}), ...(q.date ? { logicalDate: new Date(`${q.date}T00:00:00Z`) } : {}) };
  const [total, runs] = await Promise.all([
    db.pipelineRun.count({ where }),
    db.pipelineRun.findMany({ where, orderBy: [{ queuedAt: 'desc' }, { id: 'desc' }], skip: q.offset, take: q.limit }),
  ]);
  return {
    total,
    limit: q.limit,
    offset: q.offset,
    pipelineRuns: runs.map((r) => ({
      id: r.id,
      pipeline: r.pipeline,
      logicalDate: r.logicalDate.toISOString().slice(0, 10),
      runNumber: r.runNumber,
      trigger: r.trigger,
      source: r.source,
      status: r.status,
      params: r.params,
      codeVersion: r.codeVersion,
      error: r.error,
      summary: r.summary,
      queuedAt: r.queuedAt,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
    })),
  };
}
