import type { Redis } from 'ioredis';
import { ArxivClient } from '../arxiv/client.ts';
import { RedisRateGate, type RateGate } from '../arxiv/rate-gate.ts';
import type { BlobStore } from '../blobs.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { ArxivSource } from './arxiv-source.ts';
import type { SourceFactories } from './index.ts';
import { ReplaySource } from './replay-source.ts';

/**
 * The one rate gate every process that talks to arXiv shares: a key under the queue prefix (so
 * it lives in the same Redis Cluster slot as the queues), spaced by ARXIV_RATE_INTERVAL_MS.
 */
export function arxivRateGate(redis: Redis, config: Config): RateGate {
  return new RedisRateGate(redis, { key: `${config.QUEUE_PREFIX}:arxiv-rate`, intervalMs: config.ARXIV_RATE_INTERVAL_MS });
}

/** An arXiv client configured from the environment, on the given rate gate. */
export function arxivClient(config: Config, rateGate: RateGate, log?: Logger): ArxivClient {
  return new ArxivClient({
    baseUrl: config.ARXIV_API_URL,
    userAgent: config.ARXIV_USER_AGENT,
    rateGate,
    pageSize: config.ARXIV_PAGE_SIZE,
    maxRetries: config.ARXIV_MAX_RETRIES,
    backoff: { baseMs: config.ARXIV_BACKOFF_MS, maxMs: Math.max(config.ARXIV_BACKOFF_MS, 60_000) },
    log,
  });
}

/** The sources that need services: live arXiv (Redis for the shared rate limit) and replay (db + blobs). */
export function serviceSources(deps: { config: Config; redis: Redis; db: Db; blobs: BlobStore; log?: Logger }): SourceFactories {
  const gate = arxivRateGate(deps.redis, deps.config);
  return {
    arxiv: () => new ArxivSource(arxivClient(deps.config, gate, deps.log), deps.config.ARXIV_CATEGORIES),
    replay: (id) => new ReplaySource(deps.db, deps.blobs, id),
  };
}
