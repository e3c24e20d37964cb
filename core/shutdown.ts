import { coerceError } from './errors.ts';
import type { Logger } from './log.ts';

/**
 * One shutdown routine per process: the first SIGINT/SIGTERM runs `close` (stop taking work,
 * let running jobs finish, close queues, database and Redis, in that order); a second signal or
 * the timeout forces the exit.
 */
export function onShutdown(close: () => Promise<void>, log: Logger, timeoutMs: number): void {
  let closing = false;
  const handler = (signal: string) => {
    if (closing) {
      log.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    closing = true;
    log.info('shutting down', { signal, timeoutMs });
    const force = setTimeout(() => {
      log.error('shutdown timed out: exiting', { timeoutMs });
      process.exit(1);
    }, timeoutMs + 5000);
    force.unref();
    close().then(
      () => process.exit(0),
      (err) => {
        log.error('shutdown failed', { error: coerceError(err).message });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}

/** Run each cleanup even if an earlier one throws; report the failures. */
export async function closeAll(steps: [string, () => Promise<unknown> | unknown][], log: Logger): Promise<void> {
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (e) {
      log.warn(`closing ${name} failed`, { error: coerceError(e).message });
    }
  }
}
