/**
 * Schedules: a task run again and again, every so many milliseconds or on a cron pattern. This
 * module holds what both backends share (the options, their check, the handle) and the in-process
 * schedule, a timer that `close()` and `destroy()` stop. The queue's schedules are BullMQ job
 * schedulers (`src/queue/schedules.ts`).
 * @module
 */
import { CronExpressionParser } from 'cron-parser';
import { invalidOption } from '../errors.js';
import { isPositiveInteger, resolveSubmitOptions, type SubmitOptions } from './options.js';

/** When a schedule fires: `every` ms, or on a cron `pattern` (read in `tz`). */
export interface ScheduleOptions extends Pick<SubmitOptions, 'timeout' | 'retry' | 'priority'> {
  /** Fire every this many ms, the first time at once. */
  every?: number;
  /**
   * A cron pattern, five fields (minute hour day month weekday) or six with seconds first, as
   * BullMQ reads it (with the `cron-parser` package): `'0 * * * *'` is at the top of every hour.
   */
  pattern?: string;
  /**
   * The IANA time zone `pattern` is read in, e.g. `'Europe/Paris'`. Default: the time zone of the
   * process that computes the next time (on a queue, whichever worker takes the current run).
   */
  tz?: string;
  /** The schedule's name; declaring a schedule of the same id again replaces it. Default: the task's name. */
  id?: string;
  /** Stop after firing this many times. */
  limit?: number;
}

/** A schedule as an app lists it. */
export interface ScheduleInfo {
  /** Its id. */
  readonly id: string;
  /** The task it runs. */
  readonly task: string;
  /** Its interval, ms, when it fires every so often. */
  readonly every?: number;
  /** Its cron pattern, when it has one. */
  readonly pattern?: string;
  /** The time zone of its pattern, when given. */
  readonly tz?: string;
  /** When it fires next, when known. */
  readonly next?: Date;
}

/** What `app.schedule()` returns. */
export interface Schedule {
  /** The schedule's id. */
  readonly id: string;
  /**
   * Settles once the schedule is in place: at once in-process; once Redis has it on a queue
   * (rejecting with `ERR_BROKER_UNAVAILABLE`, say, if it could not be stored).
   */
  readonly ready: Promise<void>;
  /** Removes the schedule: no more runs start from it (runs already started go on). */
  cancel(): Promise<void>;
}

/** Schedule options, checked. */
export interface ResolvedSchedule {
  readonly id: string;
  readonly every: number | undefined;
  readonly pattern: string | undefined;
  readonly tz: string | undefined;
  readonly limit: number | undefined;
  /** What each run is submitted with. */
  readonly run: SubmitOptions;
}

const KEYS = new Set(['every', 'pattern', 'tz', 'id', 'limit', 'timeout', 'retry', 'priority']);

/**
 * Checks the options of `app.schedule(task, args, options)`.
 *
 * @throws `ERR_INVALID_OPTION` naming the option at fault, including a pattern that does not parse.
 */
export function resolveSchedule(task: unknown, args: unknown, given: ScheduleOptions | undefined): ResolvedSchedule {
  if (typeof task !== 'string' || task === '') throw invalidOption('schedule(): the task name must be a non-empty string');
  if (!Array.isArray(args)) throw invalidOption('schedule(): args must be an array of the task\'s arguments');
  const raw: unknown = given;
  if (typeof raw !== 'object' || raw === null) throw invalidOption('schedule(): options such as { every: 60_000 } or { pattern: \'0 * * * *\' } are required');
  const options = raw as Record<string, unknown>;
  for (const key of Object.keys(options)) if (!KEYS.has(key)) throw invalidOption(`schedule(): unknown option "${key}" (known: ${[...KEYS].join(', ')})`);
  const { every, pattern, tz, id = task, limit } = options;
  if ((every === undefined) === (pattern === undefined)) throw invalidOption('schedule(): give exactly one of options.every (ms) and options.pattern (cron)');
  if (every !== undefined && !isPositiveInteger(every)) throw invalidOption('options.every must be a positive integer number of milliseconds');
  if (tz !== undefined && !isTimeZone(tz)) throw invalidOption(`options.tz must be an IANA time zone such as 'Europe/Paris' (got ${JSON.stringify(tz)})`);
  if (tz !== undefined && pattern === undefined) throw invalidOption('options.tz applies to a pattern only');
  if (pattern !== undefined) checkPattern(pattern, tz as string | undefined);
  if (typeof id !== 'string' || id === '' || id.includes(':')) throw invalidOption('options.id must be a non-empty string without ":"');
  if (limit !== undefined && !isPositiveInteger(limit)) throw invalidOption('options.limit must be a positive integer');
  const run: SubmitOptions = {};
  if (options.timeout !== undefined) run.timeout = options.timeout as number;
  if (options.retry !== undefined) run.retry = options.retry as NonNullable<SubmitOptions['retry']>;
  if (options.priority !== undefined) run.priority = options.priority as number;
  resolveSubmitOptions(run, 0);
  return { id, every, pattern, tz, limit, run } as ResolvedSchedule;
}

function isTimeZone(tz: unknown): boolean {
  if (typeof tz !== 'string' || tz === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function checkPattern(pattern: unknown, tz: string | undefined): void {
  if (typeof pattern !== 'string' || pattern.trim() === '') throw invalidOption('options.pattern must be a cron pattern such as \'0 * * * *\'');
  try {
    nextTime(pattern, tz, Date.now());
  } catch (error) {
    throw invalidOption(`options.pattern ${JSON.stringify(pattern)} is not a cron pattern: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The first time after `after` (ms since the epoch) that cron `pattern`, read in `tz`, names. */
export function nextTime(pattern: string, tz: string | undefined, after: number): number {
  return CronExpressionParser.parse(pattern, { currentDate: new Date(after), ...(tz === undefined ? {} : { tz }) })
    .next()
    .getTime();
}

/** What an in-process schedule needs of its app. */
export interface ScheduleHost {
  /** Submits one run of the schedule's task; returns its promise-like, or `undefined` if the app refuses work now. */
  fire(task: string, args: readonly unknown[], options: SubmitOptions): { readonly state: string } | undefined;
  /** The schedule ended (cancelled or replaced): forget it. */
  forget(schedule: TimerSchedule): void;
}

/**
 * An in-process schedule. A tick submits a run unless the previous tick's run still waits for a
 * thread (then the tick is skipped: runs never pile up behind a busy pool); a run still going at
 * the next tick does not stop it, so runs of a slow task may overlap.
 */
export class TimerSchedule implements Schedule {
  /** Settles once the task's name is checked and the timer set (see {@link start}). */
  ready: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private fired = 0;
  private last: { readonly state: string } | undefined;
  private nextAt: number | undefined;
  private stopped = false;

  constructor(
    readonly task: string,
    private readonly args: readonly unknown[],
    readonly settings: ResolvedSchedule,
    private readonly host: ScheduleHost,
  ) {}

  /** Sets the first timer (once the app has checked the task exists). */
  start(): void {
    this.plan(true);
  }

  get id(): string {
    return this.settings.id;
  }

  /** How it lists itself. */
  info(): ScheduleInfo {
    const { id, every, pattern, tz } = this.settings;
    return {
      id,
      task: this.task,
      ...(every === undefined ? {} : { every }),
      ...(pattern === undefined ? {} : { pattern }),
      ...(tz === undefined ? {} : { tz }),
      ...(this.nextAt === undefined ? {} : { next: new Date(this.nextAt) }),
    };
  }

  cancel(): Promise<void> {
    this.stop();
    this.host.forget(this);
    return Promise.resolve();
  }

  /** Stops the timer (the app is closing, or a schedule of the same id replaced this one). */
  stop(): void {
    this.stopped = true;
    this.nextAt = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private plan(first: boolean): void {
    if (this.stopped) return;
    const now = Date.now();
    const { every, pattern, tz, limit } = this.settings;
    if (limit !== undefined && this.fired >= limit) {
      void this.cancel();
      return;
    }
    // Never before the time just served (a timer may fire a little early by the wall clock).
    const after = Math.max(now, this.nextAt ?? now);
    // As BullMQ's job schedulers: `every` fires at once, then on each multiple of the interval.
    const at = every !== undefined ? (first ? now : (Math.floor(after / every) + 1) * every) : nextTime(pattern as string, tz, after);
    this.nextAt = at;
    // Unref'd: a schedule alone does not keep the process alive; the runs it starts do.
    this.timer = setTimeout(() => {
      this.tick();
    }, Math.max(0, at - Date.now()));
    this.timer.unref();
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    if (this.last?.state !== 'queued') {
      const run = this.host.fire(this.task, this.args, this.settings.run);
      if (run === undefined) {
        this.stop();
        return;
      }
      this.last = run;
      this.fired++;
    }
    this.plan(false);
  }
}
