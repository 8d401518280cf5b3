/**
 * Cancel across processes. BullMQ's own cancel reaches only the Worker instance that holds the
 * job, so celerity adds a channel of its own beside the queue's keys:
 * - a Redis pub/sub message on `<prefix>:<queue>:celerity:cancel`: every worker hears it; the one
 *   that runs the job aborts it (its task's signal, then its thread after `cancelGrace`), and the
 *   others remember the id for a while, in case the job reaches them next;
 * - a *mark* (`<prefix>:<queue>:celerity:cancelled:<id>`, kept for a day), for what pub/sub
 *   cannot reach: a job taken up again (after a crash or a stall) by a worker that was not
 *   listening when the cancel was announced, and jobs that were running while a worker's
 *   subscription was down.
 *
 * Workers subscribe before they take their first job, so a first attempt needs no Redis round
 * trip to learn whether it was cancelled: only jobs taken up again read the mark.
 * @module
 */
import type { Redis } from 'ioredis';

/** How long a cancel mark is kept, s: longer than a job waits in any sane queue. */
const MARK_TTL_S = 24 * 60 * 60;

/** How many announced ids a worker remembers (the oldest are forgotten first). */
const REMEMBERED = 10_000;

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

/** A worker's ear on the cancel channel. */
export class CancelListener {
  /** Ids announced since this listener subscribed, oldest first. */
  private readonly heard = new Set<string>();

  constructor(
    private readonly client: Redis,
    private readonly keys: CancelKeys,
  ) {}

  /**
   * Subscribes on `subscriber` (a connection of its own, which it takes over). `onCancel` gets
   * each announced id; after the subscription was lost and made again, `recheck` gets the chance
   * to read the marks of what may have been announced meanwhile.
   */
  async listen(subscriber: Redis, onCancel: (id: string) => void, recheck: () => void): Promise<void> {
    subscriber.on('message', (channel: string, id: string) => {
      if (channel !== this.keys.channel) return;
      this.remember(id);
      onCancel(id);
    });
    await subscriber.subscribe(this.keys.channel);
    // ioredis subscribes again by itself after a reconnect; what was announced in between is lost.
    subscriber.on('ready', recheck);
  }

  /**
   * Whether job `id` was cancelled. `takenBefore`: the job ran (or began to) somewhere before,
   * so its cancel may have been announced before this worker listened; then the mark decides.
   */
  async isCancelled(id: string, takenBefore: boolean): Promise<boolean> {
    if (this.heard.has(id)) return true;
    return takenBefore && (await this.marked([id]))[0] === true;
  }

  /** Which of `ids` carry a cancel mark. */
  async marked(ids: readonly string[]): Promise<boolean[]> {
    if (ids.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const id of ids) pipeline.exists(this.keys.mark(id));
    const replies = (await pipeline.exec()) ?? [];
    return ids.map((_, i) => replies[i]?.[1] === 1);
  }

  private remember(id: string): void {
    this.heard.delete(id);
    this.heard.add(id);
    if (this.heard.size > REMEMBERED) {
      const oldest = this.heard.values().next();
      if (oldest.done !== true) this.heard.delete(oldest.value);
    }
  }
}
