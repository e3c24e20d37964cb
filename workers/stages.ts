import { Queue, WaitingChildrenError, type Job } from 'bullmq';
import type { NightParams } from '../core/pipeline/deps.ts';
import { effectiveParams } from '../core/pipeline/deps.ts';
import { ingestStage } from '../core/pipeline/ingest.ts';
import { prepareStage } from '../core/pipeline/prepare.ts';
import { registerStage } from '../core/pipeline/register.ts';
import { selectStage } from '../core/pipeline/select.ts';
import { openNightRun } from '../core/pipeline/train.ts';
import { expandCandidates } from '../core/ml/index.ts';
import {
  defaultJobOptions,
  QUEUES,
  stageJobId,
  type CandidateJobData,
  type CandidateOutput,
  type IngestOutput,
  type PrepareOutput,
  type RegisterOutput,
  type SelectOutput,
  type StageJobData,
  type TrainOutput,
} from '../core/queues.ts';
import { resolveSource, type SourceFactories } from '../core/sources/index.ts';
import { childValue, childValues } from './children.ts';
import type { WorkerContext } from './context.ts';
import { runStage } from './stage-runner.ts';

/** Thin adapters from BullMQ jobs to the stage functions of core/pipeline. */
export function stageProcessors(ctx: WorkerContext, sources: SourceFactories = {}) {
  const prefix = ctx.config.QUEUE_PREFIX;
  const candidateQueue = new Queue<CandidateJobData>(QUEUES.trainCandidate, { connection: ctx.connection, prefix });

  const nightParams = async (pipelineRunId: string): Promise<NightParams> =>
    ((await ctx.db.pipelineRun.findUniqueOrThrow({ where: { id: pipelineRunId }, select: { params: true } })).params ?? {}) as NightParams;

  return {
    close: () => candidateQueue.close(),

    ingest: (job: Job<StageJobData>): Promise<IngestOutput> =>
      runStage(job, 'ingest', ctx, (deps) => ingestStage(job.data, { ...deps, source: resolveSource(job.data.source, sources) })),

    prepare: (job: Job<StageJobData>): Promise<PrepareOutput> =>
      runStage(job, 'prepare', ctx, async (deps) => prepareStage(job.data, deps, { ingest: await childValue<IngestOutput>(job, prefix, QUEUES.ingest) })),

    /**
     * Fan-out: the first pass adds one train-candidate child per candidate and parks the job in
     * waiting-children; BullMQ runs it again when every child has finished, and the second
     * pass collects the results. Candidates are added with ignoreDependencyOnFailure, so a
     * failed candidate is reported, not a hang; the night fails only if all of them fail.
     */
    train: async (job: Job<StageJobData & { step?: 'collect'; snapshotId?: string; nightRunId?: string }>, token?: string): Promise<TrainOutput> =>
      runStage(job, 'train', ctx, async (deps) => {
        if (job.data.step !== 'collect') {
          const prep = await childValue<PrepareOutput>(job, prefix, QUEUES.prepare);
          const stored = await nightParams(job.data.pipelineRunId);
          const params = effectiveParams(ctx.config, stored);
          const nightRunId = await openNightRun(job.data, prep.snapshotId, stored, deps);
          // The night's (or the config's) candidate names: kinds, default or search.
          const specs = expandCandidates(params.candidates ?? []);
          const opts = defaultJobOptions({ attempts: Math.min(2, ctx.config.STAGE_ATTEMPTS), backoffMs: ctx.config.RETRY_BACKOFF_MS });
          await candidateQueue.addBulk(
            specs.map((spec, index) => ({
              name: `candidate-${index}-${spec.kind}`,
              data: { ...job.data, snapshotId: prep.snapshotId, nightRunId, seed: params.seed, index, spec },
              opts: {
                ...opts,
                jobId: stageJobId(job.data, `train-${index}`),
                parent: { id: job.id!, queue: job.queueQualifiedName },
                ignoreDependencyOnFailure: true,
              },
            })),
          );
          await job.updateData({ ...job.data, step: 'collect', snapshotId: prep.snapshotId, nightRunId });
          deps.log.info('candidates queued', { count: specs.length, kinds: specs.map((s) => s.kind) });
        }
        if (await job.moveToWaitingChildren(token ?? '')) throw new WaitingChildrenError();
        const done = await childValues<CandidateOutput>(job, prefix, QUEUES.trainCandidate);
        const failures = await job.getIgnoredChildrenFailures();
        const failed = Object.entries(failures).map(([jobKey, error]) => ({ jobId: jobKey, error: String(error) }));
        const candidates = [...done.values()].sort((a, b) => a.index - b.index);
        if (candidates.length === 0) {
          throw new Error(`every candidate failed: ${failed.map((f) => `${f.jobId}: ${f.error}`).join('; ')}`);
        }
        return { snapshotId: job.data.snapshotId!, nightRunId: job.data.nightRunId!, candidates, failed };
      }),

    select: (job: Job<StageJobData>): Promise<SelectOutput> =>
      runStage(job, 'select', ctx, async (deps) => {
        const train = await childValue<TrainOutput>(job, prefix, QUEUES.train);
        return selectStage(job.data, { snapshotId: train.snapshotId, candidates: train.candidates, nightRunId: train.nightRunId }, deps);
      }),

    register: (job: Job<StageJobData>): Promise<RegisterOutput> =>
      runStage(job, 'register', ctx, async (deps) => {
        const sel = await childValue<SelectOutput>(job, prefix, QUEUES.select);
        return registerStage(job.data, sel, await nightParams(job.data.pipelineRunId), deps);
      }),
  };
}
