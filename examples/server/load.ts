/**
 * The load script: starts the solver server in a child process, fires a mix of requests at it
 * (valid problems, malformed JSON, invalid problems, oversized bodies, clients that hang up),
 * checks that every request was answered, and reads the event loop's delay from the server's own
 * `monitorEventLoopDelay`. It does this twice, solving on the pool and inline on the main thread,
 * and prints the two side by side.
 *
 *     node build/examples/server/load.js [--requests 1000] [--concurrency 32] [--mode both|pool|inline]
 *     node build/examples/server/load.js --url http://127.0.0.1:3000   # a server already running
 *
 * Exit code 0 when every request was answered as expected, 1 otherwise.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ProgressBar } from '../shared/progress-bar.js';
import { runLoad, type LoadReport } from './load-client.js';
import type { MetricsSnapshot } from './metrics.js';

type Mode = 'pool' | 'inline';

interface Result {
  readonly mode: Mode | 'external';
  readonly report: LoadReport;
  readonly server: MetricsSnapshot & { pool?: { cancelled: number } };
}

const serverMain = fileURLToPath(new URL('./main.js', import.meta.url));

/** Starts `main.js` on a free port and resolves with the child and its URL. */
async function startServer(mode: Mode, threads: string | undefined): Promise<{ child: ChildProcess; url: string }> {
  const args = [serverMain, '--port', '0'];
  if (mode === 'inline') args.push('--inline');
  if (threads !== undefined) args.push('--threads', threads);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the server exited before listening (code ${String(code)})`);
  });
  const listening = (async () => {
    for await (const line of lines) {
      const found = /listening on (http:\/\/\S+)/.exec(line);
      if (found?.[1] !== undefined) return found[1];
    }
    throw new Error('the server closed its output before listening');
  })();
  const url = await Promise.race([listening, exited]);
  return { child, url };
}

async function getJson(url: string, method = 'GET'): Promise<unknown> {
  const response = await fetch(url, { method });
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}`);
  return response.json();
}

/** A few requests first, so both modes are measured warm (threads up, code compiled). */
async function warmUp(url: string): Promise<void> {
  await runLoad({ url, requests: 16, concurrency: 4, seed: 999 });
}

async function measure(mode: Mode | 'external', url: string, requests: number, concurrency: number, seed: number): Promise<Result> {
  await warmUp(url);
  await getJson(new URL('/metrics/reset', url).href, 'POST');
  const bar = new ProgressBar(process.stdout, mode.padEnd(8), requests);
  const report = await runLoad({
    url,
    requests,
    concurrency,
    seed,
    onProgress: (done) => {
      bar.update(done);
    },
  });
  bar.finish(requests);
  const server = (await getJson(new URL('/metrics', url).href)) as Result['server'];
  return { mode, report, server };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

function table(results: readonly Result[]): string {
  const rows: [string, (r: Result) => string][] = [
    ['requests sent', (r) => String(r.report.requests)],
    ['answered', (r) => String(r.report.answered)],
    ['  by status', (r) => Object.entries(r.report.statuses).map(([status, count]) => `${status}×${count}`).join(' ')],
    ['hung up by their client', (r) => String(r.report.abortedByClient)],
    ['  runs cancelled by it', (r) => (r.mode === 'inline' ? 'n/a' : String(r.server.cancelledOnDisconnect))],
    ['unexpected outcomes', (r) => String(r.report.problems.length)],
    ['event-loop delay p50', (r) => ms(r.server.eventLoopDelay.p50)],
    ['event-loop delay p99', (r) => ms(r.server.eventLoopDelay.p99)],
    ['event-loop delay max', (r) => ms(r.server.eventLoopDelay.max)],
    ['time to a 200, p50', (r) => ms(r.report.latency.p50)],
    ['time to a 200, p99', (r) => ms(r.report.latency.p99)],
    ['wall time', (r) => `${(r.report.wallMs / 1000).toFixed(2)} s`],
  ];
  const header = ['', ...results.map((r) => (r.mode === 'pool' ? 'pool (worker threads)' : r.mode === 'inline' ? 'inline (main thread)' : 'server'))];
  const body = rows.map(([label, cell]) => [label, ...results.map(cell)]);
  const widths = header.map((_, column) => Math.max(...[header, ...body].map((row) => (row[column] ?? '').length)));
  const format = (row: readonly string[]): string => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0))).join('   ');
  return [format(header), ...body.map(format)].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      requests: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '32' },
      seed: { type: 'string', default: '1' },
      mode: { type: 'string', default: 'both' },
      threads: { type: 'string' },
      url: { type: 'string' },
    },
    strict: true,
  });
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  const seed = Number(values.seed);
  if (![requests, concurrency, seed].every((n) => Number.isInteger(n) && n >= 0) || requests < 1 || concurrency < 1) {
    process.stderr.write('load: --requests and --concurrency must be positive integers, --seed a non-negative one\n');
    return 2;
  }
  if (!['both', 'pool', 'inline'].includes(values.mode)) {
    process.stderr.write('load: --mode must be both, pool or inline\n');
    return 2;
  }
  process.stdout.write(`load: ${requests} requests, ${concurrency} in flight (valid problems, malformed JSON, invalid problems, oversized bodies, clients hanging up)\n`);
  const results: Result[] = [];
  if (values.url !== undefined) {
    results.push(await measure('external', values.url, requests, concurrency, seed));
  } else {
    const modes: Mode[] = values.mode === 'both' ? ['pool', 'inline'] : [values.mode as Mode];
    for (const mode of modes) {
      const { child, url } = await startServer(mode, values.threads);
      try {
        results.push(await measure(mode, url, requests, concurrency, seed));
      } finally {
        await stopServer(child);
      }
    }
  }
  process.stdout.write(`\n${table(results)}\n`);
  process.stdout.write('\nevent-loop delay: how late the server\'s main thread ran a 10 ms timer (monitorEventLoopDelay), measured inside the server.\n');
  const problems = results.flatMap((result) => result.report.problems.map((problem) => `${result.mode}: ${problem}`));
  const unanswered = results.filter((result) => result.report.answered + result.report.abortedByClient !== result.report.requests);
  if (problems.length > 0 || unanswered.length > 0) {
    for (const problem of problems.slice(0, 20)) process.stdout.write(`  ! ${problem}\n`);
    process.stdout.write('not every request was answered as expected\n');
    return 1;
  }
  process.stdout.write('every request was answered (or hung up by its own client) as expected\n');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`load: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
