/**
 * What every suite hands the runner: its table rows, and the ratios worth quoting (with their
 * targets) for the summary table and the chart.
 * @module
 */

/** One quoted ratio. */
export interface Figure {
  /** The chart group it is drawn in (figures of one group share a scale). Default: the suite. */
  group?: string | undefined;
  /** Draw its group on a log scale (for figures spanning orders of magnitude). */
  log?: boolean | undefined;
  /** What it is, on its own, e.g. `class-heavy: celerity ÷ structuredClone`. */
  name: string;
  /** A shorter label for the chart, where the group's title says the rest. Default: `name`. */
  label?: string | undefined;
  /** The ratio. */
  value: number;
  /** The target it is held to, if any. */
  target?: number | undefined;
  /** Which side of the target passes. Default `'lower'`. */
  better?: 'lower' | 'higher' | undefined;
}

/** A suite's outcome. */
export interface SuiteResult {
  /** The suite's name, e.g. `conversion`. */
  suite: string;
  /** What the suite measures, one line. */
  title: string;
  /** Table rows, printed as they are and kept in the results file. */
  rows: Record<string, string | number | null>[];
  /** The ratios to quote. */
  figures: Figure[];
  /** Anything else worth keeping (raw timings, settings). */
  details?: unknown;
}

/** Whether a figure meets its target (`undefined` when it has none). */
export function passes(figure: Figure): boolean | undefined {
  if (figure.target === undefined) return undefined;
  return (figure.better ?? 'lower') === 'lower' ? figure.value <= figure.target : figure.value >= figure.target;
}
