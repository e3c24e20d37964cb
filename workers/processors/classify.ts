import type { SandboxedJob } from 'bullmq';
import { classifyStage } from '../../core/pipeline/classify.ts';
import { recordNightSuccess } from '../../core/pipeline/night.ts';
import type { ClassifyOutput, StageJobData } from '../../core/queues.ts';
import { runStage } from '../stage-runner.ts';
import { sandboxContext } from './sandbox-context.ts';

/** Sandboxed (own process): bulk prediction is CPU-bound. The last stage: it closes the night. */
export default async function classify(job: SandboxedJob<StageJobData>): Promise<ClassifyOutput> {
  const ctx = sandboxContext();
  const out = await runStage(job, 'classify', ctx, (deps) => classifyStage(job.data, deps));
  await recordNightSuccess(ctx.db, job.data);
  return out;
}
