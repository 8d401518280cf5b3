/**
 * Local search for the travelling-salesman problem on a tour held as an `Int32Array` of city
 * indices: 2-opt (reverse a stretch of the tour) and or-opt (move a run of one to three cities
 * elsewhere, either way round), repeated until neither finds an improvement. Plain loops over a
 * flat distance table: this is the CPU-heavy part the examples move off the main thread.
 * @module
 */

/** Improvements smaller than this are rounding noise; ignoring them guarantees the search ends. */
const EPSILON = 1e-9;

/** Reverses `order[from..to]` in place (both ends included). */
function reverse(order: Int32Array, from: number, to: number): void {
  for (let i = from, j = to; i < j; i++, j--) {
    const held = order[i] as number;
    order[i] = order[j] as number;
    order[j] = held;
  }
}

/**
 * One 2-opt sweep: for every pair of edges (a→b, c→e), replaces them with (a→c, b→e) when that
 * is shorter, reversing the stretch b…c. Returns whether the tour changed.
 */
function twoOptSweep(order: Int32Array, d: Float64Array, n: number): boolean {
  let changed = false;
  for (let i = 0; i < n - 2; i++) {
    const a = order[i] as number;
    let b = order[i + 1] as number;
    let ab = d[a * n + b] as number;
    // With i = 0 the last edge (n-1 → 0) shares city a with edge i: skip that pair.
    const last = i === 0 ? n - 1 : n;
    for (let j = i + 2; j < last; j++) {
      const c = order[j] as number;
      const e = order[j + 1 === n ? 0 : j + 1] as number;
      const delta = (d[a * n + c] as number) + (d[b * n + e] as number) - ab - (d[c * n + e] as number);
      if (delta < -EPSILON) {
        reverse(order, i + 1, j);
        b = order[i + 1] as number;
        ab = d[a * n + b] as number;
        changed = true;
      }
    }
  }
  return changed;
}

/**
 * One or-opt sweep: tries to move each run of `size` consecutive cities to the best other edge,
 * in either direction. Returns whether the tour changed.
 */
function orOptSweep(order: Int32Array, d: Float64Array, n: number, size: number, scratch: Int32Array): boolean {
  let changed = false;
  for (let i = 0; i + size <= n; i++) {
    const first = order[i] as number;
    const lastCity = order[i + size - 1] as number;
    const prev = order[i === 0 ? n - 1 : i - 1] as number;
    const next = order[i + size === n ? 0 : i + size] as number;
    if (prev === lastCity || next === first) continue;
    const gain = (d[prev * n + first] as number) + (d[lastCity * n + next] as number) - (d[prev * n + next] as number);
    if (gain <= EPSILON) continue;
    let bestCost = gain - EPSILON;
    let bestAt = -1;
    let bestReversed = false;
    for (let k = 0; k < n; k++) {
      // Edge order[k] → order[k+1] must lie outside the run and not touch it.
      if (k >= i - 1 && k < i + size) continue;
      const p = order[k] as number;
      const q = order[k + 1 === n ? 0 : k + 1] as number;
      if (q === first) continue;
      const pq = d[p * n + q] as number;
      const forward = (d[p * n + first] as number) + (d[lastCity * n + q] as number) - pq;
      const backward = (d[p * n + lastCity] as number) + (d[first * n + q] as number) - pq;
      if (forward < bestCost) {
        bestCost = forward;
        bestAt = k;
        bestReversed = false;
      }
      if (backward < bestCost) {
        bestCost = backward;
        bestAt = k;
        bestReversed = true;
      }
    }
    if (bestAt < 0) continue;
    moveRun(order, i, size, bestAt, bestReversed, scratch);
    changed = true;
  }
  return changed;
}

/** Rebuilds `order` with the run at `from` (length `size`) placed after the city at `after`. */
function moveRun(order: Int32Array, from: number, size: number, after: number, reversed: boolean, scratch: Int32Array): void {
  const n = order.length;
  let w = 0;
  for (let k = 0; k < n; k++) {
    if (k >= from && k < from + size) continue;
    scratch[w++] = order[k] as number;
    if (k === after) {
      for (let r = 0; r < size; r++) scratch[w++] = order[reversed ? from + size - 1 - r : from + r] as number;
    }
  }
  order.set(scratch.subarray(0, n));
}

/**
 * Improves `order` in place until it is a local optimum for both 2-opt and or-opt, or until
 * `shouldStop()` says so (asked between sweeps). Returns how many sweeps it made.
 */
export function localSearch(order: Int32Array, distances: Float64Array, shouldStop: () => boolean = () => false): number {
  const n = order.length;
  if (n < 5) return 0;
  const scratch = new Int32Array(n);
  let sweeps = 0;
  for (;;) {
    while (twoOptSweep(order, distances, n)) {
      sweeps++;
      if (shouldStop()) return sweeps;
    }
    let moved = false;
    for (let size = 1; size <= 3; size++) moved = orOptSweep(order, distances, n, size, scratch) || moved;
    sweeps++;
    if (!moved || shouldStop()) return sweeps;
  }
}

/**
 * The "double bridge" kick of iterated local search: cuts the tour into A B C D and rejoins it as
 * A C B D, a change 2-opt and or-opt cannot undo in one step.
 */
export function doubleBridge(order: Int32Array, random: () => number): Int32Array {
  const n = order.length;
  if (n < 8) return order.slice();
  const cuts = [1 + Math.floor(random() * (n - 3)), 1 + Math.floor(random() * (n - 3)), 1 + Math.floor(random() * (n - 3))].sort((x, y) => x - y);
  const [p1, p2, p3] = cuts as [number, number, number];
  const kicked = new Int32Array(n);
  kicked.set(order.subarray(0, p1), 0);
  kicked.set(order.subarray(p2, p3), p1);
  kicked.set(order.subarray(p1, p2), p1 + p3 - p2);
  kicked.set(order.subarray(p3), p3);
  return kicked;
}
