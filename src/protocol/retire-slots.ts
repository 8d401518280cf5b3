/**
 * The retirement slots of `recycle`: threads that asked to be replaced, written by the threads
 * and read by the main thread's load balancer, so that a retiring thread is given no new task
 * even before its answer is read (`BootData.retire`). Slot 0 counts the entries; the other
 * slots hold thread ids (0 = free).
 * @module
 */

/** Shared memory for the slots of an app of at most `maxThreads` threads. */
export function retireSlotsFor(maxThreads: number): SharedArrayBuffer {
  // A thread's slot is freed only once it has exited, and its replacement may retire meanwhile.
  return new SharedArrayBuffer(4 * (maxThreads * 2 + 9));
}

/** Whether some thread is retiring now. */
export function anyRetiring(slots: Int32Array): boolean {
  return Atomics.load(slots, 0) > 0;
}

/** Whether `thread` is retiring. */
export function isRetiring(slots: Int32Array, thread: number): boolean {
  for (let slot = 1; slot < slots.length; slot++) if (Atomics.load(slots, slot) === thread) return true;
  return false;
}

/** The thread's side: notes that `thread` is retiring, before its answer leaves. */
export function markRetiring(slots: Int32Array, thread: number): void {
  for (let slot = 1; slot < slots.length; slot++) {
    if (Atomics.compareExchange(slots, slot, 0, thread) === 0) {
      Atomics.add(slots, 0, 1);
      return;
    }
  }
}

/** The main thread's side, once `thread` has exited: frees its slot. */
export function releaseRetireSlot(slots: Int32Array, thread: number): void {
  for (let slot = 1; slot < slots.length; slot++) {
    if (Atomics.compareExchange(slots, slot, thread, 0) === thread) {
      Atomics.sub(slots, 0, 1);
      return;
    }
  }
}
