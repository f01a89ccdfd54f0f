// The send rate of one consumer instance: a token bucket. The rate over the whole account is this
// rate times the number of instances (the SQS event source's maximum concurrency), which
// functions/workers.ts keeps under the SES account's sending limit.

export interface TokenBucketOptions {
  /** Tokens per second; 0 or Infinity means no limit. */
  ratePerSecond: number;
  /** Most tokens saved up (default: one second's worth, at least 1). */
  capacity?: number;
  /** Milliseconds from any fixed origin (default performance.now). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class TokenBucket {
  private readonly rate: number;
  private readonly capacity: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private tokens: number;
  private last: number;
  private tail: Promise<void> = Promise.resolve();

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond >= 0)) throw new RangeError('ratePerSecond must be 0 or more');
    this.rate = options.ratePerSecond;
    this.capacity = options.capacity ?? Math.max(1, Math.floor(this.rate));
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.tokens = this.capacity;
    this.last = this.now();
  }

  get unlimited(): boolean {
    return this.rate === 0 || this.rate === Number.POSITIVE_INFINITY;
  }

  /** Resolves when one send may go; callers are served in the order they asked. */
  take(): Promise<void> {
    if (this.unlimited) return Promise.resolve();
    const turn = this.tail.then(() => this.acquire());
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
  }

  private async acquire(): Promise<void> {
    this.refill();
    while (this.tokens < 1) {
      await this.sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000));
      this.refill();
    }
    this.tokens -= 1;
  }
}
