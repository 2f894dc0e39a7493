/** How long to wait before reconnect attempt n: exponential growth, capped, with jitter. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. Default 500 ms. */
  initialMs?: number;
  /** Largest delay, before jitter. Default 30 000 ms. */
  maxMs?: number;
  /** Growth per failed attempt. Default 2. */
  multiplier?: number;
  /**
   * Random spread as a fraction of the delay: 0.5 gives delay × [0.5, 1.5). Spreads a fleet of
   * clients that lost the same node so they do not all come back in one wave. Default 0.5.
   */
  jitter?: number;
}

/**
 * Exponential backoff with jitter, as docs/protocol.md recommends (0.5 s doubling to 30 s, ±50 %).
 * Stateful: {@link next} counts attempts until {@link reset}.
 */
export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
  readonly jitter: number;
  private attempts = 0;

  constructor(options: BackoffOptions = {}, private readonly random: () => number = Math.random) {
    this.initialMs = options.initialMs ?? 500;
    this.maxMs = options.maxMs ?? 30_000;
    this.multiplier = options.multiplier ?? 2;
    this.jitter = options.jitter ?? 0.5;
    if (!(this.initialMs > 0) || !(this.maxMs >= this.initialMs) || !(this.multiplier >= 1)) {
      throw new RangeError('backoff needs 0 < initialMs <= maxMs and multiplier >= 1');
    }
    if (!(this.jitter >= 0 && this.jitter < 1)) {
      throw new RangeError('backoff jitter must be in [0, 1)');
    }
  }

  /** Failed attempts counted since the last reset. */
  get attempt(): number {
    return this.attempts;
  }

  /** The delay before the next attempt; each call counts one more failed attempt. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * Math.pow(this.multiplier, this.attempts));
    this.attempts++;
    const spread = 1 - this.jitter + 2 * this.jitter * this.random();
    return Math.round(base * spread);
  }

  /** Back to the first delay, after a connection proved healthy. */
  reset(): void {
    this.attempts = 0;
  }
}
