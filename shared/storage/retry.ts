// A few more attempts at an operation that is safe to repeat: a read, or a write conditional on the
// caller's own claim. On top of the SDK's own retries, for the writes whose loss would leave a claim
// behind (a notice marker at 'sending', the final count's claim at 'running').

/** Runs `op` up to `attempts` times, waiting baseDelayMs x 2^n between tries; rethrows the last error. */
export async function withRetries<T>(op: () => Promise<T>, attempts = 3, baseDelayMs = 0): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await op();
    } catch (e) {
      if (n >= attempts) throw e;
      if (baseDelayMs > 0) await new Promise((r) => setTimeout(r, baseDelayMs * 2 ** n));
    }
  }
}
