/** The result table: figures, their verdicts, and the text, Markdown and JSON renderings. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

interface Quantity {
  /** The median over the rounds. */
  readonly value: number;
  readonly unit: string;
  /** What was measured, e.g. "bare Koa" or "bcrypt.compare". */
  readonly label?: string;
}

/** A ratio of at least `min`, or a ratio within `fraction` of 1. */
type Target = { readonly min: number } | { readonly within: number };

export interface Figure {
  readonly name: string;
  readonly measured?: Quantity;
  readonly baseline?: Quantity;
  readonly ratio?: Spread;
  readonly target?: Target;
  /** Set when the phase failed: the figure has no value. */
  readonly error?: string;
}

export type Verdict = 'met' | 'missed' | 'error' | '-';

export interface Report {
  readonly title: string;
  readonly header: Readonly<Record<string, string>>;
  readonly figures: readonly Figure[];
  readonly notes: readonly string[];
  readonly errors: readonly string[];
}

/** Median, min and max; values that are not finite (a ratio to a baseline of 0) are left out. */
export function spread(values: readonly number[]): Spread {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: NaN, min: NaN, max: NaN };
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN };
}

export function median(values: readonly number[]): number {
  return spread(values).median;
}

export function verdict(figure: Figure): Verdict {
  if (figure.error !== undefined) return 'error';
  if (figure.target === undefined || figure.ratio === undefined) return '-';
  const ratio = figure.ratio.median;
  if (!Number.isFinite(ratio)) return 'missed';
  const met = 'min' in figure.target ? ratio >= figure.target.min : Math.abs(ratio - 1) <= figure.target.within;
  return met ? 'met' : 'missed';
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function formatQuantity(quantity: Quantity | undefined): string {
  if (quantity === undefined) return '';
  const label = quantity.label === undefined ? '' : ` (${quantity.label})`;
  return `${formatNumber(quantity.value)} ${quantity.unit}${label}`;
}

function formatRatio(ratio: Spread | undefined): string {
  if (ratio === undefined) return '';
  if (!Number.isFinite(ratio.median)) return 'n/a';
  return `${ratio.median.toFixed(3)} (${ratio.min.toFixed(3)}–${ratio.max.toFixed(3)})`;
}

function formatTarget(target: Target | undefined): string {
  if (target === undefined) return 'none';
  return 'min' in target ? `>= ${target.min.toFixed(2)}` : `1 ± ${target.within.toFixed(2)}`;
}

/** An error message on one line, cut to fit a table cell (the whole message is under Errors). */
function summary(message: string): string {
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > 140 ? `${line.slice(0, 139)}…` : line;
}

const COLUMNS = ['#', 'figure', 'measured', 'baseline', 'ratio median (min–max)', 'target', 'result'] as const;

function rows(report: Report): string[][] {
  return report.figures.map((figure, index) => [
    String(index + 1),
    figure.name,
    figure.error === undefined ? formatQuantity(figure.measured) : `error: ${summary(figure.error)}`,
    formatQuantity(figure.baseline),
    formatRatio(figure.ratio),
    formatTarget(figure.target),
    verdict(figure),
  ]);
}

export function renderText(report: Report): string {
  const table = [[...COLUMNS], ...rows(report)];
  const widths = COLUMNS.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [
    report.title,
    ...Object.entries(report.header).map(([key, value]) => `  ${key}: ${value}`),
    '',
    line(table[0] ?? []),
    rule,
    ...table.slice(1).map(line),
    '',
    'Notes:',
    ...report.notes.map((note) => `  - ${note}`),
    ...(report.errors.length === 0 ? [] : ['', 'Errors:', ...report.errors.map((error) => `  - ${error}`)]),
    '',
  ].join('\n');
}

function renderMarkdown(report: Report): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  return [
    `# ${report.title}`,
    '',
    ...Object.entries(report.header).map(([key, value]) => `- ${key}: ${value}`),
    '',
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...rows(report).map((row) => `| ${row.map(cell).join(' | ')} |`),
    '',
    '## Notes',
    '',
    ...report.notes.map((note) => `- ${note}`),
    ...(report.errors.length === 0 ? [] : ['', '## Errors', '', ...report.errors.map((error) => `- ${cell(error)}`)]),
    '',
  ].join('\n');
}

/** Writes <stamp>.json and <stamp>.md under `directory`, and the same as latest.json and latest.md. */
export async function writeReport(report: Report, directory: string, stamp: string): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const json = `${JSON.stringify({ ...report, figures: report.figures.map((figure) => ({ ...figure, verdict: verdict(figure) })) }, null, 2)}\n`;
  const markdown = renderMarkdown(report);
  const files: [string, string][] = [
    [`${stamp}.json`, json],
    [`${stamp}.md`, markdown],
    ['latest.json', json],
    ['latest.md', markdown],
  ];
  await Promise.all(files.map(([name, content]) => writeFile(path.join(directory, name), content)));
  return files.slice(0, 2).map(([name]) => path.join(directory, name));
}
