import type { Job } from 'bullmq';
import type { MaintenanceJobData } from '../core/queues.ts';
import { applyRetention, type RetentionReport } from '../core/tracking/retention.ts';
import type { WorkerContext } from './context.ts';

/**
 * The maintenance queue's adapter: a job names a task; retention's report (what it freed) is the
 * job's return value, so Bull Board shows it, and a log line carries it.
 */
export function maintenanceProcessor(ctx: Pick<WorkerContext, 'db' | 'blobs' | 'config' | 'log'>) {
  return async (job: Job<MaintenanceJobData>): Promise<RetentionReport> => {
    const log = ctx.log.child({ queue: 'maintenance', jobId: job.id, task: job.data.task, attempt: job.attemptsMade + 1 });
    switch (job.data.task) {
      case 'retention':
        return applyRetention(
          { db: ctx.db, blobs: ctx.blobs, log },
          {
            keepRuns: job.data.keepRuns ?? ctx.config.RETENTION_KEEP_RUNS,
            blobGraceMs: ctx.config.RETENTION_BLOB_GRACE_HOURS * 3600_000,
            dryRun: job.data.dryRun ?? false,
          },
        );
      default:
        throw new Error(`unknown maintenance task ${JSON.stringify((job.data as { task?: unknown }).task)}`);
    }
  };
}
