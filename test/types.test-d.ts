// Type-level tests: compiled by `npm run build:dev`, never run. Each `@ts-expect-error` line must
// fail to type-check, so the build breaks if a wrong name, argument or result type ever compiles.
// Values here exist only for their types, which is what these two rules object to.
/* eslint-disable @typescript-eslint/no-unused-vars, @typescript-eslint/no-unnecessary-type-parameters */
import { chain, chord, createApp, defineTasks, group, task, type App, type TaskApp, type TaskContext, type TaskRun, type WorkflowProgress } from 'celerity';
import type workflowTasks from './fixtures/workflow-tasks.js';
import { createQueueApp, type QueueApp } from 'celerity/bullmq';
import type tasks from './fixtures/app-tasks.js';
import { Point } from './fixtures/shapes.js';

/** `true` only when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when `value` is assignable to T. */
function expectType<T>(value: T): T {
  return value;
}
/** Compiles only when A and B are the same type. */
function assertEqual<A, B>(proof: Equal<A, B>): Equal<A, B> {
  return proof;
}

export async function typeChecks(): Promise<void> {
  const app = createApp<typeof tasks>({ tasks: new URL('./fixtures/app-tasks.js', import.meta.url) });

  // Names, arguments and results are inferred from the tasks module.
  const sum = await app.run('add', 1, 2);
  assertEqual<typeof sum, number>(true);
  const moved = await app.run('move', new Point(1, 2), 3);
  assertEqual<typeof moved, Point>(true);
  const later = await app.run('doubleLater', 2);
  assertEqual<typeof later, number>(true); // Promise results are awaited
  const noop = app.run('noop');
  assertEqual<typeof noop, Promise<void>>(true); // a task returning nothing

  // @ts-expect-error an unknown task name
  await app.run('nope');
  // @ts-expect-error a wrong argument type
  await app.run('add', 1, '2');
  // @ts-expect-error a missing argument
  await app.run('add', 1);
  // @ts-expect-error one argument too many
  await app.run('add', 1, 2, 3);
  // @ts-expect-error a wrong result type
  const wrong: string = await app.run('add', 1, 2);
  expectType(wrong);

  const run = app.submit('move', [new Point(0, 0), 1], {
    timeout: 10,
    onProgress: (value) => {
      expectType<unknown>(value);
    },
  });
  expectType<TaskRun<Point>>(run);
  assertEqual<typeof run.state, 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'cancelled'>(true);
  // A task that declares this: TaskContext<P> gives onProgress values of type P; others unknown.
  app.submit('countdown', [3], {
    onProgress: (value) => {
      assertEqual<typeof value, { left: number }>(true);
    },
  });
  // @ts-expect-error onProgress of countdown takes { left: number }, not a string
  app.submit('countdown', [3], { onProgress: (value: string) => value });
  const countdownTask = defineTasks({
    count(this: TaskContext<number>, n: number): number {
      this.progress(n);
      // @ts-expect-error a task sends only the progress type it declares
      this.progress('half');
      return n;
    },
  });
  expectType<typeof countdownTask>(countdownTask);
  // Options given once through with(): the same names, arguments and results.
  const viaWith = await app.with({ timeout: 5_000, priority: 2 }).run('add', 1, 2);
  assertEqual<typeof viaWith, number>(true);
  // @ts-expect-error a wrong argument through with()
  await app.with({ timeout: 5 }).run('add', 1, '2');
  // @ts-expect-error a wrong option of with()
  app.with({ timeout: '5s' });
  // @ts-expect-error arguments of submit are a tuple of the task's parameters
  app.submit('move', [1, 1]);
  // @ts-expect-error a wrong submit option
  app.submit('noop', [], { timeout: '1s' });

  const doubled = await app.map('double', [1, 2, 3]);
  assertEqual<typeof doubled, number[]>(true);
  // @ts-expect-error map inputs are the task's one argument
  await app.map('double', ['a']);
  async function* inputs(): AsyncGenerator<number> {
    yield await Promise.resolve(1);
  }
  const fromAsync = await app.map('double', inputs(), {
    chunkSize: 'auto',
    concurrency: 2,
    onProgress: (done: number, total: number | undefined) => {
      expectType<[number, number | undefined]>([done, total]);
    },
  });
  assertEqual<typeof fromAsync, number[]>(true);

  // Without a type argument, any name and arguments are accepted and results are unknown.
  const loose = createApp({ tasks: 'tasks.js' });
  const anything = await loose.run('whatever', 1, 'two');
  assertEqual<typeof anything, unknown>(true);

  // `this` inside a task is the TaskContext.
  const defined = defineTasks({
    context(): string {
      assertEqual<typeof this, TaskContext>(true);
      this.progress(1);
      this.transfer(new ArrayBuffer(1));
      return `${this.id}:${this.attempt}:${this.signal.aborted}`;
    },
    generic<T>(value: T): T {
      return value;
    },
  });
  const typed = createApp<typeof defined>({ tasks: 'tasks.js' });
  const text = await typed.run('context');
  assertEqual<typeof text, string>(true);
  defineTasks({
    bad(): unknown {
      // @ts-expect-error TaskContext has no such member
      return this.nothing;
    },
  });
  await typed.close();
  await app.close();
  await loose.close();

  // Both backends are a TaskApp: code written against it takes either.
  const onQueue = createQueueApp<typeof tasks>({ queue: 'q', connection: 'redis://127.0.0.1:6379' });
  const either = (target: TaskApp<typeof tasks>): Promise<number> => target.run('add', 1, 2);
  await either(app);
  await either(onQueue);
  expectType<App<typeof tasks>>(app);
  expectType<QueueApp<typeof tasks>>(onQueue);
  const queued = await onQueue.run('move', new Point(1, 2), 3);
  assertEqual<typeof queued, Point>(true);
  onQueue.submit('add', [1, 2], { delay: 10, priority: 1, jobId: 'x', retry: { attempts: 3, backoff: 'exponential' } });
  onQueue.submit('countdown', [3], {
    delay: 10,
    onProgress: (value) => {
      assertEqual<typeof value, { left: number }>(true);
    },
  });
  // Back-pressure on both backends.
  expectType<boolean>(onQueue.needsDrain && app.needsDrain);
  await onQueue.drained();
  await app.drained();
  // @ts-expect-error retry.when cannot cross processes
  onQueue.submit('add', [1, 2], { retry: { attempts: 2, when: () => true } });
  // @ts-expect-error no such task
  await onQueue.run('nope');
  await onQueue.destroy();

  await workflowTypeChecks();
}

/** Workflows are checked against the tasks module where they run, and their results typed. */
async function workflowTypeChecks(): Promise<void> {
  const app = createApp<typeof workflowTasks>({ tasks: new URL('./fixtures/workflow-tasks.js', import.meta.url) });
  const queue = createQueueApp<typeof workflowTasks>({ queue: 'types', connection: 'redis://127.0.0.1:1' });

  // A chain's result is its last step's; each step takes the previous result first.
  const length = await app.run(chain(task('load', 1), task('shift', 2), task('measure')));
  assertEqual<typeof length, number>(true);
  const moved = await queue.run(chain(task('load', 1), task('shift', 2)));
  assertEqual<typeof moved, Point>(true);
  // A group's result is the tuple (or list) of its members' results.
  const pair = await app.run(group([task('load', 1), task('add', 1, 2)]));
  assertEqual<typeof pair, [Point, number]>(true);
  const points = await app.run(group([1, 2].map((id) => task('load', id))));
  assertEqual<typeof points, Point[]>(true);
  // A chord's body gets the header's results first.
  const least = await app.run(chord([1, 2].map((n) => task('add', n, n)), task('smallest')));
  assertEqual<typeof least, number>(true);
  const total = await app.run(chain(group([task('load', 1), task('load', 2)]), task('sumPlus', 10)));
  assertEqual<typeof total, number>(true);
  // submit gives a TaskRun of the result, with the progress of the whole.
  const run = app.submit(chain(task('load', 1), task('measure')), { onProgress: (progress) => expectType<WorkflowProgress>(progress), timeout: 1000 });
  expectType<TaskRun<number>>(run);
  const later = queue.submit(group([task('now')]), { delay: 100, jobId: 'types-group' });
  expectType<TaskRun<[number]>>(later);

  // @ts-expect-error a step that does not take the previous step's result as its first argument
  await app.run(chain(task('load', 1), task('add', 2)));
  // @ts-expect-error a step whose own arguments do not fit
  await app.run(chain(task('load', 1), task('shift', 'far')));
  // @ts-expect-error a first step with wrong arguments
  await app.run(chain(task('load', 'one'), task('measure')));
  // @ts-expect-error an unknown task in a step
  await queue.run(chain(task('load', 1), task('nope')));
  // @ts-expect-error a chord body that does not take the list of the header's results
  await app.run(chord([task('load', 1)], task('smallest')));
  // @ts-expect-error a group after the first step of a chain
  await app.run(chain(task('load', 1), group([task('measure')])));
  // @ts-expect-error a group member with wrong arguments
  await app.run(group([task('add', 1, 2), task('add', 1)]));
  // @ts-expect-error a schedule's arguments are checked too
  app.schedule('add', [1], { every: 1000 });
  app.schedule('add', [1, 2], { pattern: '0 * * * *', tz: 'Europe/Paris', id: 'hourly-add' });
}
