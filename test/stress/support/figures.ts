// The figures of a stress run: each test states its counts and rates here. They are printed (one
// line per test, prefixed "[figures]") and appended to test-artifacts/stress-figures.jsonl, from which
// the table of figures in docs/testing.md is copied. Rates are reported, never asserted: these machines are
// shared and their speed varies.
import { appendFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

export function reportFigures(test: string, figures: Record<string, unknown>): void {
  const line = JSON.stringify({ test, at: new Date().toISOString(), ...figures });
  console.log(`[figures] ${line}`);
  try {
    mkdirSync(DIR, { recursive: true });
    appendFileSync(`${DIR}stress-figures.jsonl`, `${line}\n`);
  } catch {
    // The figures are also on the console; a read-only checkout must not fail the test.
  }
}

/** Operations per second over an interval, rounded. */
export const perSecond = (count: number, ms: number): number => Math.round((count * 1000) / Math.max(ms, 1));
