import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection for BullMQ. Workers need `maxRetriesPerRequest: null` (blocking commands
 * must wait out a Redis restart instead of failing jobs); producers, the board and the CLI fail
 * a command after two reconnection attempts instead, so an HTTP request or a CLI call gets an
 * error rather than hanging when Redis is down. Commands issued before the first connect are
 * queued (the offline queue), not refused.
 */
export function createRedis(url: string, role: 'worker' | 'client', extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 2,
    connectTimeout: 5000,
    lazyConnect: false,
    ...extra,
  });
}
