import type { IMemberAssignment } from 'kafkajs'
import type { AlertLevel, ConsumerHealth } from '../../shared/status'
import { addStats, NO_CONSUMER_STATS, type ConsumerStats, type ConsumerWatch } from './consumer'
import {
  describeOffsetReset,
  isStalled,
  mayBeStalled,
  restartDelay,
  type OffsetReset,
} from './consumer-health'
import { settlesWithin, Sleeper } from '../base/time-limit'

/** The part of TradeConsumer a supervisor drives (a fake in the unit tests). */
export interface SupervisedConsumer {
  start(): Promise<void>
  stop(): Promise<void>
  watch(w: ConsumerWatch): void
  stats(): ConsumerStats
  activity(): { inHand: number; lastActivityAt: number }
  position(topic: string, partition: number): bigint | undefined
}

export interface SupervisorOptions {
  topic: string
  /** a fresh consumer: a crashed kafkajs consumer is replaced, not revived */
  create(notice: (level: AlertLevel, message: string) => void): SupervisedConsumer
  /** uncommitted records on these partitions */
  lag(partitions: readonly number[]): Promise<number>
  /** the group's committed offsets (next to read) per partition; negative means none */
  committed(): Promise<Map<number, bigint>>
  /** a partition's log start offset: where a reset to the earliest offset lands */
  logStart(partition: number): Promise<bigint>
  notice(level: AlertLevel, message: string): void
  /** no batch for this long while records wait counts as a stall */
  stallMs: number
  /** how long a consumer may take to stop before it is left behind; default 15 s */
  stopTimeoutMs?: number
  random?: () => number
}

/**
 * Keeps one TradeConsumer alive inside the consumer thread. kafkajs can crash or stop a consumer,
 * or leave it fetching nothing, without any error reaching us; each of those becomes a notice and a
 * restart with capped backoff. Restarting is safe because offsets are committed only after their
 * rows (DESIGN invariant 2): the new consumer resumes at the last commit.
 */
export class ConsumerSupervisor {
  private current: SupervisedConsumer | null = null
  /** counters of consumers already replaced, so the totals never go backwards */
  private retired: ConsumerStats = { ...NO_CONSUMER_STATS }
  private state: ConsumerHealth['state'] = 'stopped'
  private lastError: string | null = null
  private restarts = 0
  /** consecutive restarts without a good run in between: the backoff's attempt number */
  private attempt = 0
  private startedAt = 0
  private joined = false
  private assigned: number[] = []
  /** the group's commits as a consumer started: where it resumes until it commits itself */
  private readonly startOffsets = new Map<number, bigint>()
  private restarting: Promise<void> | null = null
  private reason = ''
  private checking = false
  private timer: NodeJS.Timeout | null = null
  private stopping = false
  private readonly backoff = new Sleeper()

  constructor(private readonly opts: SupervisorOptions) {}

  /** Starts the first consumer; a failure here is the caller's to report (nothing ran yet). */
  async start(): Promise<void> {
    this.state = 'starting'
    const c = this.spawn()
    try {
      await this.launch(c)
    } catch (err) {
      this.state = 'failed'
      this.lastError = (err as Error).message
      this.current = null
      await this.retire(c)
      throw err
    }
    const every = Math.max(100, Math.min(5_000, Math.floor(this.opts.stallMs / 3)))
    this.timer = setInterval(() => void this.check(), every)
  }

  async stop(): Promise<void> {
    this.stopping = true
    if (this.timer) clearInterval(this.timer)
    this.backoff.wake()
    // A restart in progress ends with its consumer as `current`, which is stopped next.
    if (this.restarting) await settlesWithin(this.restarting, this.opts.stopTimeoutMs ?? 15_000)
    const c = this.current
    this.current = null
    if (c) await this.retire(c)
    this.state = 'stopped'
  }

  stats(): ConsumerStats {
    return addStats(this.retired, this.current?.stats() ?? NO_CONSUMER_STATS)
  }

  health(): ConsumerHealth {
    const { lastBatchAt } = this.stats()
    return { state: this.state, lastBatchAt, lastError: this.lastError, restarts: this.restarts }
  }

  /** kafkajs moved a partition to its log start because the records it wanted were deleted. */
  async offsetReset(r: OffsetReset): Promise<void> {
    if (r.topic !== this.opts.topic) return
    const known = this.current?.position(r.topic, r.partition) ?? this.startOffsets.get(r.partition)
    const to = await this.opts.logStart(r.partition).catch(() => null)
    const message = describeOffsetReset({ ...r, from: known ?? null, to })
    this.lastError = message
    this.opts.notice('error', message)
  }

  private spawn(): SupervisedConsumer {
    const c = this.opts.create((level, message) => {
      if (level === 'error') this.lastError = message
      this.opts.notice(level, message)
    })
    this.current = c
    this.startedAt = Date.now()
    this.joined = false
    // Events of a consumer we already replaced or stopped are history, not news.
    c.watch({
      crash: (err) => c === this.current && this.restart(`crashed (${err.message})`),
      // A crash stops the consumer first and reports the crash a moment later: give it that moment.
      stop: () => void setTimeout(() => c === this.current && this.restart('stopped on its own'), 1_000),
      join: (assignment) => c === this.current && this.onJoin(assignment),
      // kafkajs rejoins by itself (or crashes, which is heard above); until then no stall checks.
      rebalance: () => c === this.current && (this.joined = false),
    })
    return c
  }

  private onJoin(assignment: IMemberAssignment): void {
    this.joined = true
    this.state = 'running'
    this.assigned = [...(assignment[this.opts.topic] ?? [])]
  }

  /**
   * Starts a consumer after noting where the group stands: should kafkajs reset a partition before
   * this consumer commits on it, that is where the skip began. Asked before the start, because the
   * reset itself overwrites the commit.
   */
  private async launch(c: SupervisedConsumer): Promise<void> {
    this.startOffsets.clear()
    const noted = this.opts
      .committed()
      .then((m) => m.forEach((off, p) => off >= 0n && this.startOffsets.set(p, off)))
    await settlesWithin(noted, 5_000)
    await c.start()
  }

  private restart(reason: string): void {
    if (this.stopping) return
    this.lastError = `Kafka consumer ${reason}`
    this.reason = reason
    this.restarting ??= this.replace().finally(() => (this.restarting = null))
  }

  private async replace(): Promise<void> {
    this.state = 'restarting'
    const old = this.current
    this.current = null
    if (old) await this.retire(old)
    while (!this.stopping) {
      this.attempt++
      this.restarts++
      const delay = restartDelay(this.attempt, this.opts.random)
      this.opts.notice(
        'warn',
        `Kafka consumer ${this.reason}; restarting it in ${(delay / 1000).toFixed(1)} s (restart ${this.restarts})`,
      )
      await this.backoff.sleep(delay)
      if (this.stopping) return
      this.state = 'starting'
      const c = this.spawn()
      try {
        await this.launch(c)
        return
      } catch (err) {
        this.reason = `could not start (${(err as Error).message})`
        this.lastError = `Kafka consumer ${this.reason}`
        if (this.current === c) this.current = null
        this.state = 'restarting'
        await this.retire(c)
      }
    }
  }

  /** Stops a consumer within a time limit and banks its counters. */
  private async retire(c: SupervisedConsumer): Promise<void> {
    const limit = this.opts.stopTimeoutMs ?? 15_000
    if (!(await settlesWithin(c.stop(), limit))) {
      this.opts.notice('warn', `a Kafka consumer did not stop within ${limit / 1000} s; it was left behind`)
    }
    this.retired = addStats(this.retired, c.stats())
  }

  private async check(): Promise<void> {
    const c = this.current
    if (!c || !this.joined || this.restarting || this.checking) return
    const stallMs = this.opts.stallMs
    const { lastBatchAt } = c.stats()
    // A consumer that has written since it (re)started, or ran a while without trouble, is healthy.
    if ((lastBatchAt ?? 0) > this.startedAt || Date.now() - this.startedAt >= stallMs) this.attempt = 0
    if (!mayBeStalled({ now: Date.now(), ...c.activity(), stallMs })) return
    this.checking = true
    try {
      const lag = await this.opts.lag(this.assigned).catch(() => null)
      const now = Date.now()
      const seen = c.activity()
      if (c === this.current && isStalled({ now, ...seen, lag, stallMs })) {
        const idle = Math.round((now - seen.lastActivityAt) / 1000)
        this.restart(`stalled: ${lag} records wait and nothing was written for ${idle} s`)
      }
    } finally {
      this.checking = false
    }
  }
}
