import type { SandboxedJob } from 'bullmq';
import { trainCandidateStage } from '../../core/pipeline/train.ts';
import type { CandidateJobData, CandidateOutput } from '../../core/queues.ts';
import { runStage } from '../stage-runner.ts';
import { sandboxContext } from './sandbox-context.ts';

/** Sandboxed (own process): training is CPU-bound and must not stall the worker's lock renewal. */
export default async function trainCandidate(job: SandboxedJob<CandidateJobData>): Promise<CandidateOutput> {
  const ctx = sandboxContext();
  return runStage(job, 'train-candidate', ctx, (deps) =>
    trainCandidateStage({ ...job.data, attempt: job.attemptsMade + 1 }, deps, (f) => void job.updateProgress(Math.round(f * 100))),
  );
}
