/**
 * The tables a benchmark run prints and the README shows: a suite's rows, and the summary of the
 * ratios to quote with their targets.
 * @module
 */
import { svg, table } from './dist.js';
import { passes, type Figure, type SuiteResult } from './figures.js';

/** One table cell: a dash for nothing. */
export function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return typeof value === 'number' ? String(value) : value;
}

/** A suite's columns: every key of its rows, in order of first appearance. */
export function suiteHeaders(result: SuiteResult): string[] {
  return [...new Set(result.rows.flatMap((r) => Object.keys(r)))];
}

/** A suite's rows as cells under {@link suiteHeaders}. */
export function suiteCells(result: SuiteResult): string[][] {
  const headers = suiteHeaders(result);
  return result.rows.map((r) => headers.map((h) => cell(r[h])));
}

/** A suite's table in Markdown. */
export function suiteMarkdown(result: SuiteResult): string {
  return table.formatMarkdownTable(suiteHeaders(result), suiteCells(result));
}

/** The summary table's rows: each figure, its ratio, its target and whether it is met. */
export function summaryRows(figures: readonly Figure[]): string[][] {
  return figures.map((f) => {
    const pass = passes(f);
    const target = f.target === undefined ? '' : `${(f.better ?? 'lower') === 'lower' ? '≤' : '≥'} ${svg.formatRatio(f.target)}`;
    return [f.name, svg.formatRatio(f.value), target, pass === undefined ? '' : pass ? 'met' : 'MISSED'];
  });
}

/** The summary table in Markdown. */
export function summaryMarkdown(figures: readonly Figure[]): string {
  return table.formatMarkdownTable(['figure', 'ratio', 'target', ''], summaryRows(figures));
}
