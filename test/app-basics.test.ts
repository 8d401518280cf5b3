import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CelerityError, RemoteError, createApp, register } from 'celerity';
import { delay, makeApp, rejection, tasksUrl } from './app-helpers.js';
import { Point, RouteError } from './fixtures/shapes.js';

/** Registered on the main thread only, with no module: threads cannot import it. */
class MainOnly {
  static {
    register(this, { id: 'test.MainOnly' });
  }
  constructor(readonly value: number) {}
  toSerialisable(): number {
    return this.value;
  }
  static fromSerialisable(value: number): MainOnly {
    return new MainOnly(value);
  }
}

await describe('app basics', () => {
  const app = makeApp();
  after(() => app.close());

  void test('run resolves to the decoded result', async () => {
    assert.equal(await app.run('add', 2, 3), 5);
    const moved = await app.run('move', new Point(1, 2), 3);
    assert.ok(moved instanceof Point);
    assert.deepEqual([moved.x, moved.y], [4, 2]);
  });

  void test('values of every supported kind round-trip, classes at any depth', async () => {
    const value = { points: [new Point(1, 1)], at: new Date(5), tags: new Set(['a']), map: new Map([[1, new Point(2, 2)]]), big: 10n };
    const copy = (await app.run('echo', value)) as typeof value;
    assert.ok(copy.points[0] instanceof Point);
    assert.ok(copy.map.get(1) instanceof Point);
    assert.equal(copy.at.getTime(), 5);
    assert.equal(copy.big, 10n);
  });

  void test('submit returns a TaskRun with id, state and the same id inside the task', async () => {
    const run = app.submit('context', []);
    assert.equal(typeof run.id, 'string');
    assert.ok(['queued', 'running'].includes(run.state));
    const seen = await run;
    assert.equal(seen.id, run.id);
    assert.equal(seen.attempt, 1);
    assert.equal(seen.aborted, false);
    assert.equal(run.state, 'succeeded');
  });

  void test('state becomes running once the thread has started the task, not before', async () => {
    const run = app.submit('sleep', [300]);
    const deadline = Date.now() + 2000;
    while (run.state !== 'running' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(run.state, 'running');
    assert.equal(await run, 'slept');
    // On one thread, a run submitted behind a running one stays queued until its own task starts.
    const single = createApp({ tasks: tasksUrl, threads: 1 });
    try {
      const first = single.submit('sleep', [300]);
      while (first.state !== 'running' && Date.now() < deadline + 2000) await new Promise((resolve) => setTimeout(resolve, 5));
      const second = single.submit('sleep', [50]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(first.state, 'running');
      assert.equal(second.state, 'queued');
      assert.equal(await first, 'slept');
      await second;
      assert.equal(second.state, 'succeeded');
    } finally {
      await single.close();
    }
  });

  void test('an unknown task name fails with ERR_UNKNOWN_TASK', async () => {
    const loose = createApp({ tasks: tasksUrl, threads: 1 });
    try {
      const error = await rejection(loose.run('nope'));
      assert.ok(error instanceof CelerityError);
      assert.equal(error.code, 'ERR_UNKNOWN_TASK');
    } finally {
      await loose.close();
    }
  });

  void test('an unencodable argument rejects (never throws) with a path rooted at args[i]', async () => {
    let promise: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      promise = app.run('echo', { stops: [1, 2, 3, () => 0] });
    });
    const error = await rejection(promise as Promise<unknown>);
    assert.equal(error.code, 'ERR_UNCLONEABLE');
    assert.equal(error.path, 'args[0].stops[3]');
    const submitted = app.submit('echo', [{ f: Symbol('x') }]);
    assert.equal((await rejection(submitted)).path, 'args[0].f');
    assert.equal(submitted.state, 'failed');
  });

  void test('an unencodable result fails the run with a path rooted at result', async () => {
    const error = await rejection(app.run('returnUnencodable'));
    assert.ok(error instanceof CelerityError);
    assert.equal(error.code, 'ERR_UNCLONEABLE');
    assert.equal(error.path, 'result.best');
  });

  void test('a registered error comes back as its class with the worker stack', async () => {
    const error = await rejection(app.run('throwRegistered', 7));
    assert.ok(error instanceof RouteError);
    assert.equal(error.stop, 7);
    assert.equal(error.message, 'bad stop 7');
    assert.match(error.stack ?? '', /app-tasks/);
  });

  void test('a built-in error comes back as itself', async () => {
    const error = await rejection(app.run('throwBuiltin'));
    assert.ok(error instanceof TypeError);
    assert.equal(error.message, 'not a route');
    assert.match(error.stack ?? '', /app-tasks/);
  });

  void test('an unregistered error comes back as a RemoteError keeping name, message and properties', async () => {
    const error = await rejection(app.run('throwUnregistered'));
    assert.ok(error instanceof RemoteError);
    assert.equal(error.name, 'Unregistered');
    assert.equal(error.message, 'nobody knows me');
    assert.equal(error.code, 'E_UNREGISTERED');
    assert.match(error.stack ?? '', /app-tasks/);
  });

  void test('an error that cannot be encoded still arrives, as a RemoteError', async () => {
    const error = await rejection(app.run('throwUnencodable'));
    assert.ok(error instanceof RemoteError);
    assert.equal(error.message, 'carries a function');
  });

  void test('transfer moves buffers both ways', async () => {
    const buffer = new ArrayBuffer(1024);
    new Uint8Array(buffer).fill(1);
    assert.equal(await app.submit('byteSum', [buffer], { transfer: [buffer] }), 1024);
    assert.equal(buffer.byteLength, 0, 'the buffer was moved, not copied');
    const back = await app.run('buffer', 2048);
    assert.ok(back instanceof ArrayBuffer);
    assert.equal(back.byteLength, 2048);
    assert.equal(new Uint8Array(back)[5], 7);
  });

  void test('the allowlist is fixed at createApp: a class registered later reaches the threads only if its module is in `modules`', async () => {
    const { Late } = await import('./fixtures/late-class.js');
    const refused = await rejection(app.run('echo', new Late(42)));
    assert.equal(refused.code, 'ERR_MODULE_NOT_ALLOWED');
    assert.equal(refused.path, 'args[0]');
    const listing = makeApp({ threads: 1, modules: [new URL('./fixtures/late-class.js', import.meta.url)] });
    try {
      const copy = await listing.run('echo', new Late(42));
      assert.ok(copy instanceof Late);
      assert.equal(copy.value, 42);
      // Registered before this app was made: on its allowlist without being listed.
      const later = makeApp({ threads: 1 });
      try {
        assert.ok((await later.run('echo', new Late(7))) instanceof Late);
      } finally {
        await later.close();
      }
    } finally {
      await listing.close();
    }
  });

  void test('a class registered with a data: module is never imported unless that URL is in `modules`', async () => {
    // The URL claims to define the class; a thread that imported it would run its code.
    class FromData {
      static {
        register(this, { id: 'test.FromData', module: 'data:text/javascript,process.exit(9)' });
      }
      toSerialisable(): number {
        return 1;
      }
      static fromSerialisable(): FromData {
        return new FromData();
      }
    }
    const fresh = makeApp({ threads: 1 });
    try {
      const refused = await rejection(fresh.run('echo', new FromData()));
      assert.equal(refused.code, 'ERR_MODULE_NOT_ALLOWED');
    } finally {
      await fresh.close();
    }
  });

  void test('a class the threads cannot find (registered without a module) is ERR_UNKNOWN_CLASS at its path', async () => {
    const error = await rejection(app.run('echo', { stops: [new MainOnly(1)] }));
    assert.ok(error instanceof CelerityError);
    assert.equal(error.code, 'ERR_UNKNOWN_CLASS');
    assert.equal(error.classId, 'test.MainOnly');
    assert.equal(error.path, 'args[0].stops[0]');
  });

  void test('strict: false lets instances of unregistered classes through as plain objects', async () => {
    class Loose {
      constructor(readonly value: number) {}
    }
    assert.equal((await rejection(app.run('echo', new Loose(1)))).code, 'ERR_UNREGISTERED_CLASS');
    const lenient = makeApp({ threads: 1, strict: false });
    try {
      assert.deepEqual(await lenient.run('echo', new Loose(2)), { value: 2 });
    } finally {
      await lenient.close();
    }
  });

  void test('a result class from a module off the allowlist is ERR_MODULE_NOT_ALLOWED', async () => {
    const error = await rejection(app.run('secret'));
    assert.equal(error.code, 'ERR_MODULE_NOT_ALLOWED');
    assert.equal(error.classId, 'test.Secret');
    assert.equal(error.path, 'result');
  });

  void test('options.modules puts a module on the allowlist', async () => {
    const allowed = makeApp({ threads: 1, modules: [new URL('./fixtures/secret-class.js', import.meta.url)] });
    try {
      const secret = (await allowed.run('secret')) as { word: string; constructor: { name: string } };
      assert.equal(secret.constructor.name, 'Secret');
      assert.equal(secret.word, 'hidden');
    } finally {
      await allowed.close();
    }
  });

  void test('stats count runs and summarise times', async () => {
    await Promise.all([app.run('noop'), app.run('noop')]);
    const stats = app.stats();
    assert.ok(stats.submitted >= 2);
    assert.equal(stats.submitted, stats.completed + stats.failed + stats.cancelled + stats.queued + stats.running);
    assert.equal(stats.threads, 2);
    assert.ok(stats.utilization >= 0 && stats.utilization <= 1);
    for (const summary of [stats.runTime, stats.waitTime, stats.codecTime]) {
      assert.ok(summary.mean >= 0 && summary.p50 >= 0 && summary.p99 >= summary.p50);
    }
  });
});

await describe('app lifecycle', () => {
  void test('close finishes queued and running work, then refuses new work', async () => {
    const app = makeApp({ threads: 1 });
    const runs = [app.run('sleep', 50), app.run('add', 1, 1), app.run('add', 2, 2)];
    await app.close();
    assert.deepEqual(await Promise.all(runs), ['slept', 2, 4]);
    const error = await rejection(app.run('noop'));
    assert.equal(error.code, 'ERR_APP_CLOSED');
    assert.equal((await rejection(app.submit('noop', []))).code, 'ERR_APP_CLOSED');
    assert.equal((await rejection(app.map('double', [1]))).code, 'ERR_APP_CLOSED');
  });

  void test('close({ timeout }) rejects what did not finish in time', async () => {
    const app = makeApp({ threads: 1 });
    const slow = rejection(app.run('sleepIgnoringSignal', 5000));
    const started = Date.now();
    await app.close({ timeout: 100 });
    assert.ok(Date.now() - started < 2000);
    assert.equal((await slow).code, 'ERR_APP_CLOSED');
  });

  void test('close and destroy settle even when a thread is stopped while it is still starting', { timeout: 30_000 }, async () => {
    // Some Node versions lose the exit event of a thread terminated during its start-up; the
    // app must not wait for it forever.
    for (const ms of [40, 60, 70, 80, 90, 110]) {
      for (const how of ['close', 'destroy'] as const) {
        const app = makeApp({ threads: 1 });
        const slow = rejection(app.run('sleepIgnoringSignal', 5000));
        const started = Date.now();
        if (how === 'close') await app.close({ timeout: ms });
        else {
          await delay(ms);
          await app.destroy();
        }
        assert.ok(Date.now() - started < 4000, `${how} after ${ms} ms settled in time`);
        assert.match((await slow).code ?? '', how === 'close' ? /ERR_APP_CLOSED/ : /ERR_APP_DESTROYED/);
      }
    }
  });

  void test('close does not wait for threads that never got a task, nor for a replaced one', async () => {
    const app = makeApp({ threads: 2, cancelGrace: 20 });
    assert.equal(await app.run('add', 1, 1), 2);
    const spinning = app.submit('spin', []);
    await delay(50);
    spinning.cancel();
    await rejection(spinning);
    const started = Date.now();
    await app.close();
    // A thread is stopped only once its worker module has loaded; an idle thread still says so.
    assert.ok(Date.now() - started < 2000, `close took ${String(Date.now() - started)} ms`);
  });

  void test('a process whose apps are closed exits on its own', { timeout: 60_000 }, async () => {
    const script = fileURLToPath(new URL('./fixtures/close-exit-main.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 50_000 });
    assert.equal(stdout.trim(), 'closed');
  });

  void test('destroy rejects everything unsettled with ERR_APP_DESTROYED', async () => {
    const app = makeApp({ threads: 1 });
    const queued = app.submit('add', [1, 2]);
    const outcomes = [rejection(app.run('sleep', 5000)), rejection(queued), rejection(app.map('double', [1, 2, 3]))];
    await app.destroy();
    for (const outcome of outcomes) assert.equal((await outcome).code, 'ERR_APP_DESTROYED');
    assert.equal(queued.state, 'failed');
    assert.equal((await rejection(app.run('noop'))).code, 'ERR_APP_DESTROYED');
    const stats = app.stats();
    assert.equal(stats.queued + stats.running, 0);
  });

  void test('an app is AsyncDisposable', async () => {
    const app = makeApp({ threads: 1 });
    {
      await using scoped = app;
      assert.equal(await scoped.run('add', 1, 1), 2);
    }
    assert.equal((await rejection(app.run('noop'))).code, 'ERR_APP_CLOSED');
  });

  void test('the worker option names the worker entry', async () => {
    const app = makeApp({ threads: 1, worker: new URL(import.meta.resolve('celerity/worker')) });
    try {
      assert.equal(await app.run('add', 20, 22), 42);
    } finally {
      await app.close();
    }
  });

  void test('a tasks module that fails to load fails runs with ERR_WORKER_INIT', async () => {
    const app = createApp({ tasks: new URL('./fixtures/does-not-exist.js', import.meta.url), threads: 1 });
    try {
      const error = await rejection(app.run('noop'));
      assert.equal(error.code, 'ERR_WORKER_INIT');
    } finally {
      await app.close();
    }
  });
});
