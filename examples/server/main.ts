/**
 * Starts the solver server from the command line.
 *
 *     node build/examples/server/main.js [--port 3000] [--inline] [--threads N] [--max-queue N]
 *     curl -s localhost:3000/solve -d '{"cities":[{"x":0,"y":0},{"x":3,"y":4},{"x":6,"y":0}]}'
 *
 * It prints `listening on <url>` once ready (the load script waits for that line), and closes
 * cleanly on Ctrl-C or SIGTERM.
 * @module
 */
import { parseArgs } from 'node:util';
import { startSolverServer, type SolverServerOptions } from './server.js';

const USAGE = `usage: server [--port N] [--host H] [--inline] [--threads N] [--max-queue N] [--max-body BYTES] [--timeout MS]

  --port N          port to listen on (default 3000; 0 picks a free one)
  --host H          address to listen on (default 127.0.0.1)
  --inline          solve on the main thread instead of worker threads (for comparison)
  --threads N       worker threads (default: every core)
  --max-queue N     solves that may wait for a thread before new ones get 503 (default 64)
  --max-body BYTES  largest request body (default 131072)
  --timeout MS      run-time limit of one solve (default 10000)`;

function integer(text: string | undefined, flag: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${flag} must be an integer of at least ${min}, got "${text}"`);
  return value;
}

function parse(argv: string[]): SolverServerOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      inline: { type: 'boolean' },
      threads: { type: 'string' },
      'max-queue': { type: 'string' },
      'max-body': { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help === true) return undefined;
  const options: SolverServerOptions = { port: integer(values.port, 'port', 0) ?? 3000, inline: values.inline === true };
  if (values.host !== undefined) options.host = values.host;
  const threads = integer(values.threads, 'threads', 1);
  if (threads !== undefined) options.threads = threads;
  const maxQueue = integer(values['max-queue'], 'max-queue', 0);
  if (maxQueue !== undefined) options.maxQueue = maxQueue;
  const maxBody = integer(values['max-body'], 'max-body', 1);
  if (maxBody !== undefined) options.maxBodyBytes = maxBody;
  const timeout = integer(values.timeout, 'timeout', 1);
  if (timeout !== undefined) options.timeoutMs = timeout;
  return options;
}

async function main(): Promise<void> {
  let options: SolverServerOptions | undefined;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`server: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (options === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const running = await startSolverServer(options);
  const mode = options.inline === true ? 'inline, on the main thread' : `pool, ${running.app?.stats().threads ?? 0} threads`;
  process.stdout.write(`solver server (${mode}) listening on ${running.url}\n`);
  const stop = (): void => {
    process.stdout.write('closing: finishing the requests in flight\n');
    running.close().then(
      () => {
        process.exitCode = 0;
      },
      (error: unknown) => {
        process.stderr.write(`server: ${String(error)}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
