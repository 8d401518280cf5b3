/**
 * Piscina's load balancer for an app: the first idle thread that is not retiring or being
 * stopped. It also tells the run which thread took it (which is what lets a cancel reach a running
 * task's thread), and, while tasks are short and work is waiting, hands a thread its next task
 * while it runs one.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { queueOptionsSymbol, type Piscina } from 'piscina';
import { anyRetiring, isRetiring } from '../protocol/retire-slots.js';
import type { StartCells } from '../protocol/start-cells.js';
import type { Counters } from './counters.js';

type PoolOptions = NonNullable<ConstructorParameters<typeof Piscina>[0]>;
/** Piscina's balancer signature. */
export type BalancerFunction = NonNullable<PoolOptions['loadBalancer']>;
type PoolTask = Parameters<BalancerFunction>[0];
type PoolWorker = Parameters<BalancerFunction>[1][number];

/** Tasks a thread may hold at once: the one it runs and the next. */
export const TASKS_PER_THREAD = 2;

/**
 * A task is handed to a busy thread only while recent tasks ran this long at most (a moving
 * average), and only if that thread was handed its latest task at most this long ago, ms: nothing
 * then waits long behind a task while another thread could have run it.
 */
const QUEUE_BEHIND_MS = 1;

/** What the balancer tells a run when it hands it to a thread. */
export interface Dispatchable {
  /**
   * The run's current try was given to the thread with this `threadId`; `behind`: after the task
   * that thread runs now; `byEvent`: its answer is to come as an answer event.
   */
  dispatched(thread: number, behind: boolean, byEvent: boolean): void;
}

/** What the balancer remembers of a thread's latest task. */
interface ThreadNote {
  /** When it was handed over (`performance.now()`). */
  at: number;
  /** Whether its answer comes as an event (only then may a task wait behind it). */
  byEvent: boolean;
}

/** The balancer of one app. */
export class Balancer {
  private readonly notes = new Map<number, ThreadNote>();

  /**
   * @param counters Where the balancer reads how many runs wait and how long tasks take.
   * @param cells The start cells: a task waits behind another only if one is free.
   * @param doomed Threads being stopped.
   * @param retireSlots The retirement slots, with `recycle`.
   */
  constructor(
    private readonly counters: Counters,
    private readonly cells: StartCells,
    private readonly doomed: ReadonlySet<number>,
    private readonly retireSlots: Int32Array | undefined,
  ) {}

  /** The function to give Piscina as `loadBalancer`. */
  readonly balance: BalancerFunction = (task: PoolTask, workers: PoolWorker[]): PoolWorker | null => {
    const slots = this.retireSlots;
    const retiring = slots !== undefined && anyRetiring(slots);
    const anyDoomed = this.doomed.size > 0;
    const job = task[queueOptionsSymbol as unknown as keyof PoolTask] as Dispatchable | null;
    // With short tasks and more waiting, a thread is also handed its next task while it runs one:
    // it then goes from one to the next without waiting for the main thread to read the answer
    // and post the next, which for tiny tasks is most of the time a task takes. Such tasks
    // answer by event, so that no task can cost the answer of the one before it.
    const queueing = job !== null && this.counters.recentRunMs <= QUEUE_BEHIND_MS && this.counters.queued > 1 && this.cells.available;
    // The clock is read only when a task may queue: a run at a time pays for none of this.
    const now = queueing ? performance.now() : 0;
    for (let usage = 0; usage < (queueing ? TASKS_PER_THREAD : 1); usage++) {
      for (const worker of workers) {
        if (worker.currentUsage !== usage) continue;
        if (retiring && isRetiring(slots, worker.id)) continue;
        if (anyDoomed && this.doomed.has(worker.id)) continue;
        let note = this.notes.get(worker.id);
        // Behind a task only if it answers by event and began just now (so it is likely short).
        if (usage > 0 && (note === undefined || !note.byEvent || now - note.at > QUEUE_BEHIND_MS)) continue;
        if (queueing) {
          if (note === undefined) this.notes.set(worker.id, (note = { at: now, byEvent: true }));
          note.at = now;
          note.byEvent = true;
        } else if (note !== undefined) {
          note.byEvent = false;
        }
        if (job !== null) job.dispatched(worker.id, usage > 0, queueing);
        return worker;
      }
    }
    return null;
  };

  /** Drops the notes of threads that are gone. */
  forget(live: ReadonlySet<number>): void {
    for (const known of this.notes.keys()) if (!live.has(known)) this.notes.delete(known);
  }
}
