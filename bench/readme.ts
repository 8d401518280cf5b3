/**
 * Regenerates the benchmark tables in README.md from a results file, so the README shows what a
 * run measured and nothing typed by hand: each block between `<!-- bench:NAME -->` and
 * `<!-- /bench:NAME -->` is replaced, NAME being a suite's name (its table) or `summary` (the
 * ratios to quote, with their targets; only from a run of every suite).
 *
 * `npm run bench` does this after a full run; alone: `node build/bench/readme.js [results.json]`.
 * @module
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Figure, SuiteResult } from './figures.js';
import { suiteMarkdown, summaryMarkdown } from './report-tables.js';

/** What a results file holds, as far as the README needs it. */
export interface ReadmeReport {
  readonly date: string;
  readonly quick: boolean;
  readonly suites: readonly SuiteResult[];
  readonly failures: readonly unknown[];
}

/** The README beside the package. */
export const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** Every suite of a full run, in the order the runner runs them. */
const ALL_SUITES = ['conversion', 'dispatch', 'scaling', 'json', 'queue'];

/** The blocks a report can fill: each suite it holds, and the summary when it holds them all. */
export function readmeBlocks(report: ReadmeReport): Map<string, string> {
  const blocks = new Map<string, string>();
  const date = report.date.slice(0, 10);
  for (const suite of report.suites) blocks.set(suite.suite, `${suiteMarkdown(suite)}\n\n<sub>From the run of ${date}.</sub>`);
  const ran = new Set(report.suites.map((s) => s.suite));
  if (ALL_SUITES.every((name) => ran.has(name)) && report.failures.length === 0) {
    const figures: Figure[] = report.suites.flatMap((s) => s.figures);
    blocks.set('summary', `${summaryMarkdown(figures)}\n\n<sub>From the run of ${date}.</sub>`);
  }
  return blocks;
}

/** `text` with each marked block that `blocks` has replaced; the names replaced. */
export function replaceBlocks(text: string, blocks: ReadonlyMap<string, string>): { text: string; replaced: string[] } {
  const replaced: string[] = [];
  const out = text.replace(/<!-- bench:([a-z]+) -->\n(?:[\s\S]*?\n)?<!-- \/bench:\1 -->/g, (whole, name: string) => {
    const block = blocks.get(name);
    if (block === undefined) return whole;
    replaced.push(name);
    return `<!-- bench:${name} -->\n${block}\n<!-- /bench:${name} -->`;
  });
  return { text: out, replaced };
}

/** Rewrites the README's blocks from `report` (never from a quick run); returns the names replaced. */
export async function updateReadme(report: ReadmeReport, path = README): Promise<string[]> {
  if (report.quick) return [];
  const { text, replaced } = replaceBlocks(await readFile(path, 'utf8'), readmeBlocks(report));
  if (replaced.length > 0) await writeFile(path, text);
  return replaced;
}

if (process.argv[1] !== undefined && import.meta.url === new URL(process.argv[1], 'file:').href) {
  const file = process.argv[2] ?? fileURLToPath(new URL('../../bench/results/latest.json', import.meta.url));
  const report = JSON.parse(await readFile(file, 'utf8')) as ReadmeReport;
  const replaced = await updateReadme(report);
  process.stdout.write(replaced.length === 0 ? 'nothing to replace\n' : `README.md: ${replaced.join(', ')} regenerated from ${file}\n`);
}
