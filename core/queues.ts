import type { DefaultJobOptions } from 'bullmq';
import type { CandidateSpec, PairedComparison, ParamValue } from './ml/index.ts';

/**
 * The queue contract: every queue name, job payload, job result and default job option lives
 * here, and producer, workers and board import it. No queue name is a string literal elsewhere.
 */
export const QUEUES = {
  /** Triggers: the nightly job scheduler and manual/backfill requests land here. */
  pipeline: 'pipeline',
  ingest: 'ingest',
  prepare: 'prepare',
  /** Fan-out parent: adds one `train-candidate` child per candidate and waits for them. */
  train: 'train',
  trainCandidate: 'train-candidate',
  select: 'select',
  register: 'register',
  classify: 'classify',
  /** Housekeeping outside the nights: retention (scheduled by the producer). */
  maintenance: 'maintenance',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export const ALL_QUEUES: readonly QueueName[] = Object.values(QUEUES);

/** The stages of one night, in execution order. */
export const STAGES = ['ingest', 'prepare', 'train', 'select', 'register', 'classify'] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_QUEUE: Record<Stage, QueueName> = {
  ingest: QUEUES.ingest,
  prepare: QUEUES.prepare,
  train: QUEUES.train,
  select: QUEUES.select,
  register: QUEUES.register,
  classify: QUEUES.classify,
};

/** Identifies one night; every stage job carries it. */
export interface NightRef {
  pipelineRunId: string;
  pipeline: string;
  /** UTC day whose submissions are processed, `YYYY-MM-DD`. */
  logicalDate: string;
  runNumber: number;
  source: string;
}

export type StageJobData = NightRef;

export interface TriggerJobData {
  trigger: 'schedule' | 'manual' | 'backfill';
  /** Absent for the scheduler: the logical date is derived from the fire time. */
  logicalDate?: string;
  source?: string;
}

export interface IngestOutput {
  /** Papers the source yielded for the night (for offline sources: all up to D), duplicates dropped. */
  fetched: number;
  /** Rows inserted or moved to a newer version. */
  upserted: number;
  /** Papers first published on the logical date. */
  newOnDate: number;
  rejected: number;
  duplicates: number;
  /** False when the source could not fetch all of its input (see warnings); what came is kept. */
  complete: boolean;
  warnings: string[];
  /** The night's raw input (feed pages, the snapshot file), content-addressed: `replay:<run>` reads it back. */
  raw: { sha256: string; name: string; mediaType: string; size: number }[];
  /** Network sources: pages, HTTP requests, retries. */
  stats?: { pages: number; requests: number; retries: number };
}

export interface ValidationCheck {
  name: string;
  passed: boolean;
  observed: number | string;
  threshold: number | string;
  message: string;
}

export interface PrepareOutput {
  snapshotId: string;
  contentHash: string;
  total: number;
  labelCounts: Record<string, number>;
  splitCounts: { train: number; validation: number; test: number };
  /** True when an identical snapshot already existed (a re-run of the same inputs). */
  reused: boolean;
  checks: ValidationCheck[];
}

export interface CandidateJobData extends NightRef {
  snapshotId: string;
  nightRunId: string;
  seed: number;
  index: number;
  spec: CandidateSpec;
}

export interface CandidateOutput {
  index: number;
  runId: string;
  kind: string;
  params: Record<string, ParamValue>;
  /** Macro-F1 on the snapshot's validation split (the choice is never made on the test split). */
  validationF1Macro: number;
  artifactSha256: string;
}

export interface TrainOutput {
  snapshotId: string;
  /** The night's parent tracking run; candidates are nested under it. */
  nightRunId: string;
  candidates: CandidateOutput[];
  failed: { jobId: string; error: string }[];
}

export interface HeldOutScore {
  accuracy: number;
  f1Macro: number;
  logLoss: number | null;
  n: number;
}

export interface SelectOutput {
  snapshotId: string;
  winner: CandidateOutput & { test: HeldOutScore };
  /**
   * The Production version scored on the same held-out papers, when there is one, and how the
   * winner compares with it there (paired bootstrap of winner - champion macro-F1; absent in
   * outputs recorded before it was added).
   */
  champion: { version: number; versionId: string; test: HeldOutScore; comparison?: PairedComparison } | null;
}

export interface RegisterOutput {
  modelName: string;
  version: number;
  versionId: string;
  promoted: boolean;
  stage: 'None' | 'Staging' | 'Production' | 'Archived';
  reason: string;
}

export interface ClassifyOutput {
  modelVersion: number | null;
  modelVersionId: string | null;
  classified: number;
}

/** A maintenance job. Absent fields come from the configuration (RETENTION_*). */
export interface MaintenanceJobData {
  task: 'retention';
  keepRuns?: number;
  dryRun?: boolean;
}

/** Results by stage, so adapters and the CLI read child values with their types. */
export interface StageOutputs {
  ingest: IngestOutput;
  prepare: PrepareOutput;
  train: TrainOutput;
  select: SelectOutput;
  register: RegisterOutput;
  classify: ClassifyOutput;
}

/**
 * Deterministic job id of a stage of a night: `<pipeline>:<D>:<stage>@<runNumber>`. A re-trigger
 * of the same run adds nothing (BullMQ ignores a job id it already has); a deliberate re-run gets
 * the next run number. BullMQ allows `:` in custom ids only as exactly three parts.
 */
export function stageJobId(ref: Pick<NightRef, 'pipeline' | 'logicalDate' | 'runNumber'>, stage: string): string {
  return `${ref.pipeline}:${ref.logicalDate}:${stage}@${ref.runNumber}`;
}

/** Default options per queue: retries with exponential backoff, bounded history. */
export function defaultJobOptions(opts: { attempts: number; backoffMs: number }): DefaultJobOptions {
  return {
    attempts: opts.attempts,
    backoff: { type: 'exponential', delay: opts.backoffMs },
    // Keep a month of history for the board; failed jobs stay until a person looks.
    removeOnComplete: { age: 30 * 24 * 3600, count: 5000 },
    removeOnFail: { age: 90 * 24 * 3600 },
  };
}
