import type { LagPoint } from '../../shared/contract'

/** Two hours of samples at the status tick's 1 Hz. */
export const LAG_HISTORY_CAPACITY = 7_200

/**
 * Consumer lag as the status tick samples it, kept in memory: lag is a property of the running
 * consumer, not of the stored trades, so PostgreSQL has no record of it. A fixed ring, so a long
 * run costs no more memory than a short one; the oldest samples fall off.
 */
export class LagHistory {
  private readonly at: Float64Array
  private readonly lag: Float64Array
  /** index of the oldest sample */
  private head = 0
  private count = 0

  constructor(readonly capacity = LAG_HISTORY_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be ≥ 1, got ${capacity}`)
    this.at = new Float64Array(capacity)
    this.lag = new Float64Array(capacity)
  }

  get size(): number {
    return this.count
  }

  /** Appends a sample; samples are expected in time order (the status tick's). */
  add(at: number, lag: number): void {
    if (!Number.isFinite(at) || !Number.isFinite(lag)) return
    const i = (this.head + this.count) % this.capacity
    this.at[i] = at
    this.lag[i] = lag
    if (this.count < this.capacity) this.count += 1
    else this.head = (this.head + 1) % this.capacity
  }

  /**
   * The samples in [from, to), at most one per bucket of bucketMs: the bucket's highest lag (a
   * spike should not hide between points), stamped at the bucket's start. Buckets are aligned to
   * epoch multiples of their width, as the KPI series are, so both share an axis.
   */
  range(from: number, to: number, bucketMs: number): LagPoint[] {
    if (!(bucketMs > 0)) throw new RangeError(`bucketMs must be positive, got ${bucketMs}`)
    const out: LagPoint[] = []
    let last: LagPoint | undefined
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) % this.capacity
      const at = this.at[i] ?? 0
      if (at < from || at >= to) continue
      const lag = this.lag[i] ?? 0
      const start = Math.floor(at / bucketMs) * bucketMs
      if (last && last.at === start) last.lag = Math.max(last.lag, lag)
      else if (last && start < last.at) mergeOutOfOrder(out, start, lag)
      else out.push((last = { at: start, lag }))
    }
    return out
  }

  clear(): void {
    this.head = 0
    this.count = 0
  }
}

/** A sample older than the newest bucket (a clock step back): fold it in and keep the order. */
function mergeOutOfOrder(out: LagPoint[], start: number, lag: number): void {
  const hit = out.find((p) => p.at === start)
  if (hit) {
    hit.lag = Math.max(hit.lag, lag)
    return
  }
  const idx = out.findIndex((p) => p.at > start)
  out.splice(idx < 0 ? out.length : idx, 0, { at: start, lag })
}
