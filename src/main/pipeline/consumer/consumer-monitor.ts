import type { IMemberAssignment } from 'kafkajs'
import type { AlertLevel } from '../../../shared/status'
import { NO_CONSUMER_STATS, type ConsumerStats, type ConsumerWatch } from './consumer'
import { describeOffsetReset, isStalled, mayBeStalled, type OffsetReset } from './consumer-health'
import { settlesWithin } from '../../base/time-limit'

/** The part of TradeConsumer the monitor drives (a fake in the unit tests). */
export interface MonitoredConsumer {
  start(): Promise<void>
  stop(): Promise<void>
  watch(w: ConsumerWatch): void
  stats(): ConsumerStats
  activity(): { inHand: number; lastActivityAt: number }
  position(topic: string, partition: number): bigint | undefined
}

export interface MonitorOptions {
  topic: string
  /** the consumer to run; a failed one is never revived (its thread ends, see consumer-thread.ts) */
  create(notice: (level: AlertLevel, message: string) => void): MonitoredConsumer
  /** uncommitted records on these partitions */
  lag(partitions: readonly number[]): Promise<number>
  /** the group's committed offsets (next to read) per partition; negative means none */
  committed(): Promise<Map<number, bigint>>
  /** a partition's log start offset: where a reset to the earliest offset lands */
  logStart(partition: number): Promise<bigint>
  notice(level: AlertLevel, message: string): void
  /** once, when the running consumer crashed, stopped on its own or stalled: "Kafka consumer …" */
  onFailure(why: string): void
  /** no batch for this long while records wait counts as a stall */
  stallMs: number
  /** how long the consumer may take to stop before it is left behind; default 15 s */
  stopTimeoutMs?: number
}

/**
 * Runs one TradeConsumer inside the consumer thread and watches it. kafkajs can crash or stop a
 * consumer, or leave it fetching nothing, without any error reaching us; each of those is told to
 * onFailure, once. It restarts nothing itself: the thread ends, and consumer-thread.ts (the one
 * layer that restarts the writer) starts a new one.
 */
export class ConsumerMonitor {
  private consumer: MonitoredConsumer | null = null
  private lastError: string | null = null
  private joined = false
  private assigned: number[] = []
  /** the group's commits as the consumer started: where it resumes until it commits itself */
  private readonly startOffsets = new Map<number, bigint>()
  /** a crash before start() returned: kafkajs reports a failed join so, not by rejecting */
  private crashed: Error | null = null
  private running = false
  private failed = false
  private checking = false
  private timer: NodeJS.Timeout | null = null
  private stopping = false

  constructor(private readonly opts: MonitorOptions) {}

  /** Starts the consumer; resolves once it has joined its group, rejects if it could not. */
  async start(): Promise<void> {
    const c = this.opts.create((level, message) => {
      if (level === 'error') this.lastError = message
      this.opts.notice(level, message)
    })
    this.consumer = c
    c.watch({
      crash: (err) => (this.running ? this.fail(`crashed (${err.message})`) : (this.crashed ??= err)),
      // A crash stops the consumer first and reports the crash a moment later: give it that moment.
      stop: () => void setTimeout(() => this.running && this.fail('stopped on its own'), 1_000),
      join: (assignment) => this.onJoin(assignment),
      // kafkajs rejoins by itself (or crashes, which is heard above); until then no stall checks.
      rebalance: () => (this.joined = false),
    })
    try {
      await this.noteCommitted()
      await c.start()
      if (this.crashed) throw this.crashed
    } catch (err) {
      this.lastError = (err as Error).message
      await this.stop()
      throw err
    }
    this.running = true
    const every = Math.max(100, Math.min(5_000, Math.floor(this.opts.stallMs / 3)))
    this.timer = setInterval(() => void this.check(), every)
  }

  /** Stops the consumer within a time limit; one that will not stop is left behind, with a notice. */
  async stop(): Promise<void> {
    this.stopping = true
    this.running = false
    if (this.timer) clearInterval(this.timer)
    const c = this.consumer
    if (!c) return
    const limit = this.opts.stopTimeoutMs ?? 15_000
    if (!(await settlesWithin(c.stop(), limit))) {
      this.opts.notice('warn', `a Kafka consumer did not stop within ${limit / 1000} s; it was left behind`)
    }
  }

  stats(): ConsumerStats {
    return this.consumer?.stats() ?? { ...NO_CONSUMER_STATS }
  }

  /** the latest failure in words (ConsumerHealth.lastError) */
  lastFailure(): string | null {
    return this.lastError
  }

  /** kafkajs moved a partition to its log start because the records it wanted were deleted. */
  async offsetReset(r: OffsetReset): Promise<void> {
    if (r.topic !== this.opts.topic) return
    const known = this.consumer?.position(r.topic, r.partition) ?? this.startOffsets.get(r.partition)
    const to = await this.opts.logStart(r.partition).catch(() => null)
    const message = describeOffsetReset({ ...r, from: known ?? null, to })
    this.lastError = message
    this.opts.notice('error', message)
  }

  private onJoin(assignment: IMemberAssignment): void {
    this.joined = true
    this.assigned = [...(assignment[this.opts.topic] ?? [])]
  }

  /**
   * Notes where the group stands before the consumer starts: should kafkajs reset a partition before
   * this consumer commits on it, that is where the skip began. Asked before the start, because the
   * reset itself overwrites the commit.
   */
  private async noteCommitted(): Promise<void> {
    const noted = this.opts
      .committed()
      .then((m) => m.forEach((off, p) => off >= 0n && this.startOffsets.set(p, off)))
    await settlesWithin(noted, 5_000)
  }

  private fail(reason: string): void {
    if (this.stopping || this.failed) return
    this.failed = true
    this.running = false
    if (this.timer) clearInterval(this.timer)
    this.lastError = `Kafka consumer ${reason}`
    this.opts.onFailure(this.lastError)
  }

  private async check(): Promise<void> {
    const c = this.consumer
    if (!c || !this.running || !this.joined || this.checking) return
    const stallMs = this.opts.stallMs
    if (!mayBeStalled({ now: Date.now(), ...c.activity(), stallMs })) return
    this.checking = true
    try {
      const lag = await this.opts.lag(this.assigned).catch(() => null)
      const now = Date.now()
      const seen = c.activity()
      if (isStalled({ now, ...seen, lag, stallMs })) {
        const idle = Math.round((now - seen.lastActivityAt) / 1000)
        this.fail(`stalled: ${lag} records wait and nothing was written for ${idle} s`)
      }
    } finally {
      this.checking = false
    }
  }
}
