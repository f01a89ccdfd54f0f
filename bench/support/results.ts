// One entry of bench/results.json, and the table printed at the end of a run.

export interface BenchResult {
  name: string;
  /** The product's figure; null when it could not be measured (see `note`). */
  value: number | null;
  unit: string;
  /** The same work done by the bare calls underneath, in the same unit; null when there is none. */
  raw: number | null;
  /** value/raw for rates, value/raw for times (see `target`); null without a raw figure. */
  ratio: number | null;
  /** The condition `pass` checks, e.g. "ratio >= 0.7" or "value < 300 KB". */
  target: string;
  pass: boolean;
  note?: string;
  [extra: string]: unknown;
}

function fmt(n: unknown): string {
  if (n === null || n === undefined) return '-';
  if (typeof n !== 'number') return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return n.toLocaleString('en-US', { maximumFractionDigits: n < 10 ? 3 : 1 });
}

function extras(r: BenchResult): string {
  const parts: string[] = [];
  if (typeof r.p50Ms === 'number') parts.push(`p50 ${fmt(r.p50Ms)} ms, p99 ${fmt(r.p99Ms)} ms`);
  if (typeof r.rawP50Ms === 'number') parts.push(`raw p50 ${fmt(r.rawP50Ms)} ms, p99 ${fmt(r.rawP99Ms)} ms`);
  if (typeof r.cpuS === 'number')
    parts.push(`CPU ${fmt(r.cpuS)} s, raw ${fmt(r.rawCpuS)} s (CPU ratio ${fmt(r.cpuRatio)})`);
  if (typeof r.peakRssMb === 'number') parts.push(`peak RSS ${fmt(r.peakRssMb)} MB`);
  if (typeof r.coldImportMs === 'number') parts.push(`cold import ${fmt(r.coldImportMs)} ms`);
  if (r.note) parts.push(r.note);
  if (Array.isArray(r.loadAverage)) parts.push(`load ${r.loadAverage.join(' ')}`);
  return parts.join('; ');
}

/** A Markdown table: the same text goes to the terminal and into the README. */
export function markdownTable(results: readonly BenchResult[]): string {
  const rows = [
    '| measure | value | unit | raw | ratio | target | pass | notes |',
    '|---|---:|---|---:|---:|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${fmt(r.value)} | ${r.unit} | ${fmt(r.raw)} | ${fmt(r.ratio)} | ${r.target} | ${r.pass ? 'yes' : 'NO'} | ${extras(r)} |`,
    ),
  ];
  return rows.join('\n');
}
