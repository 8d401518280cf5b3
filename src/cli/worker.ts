/**
 * `celerity worker`: a worker process of a queue. It runs the jobs of `--queue` on its own thread
 * pool, logs one line per job (id, task, outcome, ms), and on SIGINT or SIGTERM stops taking
 * jobs, lets the running ones finish within `--grace`, sends the rest back to the queue, and
 * exits 0.
 * @module
 */
import { createQueueWorker, type JobReport, type QueueWorkerOptions } from '../queue/index.js';
import { parseFlags, UsageError, type FlagSpec } from './args.js';
import { WORKER_HELP } from './help.js';
import { firstLine } from './load.js';

const FLAGS: readonly FlagSpec[] = [
  { name: 'tasks', value: 'FILE' },
  { name: 'queue', value: 'NAME' },
  { name: 'redis', value: 'URL' },
  { name: 'threads', value: 'N' },
  { name: 'concurrency', value: 'N' },
  { name: 'timeout', value: 'MS' },
  { name: 'cancel-grace', value: 'MS' },
  { name: 'lock-duration', value: 'MS' },
  { name: 'stalled-interval', value: 'MS' },
  { name: 'grace', value: 'MS' },
  { name: 'prefix', value: 'PREFIX' },
  { name: 'quiet', value: undefined, short: 'q' },
  { name: 'help', value: undefined, short: 'h' },
];

/** The flags that set a numeric worker option, and that option. */
const NUMBER_FLAGS: readonly (readonly [flag: string, option: 'threads' | 'concurrency' | 'timeout' | 'cancelGrace' | 'lockDuration' | 'stalledInterval'])[] = [
  ['threads', 'threads'],
  ['concurrency', 'concurrency'],
  ['timeout', 'timeout'],
  ['cancel-grace', 'cancelGrace'],
  ['lock-duration', 'lockDuration'],
  ['stalled-interval', 'stalledInterval'],
];

/** Where the command writes. */
export interface WorkerIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

function count(flags: Map<string, string | true>, name: string): number | undefined {
  const text = flags.get(name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (typeof text !== 'string' || !Number.isInteger(value) || value < 0) throw new UsageError(`celerity worker: --${name} must be a non-negative integer, got ${String(text)}`);
  return value;
}

/** The line logged for a job. */
function line(report: JobReport): string {
  const why = report.error === undefined ? '' : ` ${firstLine(report.error)}`;
  return `${new Date().toISOString()} ${report.id} ${report.task} ${report.outcome} ${Math.round(report.ms)}ms${why}\n`;
}

/** Runs `celerity worker`; resolves to the exit code once the worker has closed. */
export async function workerCommand(argv: readonly string[], io: WorkerIo): Promise<number> {
  const flags = parseFlags(argv, FLAGS, 'celerity worker');
  if (flags.has('help')) {
    io.stdout.write(WORKER_HELP);
    return 0;
  }
  const tasks = flags.get('tasks');
  const queue = flags.get('queue');
  if (typeof tasks !== 'string') throw new UsageError('celerity worker: --tasks FILE is required');
  if (typeof queue !== 'string') throw new UsageError('celerity worker: --queue NAME is required');
  const redis = flags.get('redis') ?? process.env.CELERITY_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const grace = count(flags, 'grace') ?? 30_000;
  const options: QueueWorkerOptions = { tasks, queue, connection: String(redis) };
  for (const [flag, option] of NUMBER_FLAGS) {
    const value = count(flags, flag);
    if (value !== undefined) options[option] = value;
  }
  const prefix = flags.get('prefix');
  if (typeof prefix === 'string') options.prefix = prefix;
  if (!flags.has('quiet')) {
    options.onJob = (report) => {
      io.stdout.write(line(report));
    };
  }
  const worker = createQueueWorker(options);
  try {
    await worker.ready;
  } catch (error) {
    await worker.close();
    throw error;
  }
  io.stderr.write(`celerity worker: taking jobs from queue "${queue}" (pid ${process.pid})\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.stderr.write(`celerity worker: ${signal}: no new jobs; running ones have ${grace} ms to finish\n`);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await worker.close({ grace });
  io.stderr.write('celerity worker: closed\n');
  return 0;
}
