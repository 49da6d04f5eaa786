/**
 * Pure helpers of the benchmark: statistics over repetitions, marginal per-session figures,
 * targets and the printed table. No I/O here, so the unit test can check them directly.
 */

export interface Stat {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: readonly number[];
}

export function stat(samples: readonly number[]): Stat {
  if (samples.length === 0) throw new Error('stat: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median: round(median), min: round(sorted[0]), max: round(sorted[sorted.length - 1]), samples: samples.map(round) };
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Per-session cost between two team sizes: (cost(large) - cost(small)) / (large - small). */
export function marginal(small: { n: number; value: number }, large: { n: number; value: number }): number {
  if (large.n === small.n) throw new Error('marginal: two different sizes are needed');
  return round((large.value - small.value) / (large.n - small.n), 3);
}

export type Verdict = 'PASS' | 'MISS' | 'n/a';

export interface Target {
  readonly name: string;
  /** Human-readable target, e.g. "< 1000 ms". */
  readonly target: string;
  /** The measured value (a median, a ratio or a count); undefined when not measured in this run. */
  readonly value?: number;
  readonly unit: string;
  /** The verdict, on `value` (wall-clock time for time targets). */
  readonly verdict: Verdict;
  /**
   * Time targets: the same figure in CPU time (user + system of the measuring process). On a
   * machine other work competes for, wall time is inflated and this is the fairer reading.
   */
  readonly cpuValue?: number;
  readonly cpuVerdict?: Verdict;
}

function verdictOf(value: number | undefined, limit: number, kind: '<' | '<='): Verdict {
  return value === undefined ? 'n/a' : (kind === '<' ? value < limit : value <= limit) ? 'PASS' : 'MISS';
}

export function target(name: string, value: number | undefined, unit: string, limit: number, kind: '<' | '<=', cpuValue?: number): Target {
  const result: Target = { name, target: `${kind} ${limit}${unit ? ` ${unit}` : ''}`, value: value === undefined ? undefined : round(value, 3), unit, verdict: verdictOf(value, limit, kind) };
  if (cpuValue === undefined) return result;
  return { ...result, cpuValue: round(cpuValue, 3), cpuVerdict: verdictOf(cpuValue, limit, kind) };
}

/** A plain text table: first row is the header, columns padded to their widest cell. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [line(rows[0]), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** `median (min-max)` with a unit-free number format that stays short. */
export function formatStat(value: Stat | undefined, digits = 0): string {
  if (!value) return '-';
  const f = (n: number) => n.toFixed(digits);
  return value.min === value.max ? f(value.median) : `${f(value.median)} (${f(value.min)}-${f(value.max)})`;
}
