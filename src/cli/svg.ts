/**
 * A dependency-free SVG bar chart of ratios: one horizontal bar per figure, grouped, with a 1×
 * reference line and, where a figure has a target, a target marker and a pass/fail colour.
 * Used by `celerity bench --svg` and by the benchmark runner.
 * @module
 */

/** One bar: a ratio, optionally with the target it is held to. */
export interface ChartBar {
  /** Text left of the bar. */
  label: string;
  /** The ratio (drawn as `1.08×`). */
  value: number;
  /** The target the ratio is held to, if any. */
  target?: number | undefined;
  /** Which side of the target passes. Default `'lower'`. */
  better?: 'lower' | 'higher' | undefined;
}

/** Bars sharing one scale under a heading. */
export interface ChartGroup {
  /** Heading above the bars, e.g. `celerity ÷ structuredClone (lower is better)`. */
  title: string;
  bars: readonly ChartBar[];
  /**
   * `'log'` for figures spanning orders of magnitude (e.g. 0.3× to 150×), so the small ones stay
   * readable. Default `'linear'`.
   */
  scale?: 'linear' | 'log' | undefined;
}

/** A whole chart. */
export interface ChartSpec {
  title: string;
  /** A second line under the title, e.g. the machine the figures come from. */
  subtitle?: string | undefined;
  groups: readonly ChartGroup[];
}

const WIDTH = 900;
const LABEL_WIDTH = 300;
const VALUE_WIDTH = 170;
const BAR_HEIGHT = 18;
const ROW_HEIGHT = 26;
const GROUP_GAP = 20;
const HEADING_HEIGHT = 24;
const MARGIN = 16;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

const COLOUR = { pass: '#2e7d32', fail: '#c62828', none: '#1565c0', target: '#212121', reference: '#9e9e9e', text: '#212121', muted: '#616161' };

/** Escapes text for an SVG text node or attribute. */
function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Cuts a label that would run off the left edge (about 6.5 px a character at 12 px). */
function fit(label: string): string {
  const max = Math.floor((LABEL_WIDTH - 16) / 6.5);
  return label.length <= max ? label : `${label.slice(0, max - 1)}…`;
}

/** `1.08×`, `12.4×`, `150×`: enough digits to compare, no more. */
export function formatRatio(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}×`;
}

/** Whether a bar meets its target; `undefined` when it has none. */
export function meetsTarget(bar: ChartBar): boolean | undefined {
  if (bar.target === undefined) return undefined;
  return (bar.better ?? 'lower') === 'lower' ? bar.value <= bar.target : bar.value >= bar.target;
}

function fmt(n: number): string {
  return n.toFixed(1);
}

function renderGroup(group: ChartGroup, top: number): { svg: string; height: number } {
  const plotLeft = MARGIN + LABEL_WIDTH;
  const plotWidth = WIDTH - plotLeft - VALUE_WIDTH - MARGIN;
  const finite = group.bars.flatMap((b) => (b.target === undefined ? [b.value] : [b.value, b.target])).filter((v) => Number.isFinite(v) && v > 0);
  // Every group shows the 1× line, so the scale always reaches past it.
  const max = Math.max(1, ...finite) * 1.1;
  const min = Math.min(1, ...finite) / 1.5;
  const x =
    group.scale === 'log'
      ? (v: number): number => plotLeft + (Math.log(Math.max(min, Math.min(v, max)) / min) / Math.log(max / min)) * plotWidth
      : (v: number): number => plotLeft + (Math.max(0, Math.min(v, max)) / max) * plotWidth;
  const parts: string[] = [`<text x="${MARGIN}" y="${fmt(top + 16)}" font-size="14" font-weight="600" fill="${COLOUR.text}">${escape(group.title)}</text>`];
  const barsTop = top + HEADING_HEIGHT;
  const barsHeight = group.bars.length * ROW_HEIGHT;
  group.bars.forEach((bar, i) => {
    const y = barsTop + i * ROW_HEIGHT;
    const pass = meetsTarget(bar);
    const colour = pass === undefined ? COLOUR.none : pass ? COLOUR.pass : COLOUR.fail;
    const width = Number.isFinite(bar.value) ? x(bar.value) - plotLeft : 0;
    const targetText = bar.target === undefined ? '' : ` (target ${(bar.better ?? 'lower') === 'lower' ? '≤' : '≥'} ${formatRatio(bar.target)})`;
    parts.push(
      `<text x="${fmt(plotLeft - 8)}" y="${fmt(y + BAR_HEIGHT - 5)}" font-size="12" text-anchor="end" fill="${COLOUR.text}">${escape(fit(bar.label))}</text>`,
      `<rect x="${fmt(plotLeft)}" y="${fmt(y)}" width="${fmt(Math.max(width, 1))}" height="${BAR_HEIGHT}" rx="2" fill="${colour}"><title>${escape(`${bar.label}: ${formatRatio(bar.value)}${targetText}`)}</title></rect>`,
      `<text x="${fmt(plotLeft + plotWidth + 8)}" y="${fmt(y + BAR_HEIGHT - 5)}" font-size="12" fill="${COLOUR.muted}">${escape(formatRatio(bar.value) + targetText)}</text>`,
    );
    if (bar.target !== undefined) {
      const tx = x(bar.target);
      parts.push(`<line x1="${fmt(tx)}" x2="${fmt(tx)}" y1="${fmt(y - 3)}" y2="${fmt(y + BAR_HEIGHT + 3)}" stroke="${COLOUR.target}" stroke-width="2"/>`);
    }
  });
  const one = x(1);
  parts.push(
    `<line x1="${fmt(one)}" x2="${fmt(one)}" y1="${fmt(barsTop - 4)}" y2="${fmt(barsTop + barsHeight)}" stroke="${COLOUR.reference}" stroke-dasharray="4 3"/>`,
    `<text x="${fmt(one)}" y="${fmt(barsTop + barsHeight + 11)}" font-size="10" text-anchor="middle" fill="${COLOUR.muted}">1×${group.scale === 'log' ? ' (log scale)' : ''}</text>`,
  );
  return { svg: parts.join('\n'), height: HEADING_HEIGHT + barsHeight + 14 };
}

/**
 * Renders a chart as a standalone SVG document. Each group gets its own scale; bars with a target
 * are green when they meet it and red when they do not, the target drawn as a black tick.
 */
export function renderChart(spec: ChartSpec): string {
  const body: string[] = [];
  let y = MARGIN;
  body.push(`<text x="${MARGIN}" y="${fmt(y + 18)}" font-size="18" font-weight="700" fill="${COLOUR.text}">${escape(spec.title)}</text>`);
  y += 26;
  if (spec.subtitle !== undefined) {
    body.push(`<text x="${MARGIN}" y="${fmt(y + 12)}" font-size="12" fill="${COLOUR.muted}">${escape(spec.subtitle)}</text>`);
    y += 20;
  }
  y += 8;
  for (const group of spec.groups) {
    if (group.bars.length === 0) continue;
    const rendered = renderGroup(group, y);
    body.push(rendered.svg);
    y += rendered.height + GROUP_GAP;
  }
  const height = Math.ceil(y - GROUP_GAP + MARGIN);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT}>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
