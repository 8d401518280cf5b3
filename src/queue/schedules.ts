/**
 * Schedules on a queue are BullMQ job schedulers: Redis keeps them, so they survive restarts, and
 * declaring one whose id exists (from this process or any other) updates that one rather than
 * adding a second. BullMQ adds each next run when a worker takes the current one.
 * @module
 */
import type { Queue } from 'bullmq';
import type { ResolvedSchedule, ScheduleInfo } from '../app/schedule.js';
import type { PartOptions } from './flow.js';
import type { JobData } from './job-format.js';

/** Puts schedule `settings` for a job of `task` with `data` in Redis (added, or updated if its id exists). */
export async function upsertSchedule(queue: Queue, task: string, data: JobData & Record<string, unknown>, settings: ResolvedSchedule, part: PartOptions): Promise<void> {
  const { id, every, pattern, tz, limit } = settings;
  const repeat = {
    ...(every === undefined ? {} : { every }),
    ...(pattern === undefined ? {} : { pattern }),
    ...(tz === undefined ? {} : { tz }),
    ...(limit === undefined ? {} : { limit }),
  };
  await queue.upsertJobScheduler(id, repeat, { name: task, data, opts: part });
}

/** The schedules of a queue, from Redis. */
export async function listSchedules(queue: Queue): Promise<ScheduleInfo[]> {
  const found = await queue.getJobSchedulers();
  return found.map((scheduler) => ({
    id: scheduler.key,
    task: scheduler.name,
    ...(scheduler.every === undefined ? {} : { every: scheduler.every }),
    ...(scheduler.pattern === undefined ? {} : { pattern: scheduler.pattern }),
    ...(scheduler.tz === undefined ? {} : { tz: scheduler.tz }),
    ...(scheduler.next === undefined ? {} : { next: new Date(scheduler.next) }),
  }));
}
