// The workflow and schedule tests both backends pass: the same calls, through the public API, on
// an in-process app (workflow.test.ts) and on a queue with two worker processes (queue-workflow.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chain, chord, group, task, type TaskApp, type WorkflowProgress } from 'celerity';
import type tasks from './fixtures/workflow-tasks.js';
import { Point, RouteError } from './fixtures/shapes.js';

/** An app of the workflow tasks, on either backend. */
export type WorkflowApp = TaskApp<typeof tasks>;

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function rejection(promise: PromiseLike<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

/** A file path in a fresh temporary folder. */
export function scratchFile(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'celerity-workflow-')), name);
}

/** The lines of `file` (none if it does not exist). */
export function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line !== '') : [];
}

/** Waits until `file` has at least one line. */
async function untilWritten(file: string): Promise<void> {
  for (let i = 0; i < 400 && lines(file).length === 0; i++) await delay(25);
  assert.ok(lines(file).length > 0, `${file} was never written`);
}

/** Waits until `file` stops growing: its tasks stopped. */
export async function assertStops(file: string): Promise<void> {
  await delay(500);
  const before = lines(file).length;
  await delay(400);
  assert.equal(lines(file).length, before, `${file} still grows: its task was not stopped`);
}

/** Registers the suite's tests, each on the app `app()` returns at the time it runs. */
export async function workflowSuite(app: () => WorkflowApp): Promise<void> {
  await test('a chain feeds each step the previous result first; class instances arrive as themselves', async () => {
    const length = await app().run(chain(task('load', 3), task('shift', 1), task('measure')));
    assert.equal(length, Math.hypot(4, 30));
    const moved = await app().run(chain(task('load', 2), task('shift', 5)));
    assert.ok(moved instanceof Point);
    assert.deepEqual([moved.x, moved.y], [7, 20]);
  });

  await test('a group resolves to its members\' results in member order, nested workflows included', async () => {
    const points = await app().run(group([3, 1, 2].map((id) => task('load', id))));
    assert.deepEqual(points.map((point) => point.x), [3, 1, 2]);
    assert.ok(points.every((point) => point instanceof Point));
    const mixed = await app().run(group([chain(task('load', 1), task('shift', 10)), task('add', 2, 3), group([task('add', 1, 1), task('add', 2, 2)])] as const));
    assert.ok(mixed[0] instanceof Point);
    assert.equal(mixed[0].x, 11);
    assert.equal(mixed[1], 5);
    assert.deepEqual(mixed[2], [2, 4]);
  });

  await test('a chord feeds the header\'s results, in order, to its body; a chain from a group does the same', async () => {
    assert.equal(await app().run(chord([5, 2, 9].map((n) => task('add', n, n)), task('smallest'))), 4);
    assert.equal(await app().run(chain(group([1, 2, 3].map((id) => task('load', id))), task('sumPlus', 100))), 106);
    assert.equal(await app().run(chord(group([task('load', 4)]), task('sumPlus', 1))), 5);
  });

  await test('progress of the whole is task calls done of task calls in all', async () => {
    const seen: WorkflowProgress[] = [];
    const run = app().submit(chain(group([task('add', 1, 1), task('add', 2, 2)]), task('smallest')), { onProgress: (value: WorkflowProgress) => seen.push(value) });
    assert.equal(await run, 2);
    assert.equal(run.state, 'succeeded');
    assert.deepEqual(seen.map(({ done }) => done).sort(), [1, 2, 3]);
    assert.ok(seen.every(({ total }) => total === 3));
  });

  await test('retry, timeout and priority apply to each step; with() gives options to a workflow', async () => {
    // measure(load(1)) is √101; flaky fails its first try, so the step that succeeds adds 2.
    const retried = await app().submit(chain(task('load', 1), task('measure'), task('flaky', 2)), { retry: { attempts: 2 } });
    assert.equal(retried, Math.hypot(1, 10) + 2);
    const noRetry = await rejection(app().submit(chain(task('add', 1, 2), task('flaky', 2)), { retry: { attempts: 1 } }));
    assert.ok(noRetry instanceof RouteError);
    const withRetry = await app().submit(chain(task('add', 1, 2), task('flaky', 2)), { retry: { attempts: 2 } });
    assert.equal(withRetry, 5);
    const file = scratchFile('timed');
    const timedOut = await rejection(app().submit(chain(task('beat', file, 20_000), task('suffix', '!')), { timeout: 400 }));
    assert.equal(timedOut.name, 'TimeoutError');
    assert.equal(timedOut.code, 'ERR_TASK_TIMEOUT');
    await assertStops(file);
    assert.equal(await app().with({ priority: 1, timeout: 10_000 }).run(chain(task('add', 2, 2), task('add', 1))), 5);
  });

  await test('a failing step rejects the whole with its error (class kept), runs nothing after it, and stops what runs beside it', async () => {
    const file = scratchFile('beside');
    // (Typed loosely: a failing step's result type is `never`, which no later step takes.)
    const error = await rejection(app().run(chain(group([task('fail', 'no way'), task('beat', file, 20_000)]), task('smallest')) as never));
    assert.ok(error instanceof RouteError, `${error.name}: ${error.message}`);
    assert.equal(error.message, 'no way');
    await assertStops(file);
    const after = scratchFile('after');
    const failed = await rejection(app().run(chain(task('load', 1), task('fail'), task('stamp', after)) as never));
    assert.ok(failed instanceof RouteError);
    await delay(300);
    assert.deepEqual(lines(after), [], 'a step after the failing one ran');
  });

  await test('cancelling the whole rejects with AbortError at once and stops every running part', async () => {
    const first = scratchFile('first');
    const second = scratchFile('second');
    const run = app().submit(group([task('beat', first, 20_000), task('beat', second, 20_000)]));
    await untilWritten(first);
    await untilWritten(second);
    run.cancel('enough');
    const error = await rejection(run);
    assert.equal(error.name, 'AbortError');
    assert.equal(run.state, 'cancelled');
    await Promise.all([assertStops(first), assertStops(second)]);
  });

  await test('bad workflows: an empty group, a group after the first step, an unknown task, each a CelerityError before anything runs', async () => {
    assert.throws(() => group([]), { code: 'ERR_INVALID_WORKFLOW' });
    assert.throws(() => (chain as (...steps: unknown[]) => unknown)(), { code: 'ERR_INVALID_WORKFLOW' });
    assert.throws(() => chord([], task('smallest')), { code: 'ERR_INVALID_WORKFLOW' });
    assert.throws(() => group([{ kind: 'task', name: 'add', args: [1, 2] }] as never), { code: 'ERR_INVALID_WORKFLOW' });
    const late = await rejection(app().run(chain(task('add', 1, 2), group([task('add', 1, 1)])) as never));
    assert.equal(late.code, 'ERR_INVALID_WORKFLOW');
    const file = scratchFile('never');
    const unknown = await rejection(app().run(chain(task('stamp', file), task('nope', 1)) as never));
    assert.equal(unknown.code, 'ERR_UNKNOWN_TASK');
    assert.match(unknown.message, /"nope".*"load"/);
    await delay(300);
    assert.deepEqual(lines(file), [], 'a step ran although the workflow names an unknown task');
  });

  await test('a delayed run starts no earlier than asked', async () => {
    const file = scratchFile('delayed');
    const submitted = Date.now();
    const run = app().submit('stamp', [file], { delay: 600 });
    await delay(300);
    assert.deepEqual(lines(file), [], 'the run started before its delay');
    const started = await run;
    assert.ok(started - submitted >= 590, `started ${started - submitted} ms after submit`);
  });

  await test('a schedule fires the expected number of times within a window; declaring it twice makes one; cancel stops it', async () => {
    const file = scratchFile('every');
    const id = `every-${process.pid}-${Date.now()}`;
    const first = app().schedule('stamp', [file], { every: 400, id });
    const again = app().schedule('stamp', [file], { every: 400, id });
    await Promise.all([first.ready, again.ready]);
    const listed = (await app().schedules()).filter((schedule) => schedule.id === id);
    assert.deepEqual(listed.map(({ task: name, every }) => ({ name, every })), [{ name: 'stamp', every: 400 }]);
    await delay(2000);
    const fired = lines(file).length;
    // At once, then on each multiple of 400 ms: 5 or 6 within 2 s, never twice that (one schedule, not two).
    assert.ok(fired >= 4 && fired <= 7, `fired ${fired} times in 2 s`);
    await again.cancel();
    assert.equal(await app().unschedule(id), false);
    await delay(600);
    const stopped = lines(file).length;
    await delay(900);
    assert.equal(lines(file).length, stopped, 'the schedule fired after cancel()');
    assert.equal((await app().schedules()).filter((schedule) => schedule.id === id).length, 0);
  });

  await test('a schedule on a cron pattern with seconds fires on each; declaring it again updates it; a schedule of an unknown task is refused', async () => {
    const file = scratchFile('pattern');
    const id = `pattern-${process.pid}-${Date.now()}`;
    const schedule = app().schedule('stamp', [file], { pattern: '*/1 * * * * *', id });
    await schedule.ready;
    await delay(2600);
    const fired = lines(file).length;
    assert.ok(fired >= 2 && fired <= 4, `fired ${fired} times in 2.6 s`);
    const stamps = lines(file).map(Number);
    assert.ok(stamps.every((at) => at % 1000 < 900), `a run started far from its second: ${stamps.join(', ')}`);
    const updated = app().schedule('stamp', [file], { every: 60_000, id });
    await updated.ready;
    const listed = (await app().schedules()).filter((found) => found.id === id);
    assert.deepEqual(listed.map(({ every, pattern }) => ({ every, pattern })), [{ every: 60_000, pattern: undefined }]);
    await updated.cancel();
    const unknown = app().schedule('nope' as 'now', [], { every: 1000, id: `nope-${process.pid}` });
    assert.equal((await rejection(unknown.ready)).code, 'ERR_UNKNOWN_TASK');
    assert.equal((await app().schedules()).filter((found) => found.id === `nope-${process.pid}`).length, 0);
  });

  await test('a schedule with a limit fires that many times, then ends', async () => {
    const file = scratchFile('limited');
    const id = `limited-${process.pid}-${Date.now()}`;
    await app().schedule('stamp', [file], { every: 250, id, limit: 2 }).ready;
    await delay(1500);
    assert.equal(lines(file).length, 2);
    await app().unschedule(id);
  });

  await test('a schedule pattern that does not parse, a bad time zone or no timing at all: ERR_INVALID_OPTION before anything is scheduled', async () => {
    assert.throws(() => app().schedule('now', [], { pattern: '61 * * * *' }), { code: 'ERR_INVALID_OPTION', message: /not a cron pattern/ });
    assert.throws(() => app().schedule('now', [], { pattern: '0 * * * *', tz: 'Mars/Olympus' }), { code: 'ERR_INVALID_OPTION', message: /time zone/ });
    assert.throws(() => app().schedule('now', [], {}), { code: 'ERR_INVALID_OPTION' });
    assert.throws(() => app().schedule('now', [], { every: 1000, pattern: '* * * * *' }), { code: 'ERR_INVALID_OPTION' });
    const hourly = app().schedule('now', [], { pattern: '0 * * * *', tz: 'Europe/Paris', id: `hourly-${process.pid}` });
    await hourly.ready;
    const listed = (await app().schedules()).find((schedule) => schedule.id === `hourly-${process.pid}`);
    assert.equal(listed?.pattern, '0 * * * *');
    assert.ok(listed.next instanceof Date && listed.next.getTime() > Date.now() && listed.next.getUTCMinutes() === 0, String(listed.next));
    await hourly.cancel();
  });
}
