import { pathToFileURL } from 'node:url';
import { loadConfig, type Config } from '../core/config.ts';
import { createLogger } from '../core/log.ts';
import { closeAll, onShutdown } from '../core/shutdown.ts';
import { createWorkerContext } from './context.ts';
import { startFleet } from './fleet.ts';

/** Start this process's workers; returns the shutdown routine. */
export function startWorkers(config: Config, opts: { queues?: string[] } = {}) {
  const ctx = createWorkerContext(config, createLogger(config.LOG_LEVEL, { process: 'worker', pid: process.pid }));
  const fleet = startFleet(ctx, opts);
  return {
    fleet,
    ctx,
    close: () =>
      closeAll(
        [
          ['workers', () => fleet.close()],
          ['database', () => ctx.db.$disconnect()],
          ['redis', () => ctx.connection.quit()],
        ],
        ctx.log,
      ),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = loadConfig();
  const w = startWorkers(config);
  onShutdown(w.close, w.ctx.log, config.SHUTDOWN_TIMEOUT_MS);
}
