// Set-up of the queue tests: a private redis-server on a free loopback port (persistence off),
// worker processes started with the `celerity worker` command, and a typed queue app.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createQueueApp, type QueueApp, type QueueAppOptions } from 'celerity/bullmq';
import type tasks from './fixtures/queue-tasks.js';
import { hasRedisServer, stopProcess, type RedisServer } from '../tools/redis-server.js';

export { startRedis } from '../tools/redis-server.js';
/** The redis-server of a test file. */
export type TestRedis = RedisServer;

/** The tasks module the queue tests' workers run. */
export const queueTasksPath = fileURLToPath(new URL('./fixtures/queue-tasks.js', import.meta.url));
const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** Why the queue tests cannot run here, or `undefined` when they can (never skipped under CI=true). */
export function redisMissing(): string | undefined {
  if (hasRedisServer()) return undefined;
  const why = 'redis-server is not installed: apt-get install -y redis-server (or brew install redis) to run the queue tests';
  if (process.env.CI === 'true') throw new Error(`${why}; under CI=true these tests must run`);
  return why;
}

/** A `celerity worker` process. */
export interface TestWorker {
  readonly child: ChildProcess;
  /** Its stdout lines so far (one per job). */
  readonly lines: string[];
  /** Its stderr so far. */
  stderr(): string;
  /** Resolves with the exit code once it has exited. */
  readonly exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `celerity worker` on `queue` (running the tasks module at `tasks`); resolves once it takes jobs. */
export async function startWorker(redis: TestRedis, queue: string, extra: readonly string[] = [], tasks = queueTasksPath): Promise<TestWorker> {
  const child = spawn(process.execPath, [cli, 'worker', '--tasks', tasks, '--queue', queue, '--redis', redis.url, '--threads', '1', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let err = '';
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code); }));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`the worker did not start: ${err}`));
    }, 20_000);
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (err.includes('taking jobs')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited with ${String(code)}: ${err}`));
    });
  });
  return { child, lines, stderr: () => err, exited, stop: (signal) => stopProcess(child, signal) };
}

/** The typed queue app of the fixture tasks. */
export type TestQueueApp = QueueApp<typeof tasks>;

/** A queue app of the fixture tasks on `queue`. */
export function makeQueueApp(redis: TestRedis, queue: string, options: Partial<QueueAppOptions> = {}): TestQueueApp {
  return createQueueApp<typeof tasks>({ queue, connection: redis.url, ...options });
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Awaits a promise expected to reject and returns what it rejected with. */
export async function rejection(promise: PromiseLike<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}
