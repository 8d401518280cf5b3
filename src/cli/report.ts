/**
 * What `celerity bench` prints and writes: the text tables, the JSON document and the chart.
 * @module
 */
import { METHODS, RATIOS, type SubjectResult } from './compare.js';
import { describeMachine, type Machine } from './machine.js';
import { formatRatio, renderChart, type ChartSpec } from './svg.js';
import { formatMs, formatTable } from './table.js';

/** The JSON document of `--json`. */
export interface BenchReport {
  tool: 'celerity bench';
  version: string;
  date: string;
  machine: Machine;
  settings: { timeMs: number; quick: boolean; module?: string; export?: string };
  results: SubjectResult[];
}

/** The two tables (times, then ratios) with the machine line on top. */
export function formatReport(report: BenchReport): string {
  const timeRows = report.results.map((r) => [r.name, ...METHODS.map((m) => formatMs(r.ms[m] ?? NaN))]);
  const ratioRows = report.results.map((r) => [r.name, ...RATIOS.map((k) => formatRatio(r.ratios[k.key] ?? NaN))]);
  const notes = report.results.flatMap((r) => r.notes.map((n) => `  ${r.name}: ${n}`));
  const described = report.results.map((r) => `  ${r.name}: ${r.description}${r.classes.length > 0 ? ` (classes: ${r.classes.join(', ')})` : ''}`);
  return [
    `celerity bench ${report.version} on ${describeMachine(report.machine)}`,
    '',
    'Values:',
    ...described,
    '',
    'Median time per call:',
    formatTable(['value', ...METHODS], timeRows),
    '',
    'Ratios:',
    formatTable(['value', ...RATIOS.map((r) => r.key)], ratioRows),
    '',
    ...RATIOS.map((r) => `  ${r.key}: ${r.meaning}`),
    ...(notes.length > 0 ? ['', 'Notes:', ...notes] : []),
    '',
  ].join('\n');
}

/** The chart of the ratios, one group per ratio. */
export function reportChart(report: BenchReport): string {
  const spec: ChartSpec = {
    title: 'celerity bench: ratios',
    subtitle: `${describeMachine(report.machine)} · ${report.date}`,
    groups: RATIOS.map((r) => ({
      title: `${r.key}: ${r.meaning}`,
      // Speed-ups over superjson run from a few times to a few hundred.
      scale: r.key === 'superjson ÷ celerity' ? ('log' as const) : ('linear' as const),
      bars: report.results.flatMap((result) => {
        const value = result.ratios[r.key];
        return value === null ? [] : [{ label: result.name, value }];
      }),
    })),
  };
  return renderChart(spec);
}
