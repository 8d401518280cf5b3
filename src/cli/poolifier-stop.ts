/**
 * Stopping a poolifier pool (the baseline of `celerity bench` and of the benchmarks) within a
 * bound: its `destroy()` now and then never settles while nothing else keeps the process alive,
 * and the process would then end with exit code 13 (a top-level await left unsettled).
 * @module
 */

/** How long poolifier's `destroy()` is waited for, ms. */
const DESTROY_WAIT_MS = 2000;

/** Destroys `pool`, waiting at most {@link DESTROY_WAIT_MS}. */
export async function stopPoolifier(pool: { destroy(): Promise<void> }): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([pool.destroy(), new Promise((resolve) => (timer = setTimeout(resolve, DESTROY_WAIT_MS)))]);
  clearTimeout(timer);
}
