/**
 * Looking up jobs whose end never reached the app. A queue app learns how its jobs end from
 * BullMQ's events stream, which Redis trims to its last entries (about 10,000): a process that
 * falls that far behind, or is cut off from Redis for a while, misses events for good; and a
 * Redis that restarts without persistence, or is flushed, loses the jobs themselves. Either way
 * a run would wait for ever. So the app looks its jobs up in Redis: those it has waited on for
 * longer than the recheck interval, a bounded number each interval; and all of them whenever its
 * events connection comes back after a break, or the events stream is seen to have been trimmed
 * past what the app had read (checked about once a second while runs wait: the oldest entry Redis
 * keeps is newer than the last event read).
 *
 * What a lookup finds is acted on only once a marker, written to the events stream after the
 * lookup, has come back through the app's own events reader: every event written before the
 * lookup has then been delivered, so a run still waiting for a job that had ended (or was gone)
 * by then has truly missed its end. It is settled from the job as Redis keeps it, as `attach`
 * would; a job Redis no longer has fails its run with `ERR_UNKNOWN_JOB`.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';

/** The event name of the marker (BullMQ's QueueEvents emits custom events under their name). */
const MARKER_EVENT = 'celerity:recheck';

/** The most jobs one periodic lookup asks about, and how many are asked about at once (the lookup after a reconnection asks about all, a slice at a time). */
const LOOKUP_MAX = 1000;

/** How long a marker may take to come back through the events reader before the lookup gives up until next time, ms. */
const MARKER_WAIT_MS = 10_000;

/** How often, at most, the events stream is checked for entries trimmed before the app read them, ms. */
const TRIM_CHECK_MS = 1000;

/**
 * The shortest time between two lookups of every job that trimming set off, ms: an app that stays
 * that far behind would otherwise ask Redis about every job it waits on each second.
 */
const TRIM_LOOKUP_GAP_MS = 5000;

/** The events whose stream ids tell how far the app has read (those it follows, and its markers). */
const READ_EVENTS = ['waiting', 'delayed', 'active', 'progress', 'completed', 'failed', 'removed', MARKER_EVENT];

/** What the app does with what a lookup finds. */
export interface RecheckHost {
  /** Job `id` completed with this stored return value. */
  completed(id: string, stored: unknown): void;
  /** Job `id` failed for good: BullMQ's reason, and the job's progress (which holds celerity's error record). */
  failed(id: string, reason: string, progress: unknown): void;
  /** Redis no longer has job `id`. */
  lost(id: string): void;
}

/** The connections a lookup uses. */
export interface RecheckBackend {
  readonly queue: Queue;
  readonly events: QueueEvents;
  readonly client: Redis;
  readonly eventsClient: Redis;
}

/** The jobs one app waits on, and their lookups. */
export class Rechecks {
  /** Jobs known to be in Redis that a run waits on, with when they were last looked up (or confirmed). */
  private readonly waited = new Map<string, number>();
  private readonly markers = new Map<string, () => void>();
  private backend: RecheckBackend | undefined;
  private eventsKey = '';
  /** The stream id of the last event the app's events reader delivered (of those it follows); parsed only when checked. */
  private lastRead = '0-0';
  /** Set while a check of the stream is due after the events being delivered now. */
  private trimCheckDue = false;
  /** When the stream was last checked for trimming, and when that last set off a lookup of every job (`performance.now()`). */
  private trimCheckAt = -Infinity;
  private trimLookupAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private looking = false;
  /** A lookup of every job was asked for while another ran. */
  private again = false;
  private stopped = false;

  /**
   * @param interval How often to look up the jobs waited on for that long, ms.
   * @param host What acts on what the lookups find.
   */
  constructor(
    private readonly interval: number,
    private readonly host: RecheckHost,
  ) {}

  /**
   * Starts following `backend`'s events connection and marker events; `eventsKey` is the queue's
   * events stream, which the events reader reads after `lastEventId`.
   */
  attach(backend: RecheckBackend, eventsKey: string, lastEventId: string): void {
    this.backend = backend;
    this.eventsKey = eventsKey;
    this.lastRead = lastEventId;
    const read = (_args: unknown, id: unknown): void => {
      if (typeof id === 'string') this.read(id);
    };
    for (const name of READ_EVENTS) (backend.events as unknown as EventEmitter).on(name, read);
    // A custom event, outside QueueEvents' typed list.
    (backend.events as unknown as EventEmitter).on(MARKER_EVENT, (args: unknown) => {
      const token = (args as { token?: unknown } | undefined)?.token;
      if (typeof token === 'string') this.markers.get(token)?.();
    });
    // Ready again after a break: events may have been trimmed meanwhile, or Redis restarted empty.
    backend.eventsClient.on('ready', () => {
      void this.lookUp(true);
    });
  }

  /** Job `id` is in Redis now, and a run waits on it. */
  confirm(id: string): void {
    if (this.stopped) return;
    this.waited.set(id, performance.now());
    // Started once and left running (unref'd): a tick with nothing due costs nothing, and runs
    // submitted one at a time would otherwise start and clear a timer each.
    if (this.timer === undefined) {
      this.timer = setInterval(() => void this.tick(), Math.min(this.interval, TRIM_CHECK_MS));
      this.timer.unref();
    }
  }

  /** No run waits on job `id` any more. */
  forget(id: string): void {
    this.waited.delete(id);
  }

  /** Stops every lookup (the app is closing). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.waited.clear();
    for (const seen of this.markers.values()) seen();
  }

  /**
   * The events reader delivered the event `id`. The first of a batch (at most once a second) sets
   * off a check of the stream against the position before it: a reader that was behind the trim
   * edge then has just skipped what was trimmed, and from here on it reads past it.
   */
  private read(id: string): void {
    if (!this.trimCheckDue && !this.stopped && performance.now() - this.trimCheckAt >= TRIM_CHECK_MS) {
      this.trimCheckDue = true;
      const from = this.lastRead;
      // After the rest of the batch, and the replies that came with it (the adds that make runs wait).
      setImmediate(() => {
        this.trimCheckDue = false;
        void this.checkTrim(from);
      });
    }
    this.lastRead = id;
  }

  /** One turn of the timer: the stream checked against the reader's position (a reader stuck behind), then the jobs due looked up. */
  private async tick(): Promise<void> {
    if (!(await this.checkTrim(this.lastRead))) await this.lookUp(false);
  }

  /**
   * Checks the stream for entries trimmed after `from` (see {@link trimmedAfter}), at most once a
   * second and only while runs wait; if so, looks up every job waited on (at most every
   * {@link TRIM_LOOKUP_GAP_MS}). Returns whether it did.
   */
  private async checkTrim(from: string): Promise<boolean> {
    const now = performance.now();
    if (this.waited.size === 0 || this.looking || now - this.trimCheckAt < TRIM_CHECK_MS || now - this.trimLookupAt < TRIM_LOOKUP_GAP_MS) return false;
    this.trimCheckAt = now;
    if (!(await this.trimmedAfter(from))) return false;
    this.trimLookupAt = performance.now();
    await this.lookUp(true);
    return true;
  }

  /**
   * Whether Redis has trimmed from the events stream entries after `from`: the oldest entry it
   * keeps is newer. (That entry may also be the very one after `from`, nothing lost: the reader is
   * then at the edge of losing events, and a lookup, at most every {@link TRIM_LOOKUP_GAP_MS}, is
   * cheap insurance. Redis's own `max-deleted-entry-id` would be exact, but trimming leaves it
   * unset.) A stream that is gone (flushed, or Redis restarted empty) counts too.
   */
  private async trimmedAfter(from: string): Promise<boolean> {
    const backend = this.backend;
    const fromId = parseStreamId(from);
    if (backend === undefined || fromId === undefined) return false;
    let info: unknown;
    try {
      info = await backend.client.xinfo('STREAM', this.eventsKey);
    } catch (error) {
      // No stream at all, while runs wait on jobs whose events were written to it.
      return error instanceof Error && /no such key/i.test(error.message);
    }
    if (!Array.isArray(info)) return false;
    const at = info.indexOf('first-entry');
    const first: unknown = at >= 0 && at % 2 === 0 ? info[at + 1] : undefined;
    const firstId = Array.isArray(first) && typeof first[0] === 'string' ? parseStreamId(first[0]) : undefined;
    return firstId !== undefined && compareStreamIds(firstId, fromId) > 0;
  }

  private async lookUp(all: boolean): Promise<void> {
    const backend = this.backend;
    if (backend === undefined || this.stopped) return;
    if (this.looking) {
      this.again ||= all;
      return;
    }
    this.looking = true;
    try {
      const ids = this.due(all);
      if (ids.length === 0) return;
      const ended: (readonly [string, string])[] = [];
      // A slice at a time: after a reconnection every job waited on is asked about.
      for (let from = 0; from < ids.length; from += LOOKUP_MAX) {
        const slice = ids.slice(from, from + LOOKUP_MAX);
        const states = await Promise.all(slice.map((id) => backend.queue.getJobState(id)));
        slice.forEach((id, i) => {
          const state = states[i] as string;
          if (state === 'completed' || state === 'failed' || state === 'unknown') ended.push([id, state]);
        });
      }
      if (ended.length === 0 || !(await this.marked(backend))) return;
      for (const [id, state] of ended) {
        if (!this.waited.has(id)) continue; // its event came after all
        const job = state === 'unknown' ? undefined : ((await backend.queue.getJob(id)) as Job | undefined);
        if (!this.waited.has(id)) continue;
        if (job === undefined) this.host.lost(id);
        else if (state === 'completed') this.host.completed(id, job.returnvalue);
        else this.host.failed(id, job.failedReason, job.progress);
      }
    } catch {
      // Redis is out of reach: the next lookup, or the one when it is back, tries again.
    } finally {
      this.looking = false;
      // Set by a lookup of every job asked for meanwhile (the narrowing does not see it).
      const again: boolean = this.again;
      this.again = false;
      if (again) void this.lookUp(true);
    }
  }

  /**
   * The jobs to look up: all of them, or those waited on for an interval since their last lookup,
   * the longest first, at most {@link LOOKUP_MAX}; each goes to the back of the line.
   */
  private due(all: boolean): string[] {
    const now = performance.now();
    const ids: string[] = [];
    for (const [id, at] of this.waited) {
      if (!all && (now - at < this.interval || ids.length >= LOOKUP_MAX)) break;
      ids.push(id);
    }
    for (const id of ids) {
      this.waited.delete(id);
      this.waited.set(id, now);
    }
    return ids;
  }

  /** Writes a marker to the events stream and resolves `true` once the events reader delivers it. */
  private async marked(backend: RecheckBackend): Promise<boolean> {
    const token = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const seen = new Promise<boolean>((resolve) => {
      this.markers.set(token, () => {
        resolve(true);
      });
      timer = setTimeout(resolve, MARKER_WAIT_MS, false);
    });
    try {
      await backend.client.xadd(this.eventsKey, '*', 'event', MARKER_EVENT, 'token', token);
      return await seen;
    } finally {
      clearTimeout(timer);
      this.markers.delete(token);
    }
  }
}

/** A Redis stream entry id: milliseconds and sequence number. */
type StreamId = readonly [number, number];

/** Parses `<ms>-<seq>`; `undefined` for anything else. */
function parseStreamId(text: string): StreamId | undefined {
  const match = /^(\d+)-(\d+)$/.exec(text);
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2])];
}

/** Orders two stream ids: negative, zero or positive. */
function compareStreamIds(a: StreamId, b: StreamId): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}
