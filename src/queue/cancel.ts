/**
 * Cancel across processes. BullMQ's own cancel reaches only the Worker instance that holds the
 * job, so celerity adds a channel of its own beside the queue's keys:
 * - a *mark* (`<prefix>:<queue>:celerity:cancelled:<id>`, kept for a day): a worker checks it as
 *   it takes a job up, so a job cancelled while queued never runs, whichever worker gets it;
 * - a Redis pub/sub message on `<prefix>:<queue>:celerity:cancel`: the worker that runs the job
 *   aborts it (its task's signal, then its thread after `cancelGrace`).
 * @module
 */
import type { Redis } from 'ioredis';

/** How long a cancel mark is kept, s: longer than a job waits in any sane queue. */
const MARK_TTL_S = 24 * 60 * 60;

/** The keys of one queue's cancel channel. */
export class CancelKeys {
  /** The pub/sub channel. */
  readonly channel: string;
  private readonly markPrefix: string;

  constructor(prefix: string, queue: string) {
    this.channel = `${prefix}:${queue}:celerity:cancel`;
    this.markPrefix = `${prefix}:${queue}:celerity:cancelled:`;
  }

  /** The mark of job `id`. */
  mark(id: string): string {
    return this.markPrefix + id;
  }
}

/** Marks job `id` cancelled and tells the workers. */
export async function publishCancel(client: Redis, keys: CancelKeys, id: string): Promise<void> {
  await client.set(keys.mark(id), '1', 'EX', MARK_TTL_S);
  await client.publish(keys.channel, id);
}

/** Whether job `id` was cancelled. */
export async function isCancelled(client: Redis, keys: CancelKeys, id: string): Promise<boolean> {
  return (await client.exists(keys.mark(id))) === 1;
}

/** Listens for cancels on its own connection (`subscriber`, which it takes over); `onCancel` gets each job id. */
export async function listenForCancels(subscriber: Redis, keys: CancelKeys, onCancel: (id: string) => void): Promise<void> {
  subscriber.on('message', (channel: string, id: string) => {
    if (channel === keys.channel) onCancel(id);
  });
  await subscriber.subscribe(keys.channel);
}
