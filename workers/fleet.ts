import { fileURLToPath } from 'node:url';
import { Worker, type Processor, type WorkerOptions } from 'bullmq';
import { configToEnv } from '../core/config.ts';
import { coerceError } from '../core/errors.ts';
import { ALL_QUEUES, QUEUES, type QueueName } from '../core/queues.ts';
import type { SourceFactories } from '../core/sources/index.ts';
import { serviceSources } from '../core/sources/factories.ts';
import type { WorkerContext } from './context.ts';
import { maintenanceProcessor } from './maintenance.ts';
import { stageProcessors } from './stages.ts';

/** Default concurrency per queue on a 2-core machine; WORKER_CONCURRENCY overrides it. */
const DEFAULT_CONCURRENCY: Record<string, number> = {
  [QUEUES.ingest]: 1,
  [QUEUES.prepare]: 1,
  [QUEUES.train]: 4,
  [QUEUES.trainCandidate]: 2,
  [QUEUES.select]: 1,
  [QUEUES.register]: 2,
  [QUEUES.classify]: 1,
  [QUEUES.maintenance]: 1,
};

const SANDBOXED: Partial<Record<QueueName, string>> = {
  [QUEUES.trainCandidate]: fileURLToPath(new URL('./processors/train-candidate.ts', import.meta.url)),
  [QUEUES.classify]: fileURLToPath(new URL('./processors/classify.ts', import.meta.url)),
};

/**
 * Sandboxed processors run in child processes that must load TypeScript: give them tsx's loader
 * unless the parent already runs under it, and the parent's exact configuration.
 */
function forkOptions(ctx: WorkerContext) {
  const hasTsx = process.execArgv.some((a) => a.includes('tsx'));
  const tsx = import.meta.resolve('tsx');
  return {
    execArgv: hasTsx ? process.execArgv : [...process.execArgv, '--import', tsx],
    env: { ...process.env, ...configToEnv(ctx.config) },
  };
}

export interface Fleet {
  workers: Worker[];
  /** Stop taking jobs, let running ones finish up to the timeout, then force. Idempotent. */
  close(): Promise<void>;
}

/** Start workers for the chosen queues (all stage queues by default) in this process. */
export function startFleet(ctx: WorkerContext, opts: { queues?: readonly string[]; sources?: SourceFactories } = {}): Fleet {
  const wanted = (opts.queues?.length ? opts.queues : ctx.config.WORKER_QUEUES.length ? ctx.config.WORKER_QUEUES : ALL_QUEUES).filter(
    (q) => q !== QUEUES.pipeline, // triggers are the producer's
  );
  for (const q of wanted) {
    if (!(ALL_QUEUES as readonly string[]).includes(q)) throw new Error(`unknown queue "${q}" (known: ${ALL_QUEUES.join(', ')})`);
  }
  const procs = stageProcessors(ctx, opts.sources ?? serviceSources({ config: ctx.config, redis: ctx.connection, db: ctx.db, blobs: ctx.blobs, log: ctx.log }));
  const inProcess: Partial<Record<QueueName, Processor>> = {
    [QUEUES.ingest]: procs.ingest,
    [QUEUES.prepare]: procs.prepare,
    [QUEUES.train]: procs.train as Processor,
    [QUEUES.select]: procs.select,
    [QUEUES.register]: procs.register,
    [QUEUES.maintenance]: maintenanceProcessor(ctx) as Processor,
  };
  const workers: Worker[] = [];
  for (const q of wanted as QueueName[]) {
    const common: WorkerOptions = {
      connection: ctx.connection,
      prefix: ctx.config.QUEUE_PREFIX,
      concurrency: ctx.config.workerConcurrency[q] ?? DEFAULT_CONCURRENCY[q] ?? 1,
    };
    const file = SANDBOXED[q];
    const worker = file
      ? new Worker(q, file, { ...common, useWorkerThreads: false, workerForkOptions: forkOptions(ctx) })
      : new Worker(q, inProcess[q]!, common);
    // Background failures (lost connection, lock renewal) become log lines, never crashes.
    worker.on('error', (err) => ctx.log.error('worker error', { queue: q, error: coerceError(err).message }));
    workers.push(worker);
  }
  ctx.log.info('workers started', { queues: wanted, prefix: ctx.config.QUEUE_PREFIX });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const graceful = Promise.allSettled(workers.map((w) => w.close()));
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ctx.config.SHUTDOWN_TIMEOUT_MS).unref());
      if ((await Promise.race([graceful, timeout])) === 'timeout') {
        ctx.log.warn('shutdown timeout: forcing workers to close', { timeoutMs: ctx.config.SHUTDOWN_TIMEOUT_MS });
        await Promise.allSettled(workers.map((w) => w.close(true)));
      }
      try {
        await procs.close();
      } catch (e) {
        ctx.log.warn('closing candidate queue failed', { error: coerceError(e).message });
      }
    })());
  return { workers, close };
}
