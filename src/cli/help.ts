/**
 * The help texts of the `celerity` command.
 * @module
 */
import { METHOD_NOTES, METHODS } from './compare.js';

/** `celerity --help`. */
export const MAIN_HELP = `Usage: celerity <command> [options]

A worker-thread task pool in which class instances survive the trip to a thread and back.

Commands:
  bench            Measure what converting a value costs: structured clone, celerity,
                   superjson, JSON and a pool round trip, side by side, with ratios.
                   See: celerity bench --help
  worker           Run the jobs of a BullMQ queue on this machine's threads.
                   See: celerity worker --help

Options:
  -h, --help       Show this help and exit.
  -v, --version    Print the version and exit.

Exit status: 0 on success, 2 for a usage error (one line on stderr), 1 for any other failure.
`;

/** `celerity bench --help`. */
export const BENCH_HELP = `Usage: celerity bench [--module FILE] [--export NAME] [--json FILE] [--svg FILE]
                      [--time MS] [--quick]

Measures the conversion overhead of celerity on your own value, or on built-in sample shapes
(flat plain data, class-heavy, deeply nested, Map-heavy, binary), against what you would use
instead. Each figure is the median time of one call:

${METHODS.map((m) => `  ${m.padEnd(16)} ${METHOD_NOTES[m]}`).join('\n')}

and the ratios: celerity ÷ structuredClone, superjson ÷ celerity, JSON ÷ celerity and
celerity pool ÷ raw Piscina. Progress goes to stderr, the tables to stdout.

Options:
  --module FILE    A module whose export is the value to measure, or a function (sync or
                   async) that builds it. The module must register the classes the value holds
                   (it is imported in this process and in the pool's thread). Without
                   --module, the built-in sample shapes are measured.
  --export NAME    Which export of --module to use. Default: default.
  --json FILE      Also write the results (machine, settings, every figure) as JSON to FILE.
  --svg FILE       Also write an SVG bar chart of the ratios to FILE.
  --time MS        Sampling time per measurement, in milliseconds (a quarter more is spent
                   warming up). Default: 300. Longer gives steadier figures.
  --quick          A fast smoke run: tiny sample shapes and --time 20 unless --time is given.
                   The figures are not worth quoting.
  -h, --help       Show this help and exit.

Examples:
  celerity bench
  celerity bench --module ./payload.js --export buildPayload --json bench.json --svg bench.svg

Exit status: 0 on success; 2 for a bad flag, or a module that does not load, lacks the export,
or whose value cannot be encoded (one line on stderr); 1 for any other failure.
`;

/** `celerity worker --help`. */
export const WORKER_HELP = `Usage: celerity worker --tasks FILE --queue NAME [--redis URL] [--threads N]
                       [--concurrency N] [--timeout MS] [--cancel-grace MS]
                       [--lock-duration MS] [--stalled-interval MS] [--grace MS] [--quiet]

Runs the jobs of a BullMQ queue (added with createQueueApp from celerity/bullmq) on this
process's own thread pool. Needs the packages bullmq and ioredis. One line per job on stdout:
time, job id, task, outcome (completed, failed, cancelled, requeued) and milliseconds.

Options:
  --tasks FILE             The tasks module (its classes are registered here too).
  --queue NAME             The queue's name.
  --redis URL              Redis, e.g. redis://127.0.0.1:6379. Default: $CELERITY_REDIS_URL,
                           else redis://127.0.0.1:6379.
  --threads N              Threads in the pool. Default: one per core.
  --concurrency N          Jobs run at once. Default: twice the threads.
  --timeout MS             Run-time limit of every job (a job's own timeout wins).
  --cancel-grace MS        How long a cancelled or timed-out task may take to stop before its
                           thread is terminated. Default 1000.
  --lock-duration MS       BullMQ's job lock, renewed every half of it. Default 30000.
  --stalled-interval MS    How often stalled jobs (of killed workers) are looked for. Default
                           30000. A killed worker's job runs again elsewhere after about
                           lock-duration + stalled-interval. Below a few seconds, a busy
                           machine's healthy jobs may be taken for stalled.
  --grace MS               On SIGINT or SIGTERM, how long running jobs may take to finish
                           before they go back to the queue. Default 30000.
  --prefix PREFIX          BullMQ's key prefix. Default bull.
  -q, --quiet              No line per job.
  -h, --help               Show this help and exit.
`;
