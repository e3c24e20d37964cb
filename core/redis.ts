import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection for BullMQ. Workers need `maxRetriesPerRequest: null` (blocking commands
 * must wait out a Redis restart instead of failing jobs); producers and the board fail fast
 * instead, so an HTTP request or a CLI call gets an error rather than hanging.
 */
export function createRedis(url: string, role: 'worker' | 'client', extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 2,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 5000,
    lazyConnect: false,
    ...extra,
  });
}
