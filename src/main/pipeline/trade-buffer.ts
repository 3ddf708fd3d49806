/**
 * A bounded FIFO between the source and the Kafka producer. The source never waits on Kafka:
 * when the buffer is full, new items are dropped and counted (DESIGN invariant 1), and a source
 * that can wait (replay) watches the high-water mark and awaits drain().
 */
export class BoundedBuffer<T> {
  private items: T[] = []
  private head = 0
  private drainWaiters: (() => void)[] = []
  private dataWaiters: (() => void)[] = []
  dropped = 0

  constructor(
    readonly capacity: number,
    /** above this, push() reports false so that a patient source pauses */
    readonly highWater = Math.floor(capacity / 2),
  ) {}

  get length(): number {
    return this.items.length - this.head
  }

  /** Adds what fits, counts the rest as dropped; returns false when above the high-water mark. */
  push(batch: readonly T[]): boolean {
    const room = this.capacity - this.length
    const take = Math.min(room, batch.length)
    for (let i = 0; i < take; i++) this.items.push(batch[i] as T)
    this.dropped += batch.length - take
    if (take > 0) this.wake(this.dataWaiters)
    return this.length < this.highWater
  }

  /** Takes up to max items from the front. */
  take(max: number): T[] {
    const end = Math.min(this.items.length, this.head + max)
    const out = this.items.slice(this.head, end)
    this.head = end
    // Compact now and then so the array does not grow without bound.
    if (this.head > 65_536 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    if (this.length < this.highWater) this.wake(this.drainWaiters)
    return out
  }

  /** Puts items back at the front (a failed send), dropping and counting what no longer fits. */
  unshift(batch: readonly T[]): void {
    const room = this.capacity - this.length
    const keep = batch.slice(0, Math.max(0, room))
    this.dropped += batch.length - keep.length
    this.items = [...keep, ...this.items.slice(this.head)]
    this.head = 0
    if (keep.length > 0) this.wake(this.dataWaiters)
  }

  /** Resolves when the buffer is below the high-water mark. */
  drain(): Promise<void> {
    if (this.length < this.highWater) return Promise.resolve()
    return new Promise((resolve) => this.drainWaiters.push(resolve))
  }

  /** Resolves when there is something to take (or at once if there is). */
  whenData(): Promise<void> {
    if (this.length > 0) return Promise.resolve()
    return new Promise((resolve) => this.dataWaiters.push(resolve))
  }

  /** Wakes everyone waiting, e.g. on shutdown. */
  wakeAll(): void {
    this.wake(this.dataWaiters)
    this.wake(this.drainWaiters)
  }

  private wake(list: (() => void)[]): void {
    const waiters = list.splice(0)
    for (const w of waiters) w()
  }
}
