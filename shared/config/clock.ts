// The functions' clock. On AWS it is the real one. Locally the reference meeting (June 2002) is run
// as if it were another time: CLOCK_OFFSET_MS (set once by the local stack, shared by every function,
// so their clocks agree) is added to the real clock. The CDK stacks never set it.
export function clockWithOffset(
  offsetMs: number | undefined,
  realNow: () => number = Date.now,
): () => number {
  if (!offsetMs) return realNow;
  return () => realNow() + offsetMs;
}

/** The offset that makes the clock read `asOf` now. */
export function offsetToReach(asOf: string, realNow: () => number = Date.now): number {
  const target = Date.parse(asOf);
  if (Number.isNaN(target)) throw new Error(`not an ISO 8601 instant: "${asOf}"`);
  return target - realNow();
}
