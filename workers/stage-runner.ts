import { UnrecoverableError, WaitingChildrenError, type Job } from 'bullmq';
import { coerceError, isPermanent } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { StageDeps } from '../core/pipeline/deps.ts';
import { recordTaskFailure, recordTaskStart, recordTaskSuccess } from '../core/pipeline/night.ts';
import type { NightRef } from '../core/queues.ts';
import type { WorkerContext } from './context.ts';

/**
 * Runs one attempt of a stage job around a stage function: records the TaskRun, gives the stage
 * a scoped logger and an abort signal, logs completion or failure with duration and
 * "attempt N of M", and turns permanent errors into UnrecoverableError so BullMQ does not
 * retry what cannot succeed.
 */
export async function runStage<T>(
  job: Job<NightRef> | { id?: string; data: NightRef; attemptsMade: number; opts: { attempts?: number } },
  stage: string,
  ctx: Pick<WorkerContext, 'db' | 'blobs' | 'config' | 'log'>,
  fn: (deps: StageDeps, log: Logger) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const ref = job.data;
  const jobId = job.id ?? 'unknown';
  const attempt = job.attemptsMade + 1;
  const attempts = job.opts.attempts ?? 1;
  const log = ctx.log.child({ runId: ref.pipelineRunId, date: ref.logicalDate, stage, jobId, attempt });
  const taskId = await recordTaskStart(ctx.db, ref, stage, jobId, attempt);
  const started = performance.now();
  log.info(`${stage} started (attempt ${attempt} of ${attempts})`);
  try {
    const out = await fn({ db: ctx.db, blobs: ctx.blobs, config: ctx.config, log, signal }, log);
    await recordTaskSuccess(ctx.db, taskId, out);
    log.info(`${stage} succeeded (attempt ${attempt} of ${attempts})`, { durationMs: Math.round(performance.now() - started) });
    return out;
  } catch (raw) {
    if (raw instanceof WaitingChildrenError) throw raw;
    const err = coerceError(raw);
    const permanent = isPermanent(err) || err instanceof UnrecoverableError;
    const final = permanent || attempt >= attempts;
    await recordTaskFailure(ctx.db, ref, taskId, err, final, jobId, stage).catch((e) =>
      log.error('could not record the failure', { error: coerceError(e).message }),
    );
    log.error(`${stage} failed (attempt ${attempt} of ${attempts}${final ? ', final' : ', will retry'})`, {
      durationMs: Math.round(performance.now() - started),
      error: err.message,
      permanent,
    });
    if (permanent && !(err instanceof UnrecoverableError)) {
      const u = new UnrecoverableError(`${err.name}: ${err.message}`);
      throw u;
    }
    throw err;
  }
}
