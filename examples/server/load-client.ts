/**
 * The client side of a load run: sends planned requests with a fixed number in flight, hangs up
 * on the ones meant to be abandoned, and tallies how each request ended.
 * @module
 */
import { Agent, request, type OutgoingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { planRequests, type PlannedRequest, type RequestKind } from './load-plan.js';

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** The server's base URL. */
  url: string;
  /** How many requests in all. Default 1000. */
  requests?: number;
  /** How many in flight at once. Default 32. */
  concurrency?: number;
  /** Seed of the request mix. Default 1. */
  seed?: number;
  /** The server's body limit, which oversized requests exceed. Default 128 KiB. */
  maxBodyBytes?: number;
  /** Called after each request with how many are done. */
  onProgress?(done: number, total: number): void;
}

/** How a load run went. */
export interface LoadReport {
  /** Requests sent. */
  readonly requests: number;
  /** Requests the server answered, whatever the status. */
  readonly answered: number;
  /** Answers by status. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Requests whose client hung up on purpose before any answer. */
  readonly abortedByClient: number;
  /** Everything that should not have happened: network errors, unexpected statuses, a 503 without `Retry-After`. */
  readonly problems: readonly string[];
  /** Wall time of the run, ms. */
  readonly wallMs: number;
  /** Time to a 200 answer, ms. */
  readonly latency: { readonly p50: number; readonly p99: number };
}

/** The statuses each kind of request may get. */
const EXPECTED: Readonly<Record<RequestKind, readonly number[]>> = {
  valid: [200, 503],
  malformed: [400],
  invalid: [400],
  oversized: [413],
  abort: [200, 503],
};

interface Outcome {
  readonly status?: number;
  readonly retryAfter?: string;
  readonly aborted?: boolean;
  readonly error?: string;
  readonly ms: number;
}

function sendOne(target: URL, agent: Agent, planned: PlannedRequest): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const body = Buffer.from(planned.body);
    const headers: OutgoingHttpHeaders = { 'content-type': 'application/json' };
    if (!planned.chunked) headers['content-length'] = body.length;
    const req = request(target, { method: 'POST', agent, headers });
    let settled = false;
    let responded = false;
    let timer: NodeJS.Timeout | undefined;
    const done = (outcome: Omit<Outcome, 'ms'>): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve({ ...outcome, ms: performance.now() - started });
    };
    req.on('response', (res) => {
      responded = true;
      const status = res.statusCode ?? 0;
      const retryAfter = res.headers['retry-after'];
      const answer = retryAfter === undefined ? { status } : { status, retryAfter };
      res.resume();
      res.on('end', () => {
        done(answer);
      });
      // An answer whose body is cut short is still an answer: its status was sent.
      res.on('error', () => {
        done(answer);
      });
      res.on('close', () => {
        done(answer);
      });
    });
    req.on('error', (error) => {
      if (responded) return;
      done({ error: `${planned.kind} request: ${error.message}` });
    });
    if (planned.abortAfterMs !== undefined) {
      timer = setTimeout(() => {
        if (responded) return;
        done({ aborted: true });
        req.destroy();
      }, planned.abortAfterMs);
    }
    if (planned.chunked) {
      // Two writes with no length announced: the server has to count the bytes as they come.
      const half = Math.floor(body.length / 2);
      req.write(body.subarray(0, half));
      req.end(body.subarray(half));
    } else {
      req.end(body);
    }
  });
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** Sends the planned mix of requests to `options.url` and reports how every one ended. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const total = options.requests ?? 1000;
  const concurrency = options.concurrency ?? 32;
  const plan = planRequests(total, options.seed ?? 1, options.maxBodyBytes ?? 128 * 1024);
  const target = new URL('/solve', options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses: Record<string, number> = {};
  const problems: string[] = [];
  const latencies: number[] = [];
  let answered = 0;
  let abortedByClient = 0;
  let next = 0;
  let done = 0;
  const began = performance.now();

  async function worker(): Promise<void> {
    while (next < plan.length) {
      const planned = plan[next++] as PlannedRequest;
      const outcome = await sendOne(target, agent, planned);
      done++;
      options.onProgress?.(done, total);
      if (outcome.aborted === true) {
        abortedByClient++;
        continue;
      }
      if (outcome.status === undefined) {
        problems.push(outcome.error ?? `${planned.kind} request: no answer`);
        continue;
      }
      answered++;
      statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
      if (outcome.status === 200) latencies.push(outcome.ms);
      if (!EXPECTED[planned.kind].includes(outcome.status)) problems.push(`${planned.kind} request answered ${outcome.status}`);
      if (outcome.status === 503 && outcome.retryAfter === undefined) problems.push('a 503 answer without Retry-After');
    }
  }

  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  } finally {
    agent.destroy();
  }
  latencies.sort((a, b) => a - b);
  return {
    requests: total,
    answered,
    statuses,
    abortedByClient,
    problems,
    wallMs: performance.now() - began,
    latency: { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) },
  };
}
