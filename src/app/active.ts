/**
 * What is unsettled: every run and map an app has not answered yet, so that `destroy()` (or a
 * timed-out `close()`) can end them, and `close()` can wait for them.
 * @module
 */

/**
 * Something unsettled that `destroy()` (or a timed-out `close()`) must end. The list keeps these
 * intrusively (the links live on the items), which costs less per run than a Set.
 */
export abstract class Active {
  /** @internal */
  activePrev: Active | undefined = undefined;
  /** @internal */
  activeNext: Active | undefined = undefined;
  /** @internal */
  activeListed = false;

  /** Ends it at once with this error; its thread, if any, is being stopped by the caller. */
  abstract abort(error: Error): void;
}

/** The unsettled items of one app. */
export class ActiveList {
  private head: Active | undefined;
  private count = 0;
  private idleWaiters: (() => void)[] = [];

  /** How many items are unsettled. */
  get size(): number {
    return this.count;
  }

  /** Something unsettled began. */
  enter(item: Active): void {
    if (item.activeListed) return;
    item.activeListed = true;
    item.activeNext = this.head;
    if (this.head !== undefined) this.head.activePrev = item;
    this.head = item;
    this.count++;
  }

  /** Something unsettled ended. */
  leave(item: Active): void {
    if (!item.activeListed) return;
    item.activeListed = false;
    const { activePrev: prev, activeNext: next } = item;
    if (prev === undefined) this.head = next;
    else prev.activeNext = next;
    if (next !== undefined) next.activePrev = prev;
    item.activePrev = undefined;
    item.activeNext = undefined;
    this.count--;
    if (this.count === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Resolves `true` once nothing is unsettled, or `false` after `timeout` ms. */
  async whenIdle(timeout: number): Promise<boolean> {
    if (this.count === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = await new Promise<boolean>((resolve) => {
      this.idleWaiters.push(() => {
        resolve(true);
      });
      if (timeout !== Infinity) timer = setTimeout(resolve, timeout, false);
    });
    if (timer !== undefined) clearTimeout(timer);
    return idle;
  }

  /** Ends every unsettled item with `error`. */
  abortAll(error: Error): void {
    const items: Active[] = [];
    for (let item = this.head; item !== undefined; item = item.activeNext) items.push(item);
    for (const item of items) item.abort(error);
  }
}
