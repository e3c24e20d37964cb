import type { Job } from 'bullmq';
import type { QueueName } from '../core/queues.ts';

// Child keys are `<prefix>:<queue>:<job id>`, and our job ids contain colons themselves, so
// match on the qualified queue name instead of splitting.
function childrenOn<T>(values: Record<string, T>, prefix: string, queue: QueueName): [string, T][] {
  const head = `${prefix}:${queue}:`;
  return Object.entries(values)
    .filter(([key]) => key.startsWith(head))
    .map(([key, v]) => [key.slice(head.length), v]);
}

/**
 * The result of the one child of `job` that ran on `queue`. Throws when it is missing: a parent
 * runs only after its children completed, so a missing value means the flow is broken.
 */
export async function childValue<T>(job: Job, prefix: string, queue: QueueName): Promise<T> {
  const hits = childrenOn(await job.getChildrenValues<T>(), prefix, queue);
  if (hits.length !== 1) throw new Error(`job ${job.id}: expected one completed ${queue} child, found ${hits.length}`);
  return hits[0]![1];
}

/** Results of every completed child of `job` that ran on `queue`, keyed by job id. */
export async function childValues<T>(job: Job, prefix: string, queue: QueueName): Promise<Map<string, T>> {
  return new Map(childrenOn(await job.getChildrenValues<T>(), prefix, queue));
}
