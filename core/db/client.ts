import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.ts';

export type Db = PrismaClient;
export { Prisma } from './generated/client.ts';
export type * from './generated/client.ts';

/**
 * A Prisma client on a pg pool. `max` bounds the pool per process: workers run few concurrent
 * jobs, the board serves many short queries.
 */
export function createDb(connectionString: string, opts: { max?: number } = {}): Db {
  const adapter = new PrismaPg({ connectionString, max: opts.max ?? 10 });
  return new PrismaClient({ adapter });
}

/** Type a plain JSON-serialisable value for a Json column (undefined members are dropped on write). */
export function asJson(value: unknown): import('./generated/client.ts').Prisma.InputJsonValue {
  return value as import('./generated/client.ts').Prisma.InputJsonValue;
}
