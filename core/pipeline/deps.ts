import type { BlobStore } from '../blobs.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';

/** What every stage function gets: no BullMQ, no HTTP; tested with real db and blobs. */
export interface StageDeps {
  db: Db;
  blobs: BlobStore;
  config: Config;
  log: Logger;
  signal?: AbortSignal;
}

/** Per-run overrides a trigger may set; recorded in PipelineRun.params. */
export interface NightParams {
  promotionMinF1?: number;
  promotionMinMargin?: number;
  promotionMinConfidence?: number;
  requireApproval?: boolean;
  candidates?: string[];
  seed?: number;
}

export function effectiveParams(config: Config, params: NightParams | null | undefined): Required<NightParams> {
  return {
    promotionMinF1: params?.promotionMinF1 ?? config.PROMOTION_MIN_F1,
    promotionMinMargin: params?.promotionMinMargin ?? config.PROMOTION_MIN_MARGIN,
    promotionMinConfidence: params?.promotionMinConfidence ?? config.PROMOTION_MIN_CONFIDENCE,
    requireApproval: params?.requireApproval ?? config.PROMOTION_REQUIRE_APPROVAL,
    candidates: params?.candidates ?? config.CANDIDATES,
    seed: params?.seed ?? config.TRAIN_SEED,
  };
}
