/**
 * The pool's queue of tasks waiting for a thread, in priority order: a lower `priority` runs
 * sooner (as in BullMQ), equal priorities in the order they were posted. Runs of the default
 * priority, 0, which nearly every run has, wait in a plain first-in first-out list; the others in
 * a binary heap. A task handed back (Piscina found no thread for it) goes first among those of
 * its priority, where it was: it is always the earliest of them.
 * @module
 */
import { queueOptionsSymbol } from 'piscina';

type PoolOptions = NonNullable<ConstructorParameters<typeof import('piscina').Piscina>[0]>;
/** Piscina's task queue interface. */
type TaskQueue = NonNullable<PoolOptions['taskQueue']>;
/** A task as Piscina queues it. */
type Task = Parameters<TaskQueue['push']>[0];

/** What the queue reads from a task's queue options (the job that posted it). */
interface Prioritised {
  readonly priority: number;
}

/** A heap entry: the task, its priority, and its place in posting order. */
interface Entry {
  readonly task: Task;
  readonly priority: number;
  readonly order: number;
}

function priorityOf(task: Task): number {
  const job = (task as unknown as Record<symbol, Prioritised | null | undefined>)[queueOptionsSymbol];
  return job?.priority ?? 0;
}

function before(a: Entry, b: Entry): boolean {
  return a.priority < b.priority || (a.priority === b.priority && a.order < b.order);
}

/** Piscina's `taskQueue` for an app: see the module comment. */
export class PriorityTaskQueue implements TaskQueue {
  /** Tasks of priority 0, in posting order, from {@link head} on. */
  private fifo: Task[] = [];
  private head = 0;
  /** Tasks of any other priority. */
  private readonly heap: Entry[] = [];
  /** Posting order of the next task pushed; tasks handed back count down from -1. */
  private order = 0;
  private backOrder = 0;

  get size(): number {
    return this.fifo.length - this.head + this.heap.length;
  }

  push(task: Task): void {
    const priority = priorityOf(task);
    if (priority === 0) {
      this.fifo.push(task);
      return;
    }
    this.heap.push({ task, priority, order: this.order++ });
    this.up(this.heap.length - 1);
  }

  unshift(task: Task): void {
    const priority = priorityOf(task);
    if (priority !== 0) {
      this.heap.push({ task, priority, order: --this.backOrder });
      this.up(this.heap.length - 1);
    } else if (this.head > 0) {
      this.fifo[--this.head] = task;
    } else {
      this.fifo.unshift(task);
    }
  }

  shift(): Task | null {
    if (this.head < this.fifo.length) {
      const task = this.fifo[this.head] as Task;
      this.fifo[this.head++] = undefined as unknown as Task;
      // Compacted once the consumed part is most of the list: shift() stays O(1) amortised.
      if (this.head > 1024 && this.head * 2 > this.fifo.length) {
        this.fifo = this.fifo.slice(this.head);
        this.head = 0;
      }
      return task;
    }
    return this.takeAt(0);
  }

  remove(task: Task): void {
    const inFifo = this.fifo.indexOf(task, this.head);
    if (inFifo >= 0) {
      this.fifo.splice(inFifo, 1);
      return;
    }
    const inHeap = this.heap.findIndex((entry) => entry.task === task);
    if (inHeap >= 0) this.takeAt(inHeap);
  }

  /** Removes and returns the heap's entry at `index` (`null` when the heap is empty). */
  private takeAt(index: number): Task | null {
    const heap = this.heap;
    const taken = heap[index];
    if (taken === undefined) return null;
    const last = heap.pop() as Entry;
    if (index < heap.length) {
      heap[index] = last;
      this.down(index);
      this.up(index);
    }
    return taken.task;
  }

  private up(index: number): void {
    const heap = this.heap;
    const entry = heap[index] as Entry;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = heap[parent] as Entry;
      if (!before(entry, above)) break;
      heap[index] = above;
      index = parent;
    }
    heap[index] = entry;
  }

  private down(index: number): void {
    const heap = this.heap;
    const entry = heap[index] as Entry;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right] as Entry, heap[left] as Entry) ? right : left;
      if (!before(heap[child] as Entry, entry)) break;
      heap[index] = heap[child] as Entry;
      index = child;
    }
    heap[index] = entry;
  }
}
