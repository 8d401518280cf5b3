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
