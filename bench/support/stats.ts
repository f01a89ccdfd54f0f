// Small measuring helpers: percentiles, and a load loop that keeps N operations in flight for a while.
import { performance } from 'node:perf_hooks';

/** The p-th percentile (0..100) of the values, by nearest rank; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export interface Slice {
  /** Operations completed. */
  ops: number;
  /** Wall time from the first start to the last completion, ms. */
  ms: number;
  /** Each operation's latency, ms. */
  latencies: number[];
}

/**
 * Keeps `concurrency` operations in flight for `durationMs`, then lets the ones in flight finish.
 * `op(i)` gets a sequence number unique within this slice (plus `offset`). A failed operation fails
 * the slice: a benchmark of errors is no benchmark.
 */
export async function runSlice(
  op: (i: number) => Promise<void>,
  options: { concurrency: number; durationMs: number; offset?: number },
): Promise<Slice> {
  const latencies: number[] = [];
  let next = options.offset ?? 0;
  const start = performance.now();
  const stopAt = start + options.durationMs;
  const worker = async () => {
    while (performance.now() < stopAt) {
      const i = next++;
      const t0 = performance.now();
      await op(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { ops: latencies.length, ms: performance.now() - start, latencies };
}

/** Runs `count` operations with `concurrency` in flight; resolves with the wall time in ms. */
export async function runAll<T>(
  items: readonly T[],
  concurrency: number,
  op: (item: T, index: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) await op(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return performance.now() - start;
}

export interface Pooled {
  ops: number;
  ms: number;
  /** Operations per second over all slices. */
  rate: number;
  p50: number;
  p99: number;
}

export function pool(slices: readonly Slice[]): Pooled {
  const ops = slices.reduce((s, x) => s + x.ops, 0);
  const ms = slices.reduce((s, x) => s + x.ms, 0);
  const latencies = slices.flatMap((s) => s.latencies);
  return {
    ops,
    ms,
    rate: ms > 0 ? (ops * 1000) / ms : 0,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

export const round = (n: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};
