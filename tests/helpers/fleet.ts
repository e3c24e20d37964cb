import { FlowProducer } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger } from '../../core/log.ts';
import type { Db } from '../../core/db/client.ts';
import { startNight, type StartNightRequest } from '../../core/pipeline/night.ts';
import type { SourceFactories } from '../../core/sources/index.ts';
import { startFleet, type Fleet } from '../../workers/fleet.ts';
import type { TestEnv } from './env.ts';

/** Real workers for every stage queue of a test env, plus a flow producer to start nights. */
export function startTestFleet(env: TestEnv, opts: { sources?: SourceFactories; queues?: string[] } = {}) {
  const connection = new Redis(env.config.REDIS_URL, { maxRetriesPerRequest: null });
  const log = createLogger('warn', { test: env.id });
  const fleet: Fleet = startFleet({ config: env.config, connection, db: env.db, blobs: env.blobs, log }, opts);
  const flows = new FlowProducer({ connection, prefix: env.prefix });
  return {
    fleet,
    flows,
    start: (req: StartNightRequest) => startNight({ db: env.db, flows, config: env.config, log }, req),
    async close() {
      await fleet.close();
      await flows.close();
      connection.disconnect();
    },
  };
}

/** Wait until a pipeline run ends (succeeded or failed); throws after `timeoutMs`. */
export async function waitForNight(db: Db, pipelineRunId: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await db.pipelineRun.findUniqueOrThrow({ where: { id: pipelineRunId } });
    if (run.status === 'succeeded' || run.status === 'failed') return run;
    if (Date.now() > deadline) throw new Error(`night ${pipelineRunId} still ${run.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
