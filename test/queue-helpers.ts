// Set-up of the queue tests: a private redis-server on a free loopback port (persistence off),
// worker processes started with the `celerity worker` command, and a typed queue app.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createQueueApp, type QueueApp, type QueueAppOptions } from 'celerity/bullmq';
import type tasks from './fixtures/queue-tasks.js';

/** The tasks module the queue tests' workers run. */
export const queueTasksPath = fileURLToPath(new URL('./fixtures/queue-tasks.js', import.meta.url));
const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** Why the queue tests cannot run here, or `undefined` when they can (never skipped under CI=true). */
export function redisMissing(): string | undefined {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.status === 0) return undefined;
  const why = 'redis-server is not installed: apt-get install -y redis-server (or brew install redis) to run the queue tests';
  if (process.env.CI === 'true') throw new Error(`${why}; under CI=true these tests must run`);
  return why;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  });
}

/** A running redis-server of the tests' own. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts redis-server on a free loopback port, without persistence; resolves once it answers. */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`redis-server did not start: ${output}`));
    }, 10_000);
    child.stdout.on('data', () => {
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${String(code)}: ${output}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => stopProcess(child),
  };
}

function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
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

/** Starts `celerity worker` on `queue`; resolves once it takes jobs. */
export async function startWorker(redis: TestRedis, queue: string, extra: readonly string[] = []): Promise<TestWorker> {
  const child = spawn(process.execPath, [cli, 'worker', '--tasks', queueTasksPath, '--queue', queue, '--redis', redis.url, '--threads', '1', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
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
