import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { sleep } from './sleep.ts';

/** Waits until the caller may send its next request. */
export interface RateGate {
  /**
   * Resolves when the caller's turn has come, to the time it was taken in ms by the gate's own
   * clock (only differences between turns of one gate mean anything). Each call takes one turn,
   * so call it once per HTTP request, retries included.
   *
   * @throws the signal's reason when `signal` aborts while waiting (the turn is then forfeited).
   */
  acquire(signal?: AbortSignal): Promise<number>;
}

export interface RedisRateGateOptions {
  /** The Redis key shared by everything that must respect the same limit. */
  key: string;
  /** Minimum spacing between turns, in ms. arXiv asks for 3 s across all of a user's machines. */
  intervalMs?: number;
}

const script = (file: string) => {
  const lua = readFileSync(new URL(`./lua/${file}`, import.meta.url), 'utf8');
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
};
const RESERVE_SLOT = script('reserve-slot.lua');
const COMMIT_SLOT = script('commit-slot.lua');

/**
 * A rate limit shared by every process and machine on the same Redis. `acquire` reserves the
 * next turn atomically (`max(now, last + interval)`, by Redis' clock) with a Lua script, sleeps
 * locally until it, then takes it with a second script that re-checks the spacing against the turn
 * actually taken before (a sleeper may wake late). Turns actually taken are therefore at least
 * `intervalMs` apart by Redis' clock, whatever the clocks of the machines; waiting callers are
 * served in the order they reserved, without polling.
 *
 * State is one small hash under `key` that expires once idle. One key, so it works on a Redis
 * Cluster too.
 */
export class RedisRateGate implements RateGate {
  readonly key: string;
  readonly intervalMs: number;

  constructor(
    private readonly redis: Pick<Redis, 'evalsha' | 'eval'>,
    options: RedisRateGateOptions,
  ) {
    this.key = options.key;
    this.intervalMs = options.intervalMs ?? 3_000;
    if (!Number.isInteger(this.intervalMs) || this.intervalMs <= 0) {
      throw new RangeError(`intervalMs must be a positive integer, got ${this.intervalMs}`);
    }
  }

  /** As {@link RateGate.acquire}; the time is Redis' clock (ms since the epoch, µs precision). */
  async acquire(signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    const [slot, reservedAt] = await this.run(RESERVE_SLOT);
    let waitUs = slot - reservedAt;
    for (;;) {
      if (waitUs > 0) await sleep(Math.ceil(waitUs / 1000), signal);
      else signal?.throwIfAborted();
      const [moreUs, now] = await this.run(COMMIT_SLOT);
      if (moreUs === 0) return now / 1000;
      waitUs = moreUs;
    }
  }

  private async run(s: { lua: string; sha: string }): Promise<[number, number]> {
    const args = [1, this.key, String(this.intervalMs)] as const;
    let reply: unknown;
    try {
      reply = await this.redis.evalsha(s.sha, ...args);
    } catch (err) {
      // First use on this server (or after SCRIPT FLUSH): send the script itself, which caches it.
      if (!String((err as Error)?.message).includes('NOSCRIPT')) throw err;
      reply = await this.redis.eval(s.lua, ...args);
    }
    const [a, b] = reply as [number, number];
    return [Number(a), Number(b)];
  }
}

/**
 * The same discipline within one process, for command-line dry runs and tests. It does not
 * coordinate with other processes: never use it for real traffic from several workers.
 */
export class LocalRateGate implements RateGate {
  private lastSlot = Number.NEGATIVE_INFINITY;
  private lastGranted = Number.NEGATIVE_INFINITY;

  constructor(readonly intervalMs = 3_000) {}

  /** As {@link RateGate.acquire}; the time is `performance.now()`. */
  async acquire(signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    let slot = Math.max(performance.now(), this.lastSlot + this.intervalMs, this.lastGranted + this.intervalMs);
    this.lastSlot = slot;
    for (;;) {
      const wait = slot - performance.now();
      if (wait > 0) await sleep(Math.ceil(wait), signal);
      else signal?.throwIfAborted();
      const now = performance.now();
      // Timers can fire a little early, or another caller may have gone late: re-check.
      if (now >= this.lastGranted + this.intervalMs) {
        this.lastGranted = now;
        return now;
      }
      slot = this.lastGranted + this.intervalMs;
    }
  }
}

/** No limit at all: for parsing-only tests against a local server. */
export const unlimitedRateGate: RateGate = Object.freeze({
  async acquire(signal?: AbortSignal) {
    signal?.throwIfAborted();
    return performance.now();
  },
});
