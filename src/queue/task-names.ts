/**
 * The names of the tasks a queue's workers run, kept in Redis: each worker adds its own when it
 * starts, so that a submitting process (which never imports the tasks module) can refuse a
 * workflow naming a task no worker has, before any of it is queued.
 * @module
 */
import type { Redis } from 'ioredis';

/** The Redis set of queue `queue`'s task names. */
export function taskNamesKey(prefix: string, queue: string): string {
  return `${prefix}:${queue}:celerity:tasks`;
}

/** Adds a worker's task names. */
export async function publishTaskNames(client: Redis, key: string, names: readonly string[]): Promise<void> {
  if (names.length > 0) await client.sadd(key, ...names);
}

/** The task names of every worker started on the queue so far, or `undefined` if none has. */
export async function readTaskNames(client: Redis, key: string): Promise<ReadonlySet<string> | undefined> {
  const names = await client.smembers(key);
  return names.length === 0 ? undefined : new Set(names);
}
