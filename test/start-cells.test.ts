/**
 * The start cells under leases (an internal protocol, imported from the build): a cell whose task
 * has finished is taken back when none is free, and whatever its last holder then does under its
 * old lease (give it back, cancel, stop, read it) touches nothing of the task that holds it now.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

interface StartCellsLike {
  readonly buffer: SharedArrayBuffer;
  readonly available: boolean;
  take(thread: number): number;
  release(lease: number): void;
  state(lease: number): number;
  cancelBeforeStart(lease: number): boolean;
  mustStop(thread: number, lease: number): boolean;
  startedOn(thread: number): boolean;
}

const cells = (await import(new URL('../../dist/protocol/start-cells.js', import.meta.url).href)) as {
  StartCells: new (count: number) => StartCellsLike;
  claimStart: (cells: Int32Array, lease: number, retiring: boolean) => boolean;
  markFinished: (cells: Int32Array, lease: number) => void;
  SLOT_PENDING: number;
  SLOT_STARTED: number;
  SLOT_FINISHED: number;
  SLOT_CANCELLED: number;
};
const { StartCells, claimStart, markFinished, SLOT_PENDING, SLOT_STARTED, SLOT_FINISHED } = cells;

await test('a finished cell is taken back when none is free, and the old lease no longer reaches it', () => {
  const main = new StartCells(2);
  const shared = new Int32Array(main.buffer);
  const first = main.take(7);
  const second = main.take(7);
  assert.equal(main.available, false);
  // The thread runs both; the first finishes, the second is still running.
  assert.equal(claimStart(shared, first, false), true);
  assert.equal(claimStart(shared, second, false), true);
  markFinished(shared, first);
  const third = main.take(8);
  assert.notEqual(third, -1, 'the finished cell is taken back');
  assert.notEqual(third, first, 'under a new lease');
  assert.equal(third % 2, first % 2, 'on the same cell');
  assert.equal(main.state(third), SLOT_PENDING);
  // The first task's holder, late: it reads its cell as finished and cannot touch the new task.
  assert.equal(main.state(first), SLOT_FINISHED);
  assert.equal(main.cancelBeforeStart(first), false);
  assert.equal(main.state(third), SLOT_PENDING);
  main.release(first);
  assert.equal(main.available, false, 'giving back an old lease frees nothing');
  // No cell is finished now: none can be had.
  assert.equal(main.take(8), -1);
  // The new task still starts, on thread 8, and its cell comes back once.
  assert.equal(claimStart(shared, third, false), true);
  assert.equal(main.state(third), SLOT_STARTED);
  assert.equal(main.startedOn(8), true);
  main.release(third);
  main.release(third);
  assert.equal(main.available, true);
  assert.notEqual(main.take(9), -1);
  assert.equal(main.take(9), -1, 'one cell came back, not two');
});

await test('a stop under an old lease stops nothing, and a cancel under the live one still wins the race', () => {
  const main = new StartCells(1);
  const shared = new Int32Array(main.buffer);
  const old = main.take(3);
  claimStart(shared, old, false);
  markFinished(shared, old);
  const live = main.take(3);
  // The old task's grace timer fires: its task is over, so its thread must not be stopped, and
  // the live task waiting behind it must not be withdrawn on its account.
  assert.equal(main.mustStop(3, old), false);
  assert.equal(main.state(live), SLOT_PENDING);
  assert.equal(main.cancelBeforeStart(live), true);
  assert.equal(claimStart(shared, live, false), false, 'the thread skips the cancelled task');
  // A cancelled cell is not finished: it is not taken back before its holder gives it back.
  assert.equal(main.take(4), -1);
  main.release(live);
  assert.notEqual(main.take(4), -1);
});

await test('a cell given back and handed out again gets a new lease: giving back the old one twice frees nothing', () => {
  const main = new StartCells(1);
  const old = main.take(1);
  main.release(old);
  const next = main.take(2);
  assert.notEqual(next, old);
  // The first holder gives its cell back a second time (its answer event, then its pool task).
  main.release(old);
  assert.equal(main.take(3), -1, 'the cell is still held by the second task');
  assert.equal(main.state(next), SLOT_PENDING);
});
