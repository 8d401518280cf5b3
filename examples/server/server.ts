/**
 * The solver server: `POST /solve` takes a travelling-salesman problem as JSON, builds the
 * registered classes, solves it on the app's worker threads (or, with `inline`, on the main
 * thread, for comparison) and answers JSON.
 *
 * | answer | when |
 * |---|---|
 * | 200 | `{ length, order, tour, starts, solveMs }` |
 * | 400 | the body is not JSON (`bad_json`) or not a problem (`bad_problem`); the message says what and where |
 * | 413 | the body is larger than `maxBodyBytes` |
 * | 503 + `Retry-After` | the solves ahead would not leave this one time to finish within `timeoutMs`, the app's queue is full (`maxQueue`), or the server is shutting down |
 * | 504 | the solve ran past `timeoutMs` of run time |
 *
 * A client that disconnects before its answer cancels its run. `GET /metrics` reports the
 * event loop's delay and the answers sent; `POST /metrics/reset` starts those figures afresh.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createApp, type App, type AppStats } from 'celerity';
import { Route } from '../tsp/route.js';
import { solveMultiStart } from '../tsp/solve.js';
import { readBody } from './body.js';
import { ClientGone, HttpError } from './http-error.js';
import { ServerMetrics } from './metrics.js';
import { parseSolveRequest, type SolveRequest } from './problem-json.js';
import type tasks from './tasks.js';

/** Options of {@link startSolverServer}. */
export interface SolverServerOptions {
  /** Port to listen on; 0 picks a free one. Default 0. */
  port?: number;
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Solve on the main thread instead of the pool (to compare event-loop delay). Default `false`. */
  inline?: boolean;
  /** Worker threads. Default: every core. */
  threads?: number;
  /**
   * Solves that may wait for a thread before new ones get a 503. Default 64. Whatever this says,
   * a solve is refused with 503 at once when those ahead of it would not leave it time to finish
   * within `timeoutMs` (judged from the median solve time so far).
   */
  maxQueue?: number;
  /** The largest request body accepted, bytes. Default 128 KiB (a 1000-city problem is ~40 KiB). */
  maxBodyBytes?: number;
  /** Run-time limit of one solve, ms (time waiting for a thread does not count). Default 10 000. */
  timeoutMs?: number;
  /** What `Retry-After` says on a 503, seconds. Default 1. */
  retryAfterSeconds?: number;
}

/** A running solver server. */
export interface SolverServer {
  /** The base URL, e.g. `http://127.0.0.1:39123`. */
  readonly url: string;
  /** The underlying `node:http` server. */
  readonly server: Server;
  /** The server's own figures (also served at `GET /metrics`). */
  readonly metrics: ServerMetrics;
  /** The app solving the problems (`undefined` in inline mode). */
  readonly app: App<typeof tasks> | undefined;
  /** Stops taking requests, finishes those in flight, stops the threads. */
  close(): Promise<void>;
}

const DEFAULTS = { host: '127.0.0.1', maxQueue: 64, maxBodyBytes: 128 * 1024, timeoutMs: 10_000, retryAfterSeconds: 1 } as const;

/** Writes a JSON answer and counts it. */
function send(res: ServerResponse, metrics: ServerMetrics, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
  metrics.answered(status);
}

function sendError(res: ServerResponse, metrics: ServerMetrics, error: HttpError): void {
  send(res, metrics, error.status, { error: { code: error.code, message: error.message } }, error.headers);
}

/** The JSON answer for a solved request. */
function solution(route: Route, request: SolveRequest, solveMs: number): unknown {
  return {
    length: Math.round(route.length * 1000) / 1000,
    order: Array.from(route.order),
    tour: route.stops.map((city) => city.name),
    starts: request.starts,
    solveMs: Math.round(solveMs * 10) / 10,
  };
}

function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * When a new solve would finish if it were admitted now, ms from now, judged from the pool's own
 * figures: the solves ahead of it (waiting and running) share the threads, each taking about the
 * median solve time. `undefined` before any solve has finished: nothing to judge by yet.
 */
function predictedFinishMs(stats: AppStats): number | undefined {
  const typical = stats.runTime.p50;
  if (stats.completed + stats.failed === 0 || typical <= 0) return undefined;
  const threads = Math.max(1, stats.threads);
  return Math.ceil((stats.queued + stats.running + 1) / threads) * typical;
}

/** Translates what a run rejected with into an HTTP answer. */
function runFailure(error: unknown, retryAfter: number): HttpError {
  switch (codeOf(error)) {
    case 'ERR_QUEUE_FULL':
      return new HttpError(503, 'busy', 'every solver is busy and the queue is full; try again shortly', { 'retry-after': String(retryAfter) });
    case 'ERR_APP_CLOSED':
    case 'ERR_APP_DESTROYED':
      return new HttpError(503, 'shutting_down', 'the server is shutting down', { 'retry-after': String(retryAfter) });
    case 'ERR_TASK_TIMEOUT':
      return new HttpError(504, 'timeout', error instanceof Error ? error.message : 'the solve took too long');
    default:
      return new HttpError(500, 'internal', 'the solve failed unexpectedly');
  }
}

/** Starts a solver server and resolves once it listens. */
export async function startSolverServer(options: SolverServerOptions = {}): Promise<SolverServer> {
  const inline = options.inline ?? false;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const timeout = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const retryAfter = options.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds;
  const metrics = new ServerMetrics(inline ? 'inline' : 'pool');
  const app: App<typeof tasks> | undefined = inline
    ? undefined
    : createApp<typeof tasks>({
        tasks: new URL('./tasks.js', import.meta.url),
        maxQueue: options.maxQueue ?? DEFAULTS.maxQueue,
        timeout,
        ...(options.threads === undefined ? {} : { threads: options.threads }),
      });

  async function solve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = parseSolveRequest(await readBody(req, maxBodyBytes));
    const started = performance.now();
    if (app === undefined) {
      // The comparison case: the same work, blocking this thread's event loop while it runs.
      const route = solveMultiStart(request.problem, request.starts, request.seed);
      send(res, metrics, 200, solution(route, request, performance.now() - started));
      return;
    }
    // Refused at once, rather than answered 504 after the wait, when the solves ahead would not
    // leave this one time to finish within the limit; Retry-After says when they will have.
    const finish = predictedFinishMs(app.stats());
    if (finish !== undefined && finish > timeout) {
      const seconds = Math.max(retryAfter, Math.ceil((finish - timeout) / 1000));
      metrics.refusedEarly++;
      throw new HttpError(503, 'busy', `the solves ahead would not leave this one time to finish within ${timeout} ms; try again in ${seconds} s`, { 'retry-after': String(seconds) });
    }
    const run = app.submit('solve', [request.problem, request.starts, request.seed]);
    // 'close' on the response fires when the answer is done or the connection is gone; only the
    // second case (nothing sent yet) means the client hung up.
    const hungUp = (): void => {
      if (res.writableFinished) return;
      metrics.cancelledOnDisconnect++;
      run.cancel(new Error('the client disconnected'));
    };
    res.once('close', hungUp);
    try {
      const route = await run;
      send(res, metrics, 200, solution(route, request, performance.now() - started));
    } catch (error) {
      if (run.state === 'cancelled' && res.destroyed) return;
      throw runFailure(error, retryAfter);
    } finally {
      res.off('close', hungUp);
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/solve') {
      if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'use POST /solve with a JSON problem', { allow: 'POST' });
      await solve(req, res);
      return;
    }
    if (path === '/metrics' && req.method === 'GET') {
      send(res, metrics, 200, { ...metrics.snapshot(), pool: app?.stats() });
      return;
    }
    if (path === '/metrics/reset' && req.method === 'POST') {
      metrics.reset();
      send(res, metrics, 200, { reset: true });
      return;
    }
    throw new HttpError(404, 'not_found', `no route ${req.method ?? 'GET'} ${path}; try POST /solve`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof ClientGone) {
        metrics.goneWhileSending++;
        return;
      }
      if (error instanceof HttpError) {
        sendError(res, metrics, error);
        return;
      }
      process.emitWarning(`solver server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      sendError(res, metrics, new HttpError(500, 'internal', 'unexpected server error'));
    });
  });
  // A slow client may not hold a connection open for ever while sending its body.
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? DEFAULTS.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    server,
    metrics,
    app,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => { resolve(); }));
        server.closeIdleConnections();
        await app?.close({ timeout: 5_000 });
        server.closeAllConnections();
        await stopped;
        metrics.stop();
      })();
      return closing;
    },
  };
}
