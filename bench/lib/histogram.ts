/**
 * A small mergeable latency histogram: buckets grow by 1 % (log scale) from 1 µs to ~100 s, so percentiles are
 * within 1 % of the true value and a worker can ship its whole histogram (about 1,900 counts) to the harness
 * instead of millions of raw samples. hdr-histogram-js would do the same; this keeps the bench dependency-free.
 */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = Math.ceil(Math.log(1e8) / LOG_GROWTH) + 1;

export interface HistogramSummary {
  count: number;
  minMs: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
}

export class Histogram {
  readonly counts: number[];
  count = 0;
  sumUs = 0;
  minUs = Number.POSITIVE_INFINITY;
  maxUs = 0;

  constructor(counts?: number[]) {
    this.counts = counts ?? new Array<number>(BUCKETS).fill(0);
  }

  /** Records a latency in microseconds (clamped to [1 µs, 100 s]: a negative skew of a few µs reads as 1 µs). */
  record(us: number): void {
    const value = Math.min(Math.max(us, 1), 1e8);
    const index = Math.floor(Math.log(value) / LOG_GROWTH);
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.count += 1;
    this.sumUs += value;
    if (value < this.minUs) this.minUs = value;
    if (value > this.maxUs) this.maxUs = value;
  }

  merge(other: HistogramData): void {
    for (let i = 0; i < other.counts.length; i++) this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0);
    this.count += other.count;
    this.sumUs += other.sumUs;
    this.minUs = Math.min(this.minUs, other.minUs);
    this.maxUs = Math.max(this.maxUs, other.maxUs);
  }

  /** The upper edge of the bucket holding the q-quantile, in microseconds. */
  quantileUs(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(GROWTH ** (i + 1), this.maxUs);
    }
    return this.maxUs;
  }

  toData(): HistogramData {
    return { counts: this.counts, count: this.count, sumUs: this.sumUs, minUs: this.minUs, maxUs: this.maxUs };
  }

  summary(): HistogramSummary {
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      count: this.count,
      minMs: this.count ? ms(this.minUs) : Number.NaN,
      p50Ms: ms(this.quantileUs(0.5)),
      p99Ms: ms(this.quantileUs(0.99)),
      p999Ms: ms(this.quantileUs(0.999)),
      maxMs: this.count ? ms(this.maxUs) : Number.NaN,
      meanMs: this.count ? ms(this.sumUs / this.count) : Number.NaN,
    };
  }
}

/** What crosses the IPC channel (plain JSON). */
export interface HistogramData {
  counts: number[];
  count: number;
  sumUs: number;
  minUs: number;
  maxUs: number;
}

/**
 * Microseconds on CLOCK_MONOTONIC, which Linux shares between processes: a sender and a receiver in different
 * processes on the same host read the same clock, so receive - send is a real end-to-end latency.
 */
export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
