import type { Consumer, EachBatchPayload, IMemberAssignment, Kafka } from 'kafkajs'
import type pg from 'pg'
import type { AlertLevel } from '../../../shared/status'
import type { Reject } from '../../../shared/trade'
import { diskFullNotice, isDiskFullError } from '../../postgres/disk-full'
import { nextOffset } from './offsets'
import { decodeRecord, type TradeRow } from '../record-codec'
import { Sleeper } from '../../base/time-limit'
import { writeBatch } from './writer'

export interface ConsumerOptions {
  topic: string
  groupId: string
  /** partitions written concurrently: each in-flight write holds one pooled connection */
  concurrency: number
  /** first pause after a failed DB write; doubles up to maxRetryDelayMs */
  retryDelayMs?: number
  maxRetryDelayMs?: number
  /** how long the group waits for a silent member before handing its partitions on */
  sessionTimeoutMs?: number
  /**
   * false: kafkajs does not restart a crashed consumer itself, because the writer's one restart
   * layer (consumer-thread.ts) replaces it and counts the restart. Default true.
   */
  kafkaRestarts?: boolean
  /** the embedded cluster's directory: a full disk under it is named in the notice (disk-full.ts) */
  diskDir?: string
  /** a failure (or recovery) in words; raised once per streak, not per retry */
  onNotice?: (level: AlertLevel, message: string) => void
}

/** The longest stretch of a write-retry pause without a heartbeat (the session is 10 s). */
export const HEARTBEAT_SLICE_MS = 2_000

/** `ms` cut into pauses of at most `slice` ms, for a heartbeat between them. */
export function pauseSlices(ms: number, slice: number): number[] {
  const slices: number[] = []
  for (let left = ms; left > 0; left -= slice) slices.push(Math.min(slice, left))
  return slices
}

/** kafkajs's lifecycle events, for the monitor (consumer-monitor.ts). */
export interface ConsumerWatch {
  crash(error: Error): void
  /** kafkajs stopped the consumer (after a crash, or on its own) */
  stop(): void
  /** joined the group and got these partitions */
  join(assignment: IMemberAssignment): void
  /** the group is rebalancing: no batches until the next join, and that is not a stall */
  rebalance(): void
}

export interface ConsumerStats {
  consumed: number
  /** key and value bytes of the records consumed, for the mean size of a record (the backlog alert) */
  consumedBytes: number
  written: number
  duplicates: number
  rejected: number
  batches: number
  writeErrors: number
  lastError: string | null
  /** ms epoch the last batch was committed */
  lastBatchAt: number | null
}

/** A consumer that has not consumed anything yet. */
export const NO_CONSUMER_STATS: Readonly<ConsumerStats> = {
  consumed: 0,
  consumedBytes: 0,
  written: 0,
  duplicates: 0,
  rejected: 0,
  batches: 0,
  writeErrors: 0,
  lastError: null,
  lastBatchAt: null,
}

/**
 * Kafka's framing of one record in a v2 batch (length, attributes, timestamp and offset deltas, key
 * and value lengths, header count: varints) plus its share of the 61-byte batch header. Measured
 * with Kafka 4.4: 128.3 bytes per record in the log for 118.3 of key and value, in batches of 500;
 * smaller batches carry more of the header each.
 */
export const RECORD_FRAMING_BYTES = 12

/** Bytes a consumed record takes in the log, estimated from what was read; null before any. */
export function recordBytesOf(s: Pick<ConsumerStats, 'consumed' | 'consumedBytes'>): number | null {
  return s.consumed > 0 ? s.consumedBytes / s.consumed + RECORD_FRAMING_BYTES : null
}

/** Counters of two consumers (one replaced by the other) as one; the newer's last error stands. */
export function addStats(older: ConsumerStats, newer: ConsumerStats): ConsumerStats {
  return {
    consumed: older.consumed + newer.consumed,
    consumedBytes: older.consumedBytes + newer.consumedBytes,
    written: older.written + newer.written,
    duplicates: older.duplicates + newer.duplicates,
    rejected: older.rejected + newer.rejected,
    batches: older.batches + newer.batches,
    writeErrors: older.writeErrors + newer.writeErrors,
    lastError: newer.lastError,
    lastBatchAt: Math.max(older.lastBatchAt ?? 0, newer.lastBatchAt ?? 0) || null,
  }
}

/**
 * Kafka → PostgreSQL. Each batch (one partition) becomes one DB transaction, and its offsets are
 * committed only after that transaction commits (DESIGN invariant 2). While the database is down
 * the batch is retried in place: the partition stops fetching, which is the backpressure, and
 * nothing is committed, so nothing is lost.
 */
export class TradeConsumer {
  private readonly consumer: Consumer
  private counts: ConsumerStats = { ...NO_CONSUMER_STATS }
  private inHand = 0
  private lastActivity = Date.now()
  private failing = false
  /** the failing streak has seen a full disk: said once, even when another error came first */
  private diskFull = false
  private stopping = false
  private readonly retryPause = new Sleeper()
  /** per "topic:partition", the next offset after the last batch this consumer committed */
  private readonly positions = new Map<string, bigint>()

  constructor(
    kafka: Kafka,
    private readonly pool: pg.Pool,
    private readonly opts: ConsumerOptions,
  ) {
    const selfRestart = opts.kafkaRestarts ?? true
    this.consumer = kafka.consumer({
      groupId: opts.groupId,
      // Low wait keeps latency in milliseconds when the feed is slow; under load batches fill anyway.
      maxWaitTimeInMs: 50,
      // A consumer that comes back after the broker or the process died joins as a new member, and
      // the group waits this long for the old one. With kafkajs's 30 s that wait was half of a
      // broker kill's recovery (logs: join 16:58:12, joined 16:58:42). kafkajs heartbeats only when
      // asked (at most every 3 s): between batches, and while a batch retries its write, after each
      // failed attempt and every HEARTBEAT_SLICE_MS of the pause. The worker's pool gives up a
      // connect after 5 s (consumer-worker.ts), so no gap comes near 10 s.
      sessionTimeout: opts.sessionTimeoutMs ?? 10_000,
      retry: { retries: 10, restartOnFailure: async () => selfRestart },
    })
  }

  async start(): Promise<void> {
    this.lastActivity = Date.now()
    await this.consumer.connect()
    await this.consumer.subscribe({ topic: this.opts.topic, fromBeginning: true })
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.concurrency,
      eachBatch: (payload) => this.handleBatch(payload),
    })
  }

  /** Call before start(): the monitor hears of crashes, stops and joins. */
  watch(w: ConsumerWatch): void {
    const { CRASH, STOP, GROUP_JOIN, REBALANCING } = this.consumer.events
    this.consumer.on(CRASH, (e) => w.crash(e.payload.error))
    this.consumer.on(STOP, () => w.stop())
    this.consumer.on(REBALANCING, () => w.rebalance())
    this.consumer.on(GROUP_JOIN, (e) => {
      this.lastActivity = Date.now()
      w.join(e.payload.memberAssignment)
    })
  }

  /** Stops fetching; kafkajs lets the batch in hand finish (and commit) first. */
  async stop(): Promise<void> {
    // A batch waiting to retry a failed write gives up now: its records stay uncommitted.
    this.stopping = true
    this.retryPause.wake()
    await this.consumer.disconnect()
  }

  stats(): ConsumerStats {
    return { ...this.counts }
  }

  /** What a stall check needs: batches being written, and the latest sign of life (ms epoch). */
  activity(): { inHand: number; lastActivityAt: number } {
    return { inHand: this.inHand, lastActivityAt: this.lastActivity }
  }

  /** Where this consumer resumes on a partition it has committed in this run; undefined if none. */
  position(topic: string, partition: number): bigint | undefined {
    return this.positions.get(`${topic}:${partition}`)
  }

  private async handleBatch(p: EachBatchPayload): Promise<void> {
    const { batch } = p
    if (batch.messages.length === 0) return
    this.inHand++
    this.lastActivity = Date.now()
    try {
      await this.writeAndCommit(p)
    } finally {
      this.inHand--
      this.lastActivity = Date.now()
    }
  }

  private async writeAndCommit(p: EachBatchPayload): Promise<void> {
    const { batch } = p
    const consumedAt = Date.now()
    const rows: TradeRow[] = []
    const rejects: Reject[] = []
    for (const m of batch.messages) {
      this.counts.consumedBytes += (m.key?.length ?? 0) + (m.value?.length ?? 0)
      const d = decodeRecord(batch.topic, batch.partition, m, consumedAt)
      if (d.ok) rows.push(d.row)
      else rejects.push(d.reject)
    }
    this.counts.consumed += batch.messages.length

    let delay = this.opts.retryDelayMs ?? 500
    for (;;) {
      try {
        const res = await writeBatch(this.pool, rows, rejects)
        this.counts.written += res.inserted
        this.counts.duplicates += res.duplicates
        this.counts.rejected += res.rejected
        this.counts.lastError = null
        if (this.failing) {
          const why = this.diskFull
            ? ': the disk has room again, and the backlog in Kafka is being written'
            : ''
          this.failing = this.diskFull = false
          this.opts.onNotice?.('info', `PostgreSQL writes succeed again${why}`)
        }
        break
      } catch (err) {
        this.counts.writeErrors++
        this.counts.lastError = `PostgreSQL write failed: ${(err as Error).message}`
        // One notice per outage: every partition retries every few seconds until it is over. A full
        // disk gets its own, naming the disk, even when the streak began with a lost connection (a
        // WAL that cannot grow takes the server down, and another partition may hear that first).
        if (isDiskFullError(err) && !this.diskFull) {
          // Measured first, the flags set after: a batch of another partition that still fits
          // while this one waits must not announce "room again" before the disk-full notice.
          const text = await diskFullNotice(err as Error, this.opts.diskDir)
          if (!this.diskFull) {
            this.failing = this.diskFull = true
            this.opts.onNotice?.('error', text)
          }
        } else if (!this.failing) {
          this.failing = true
          this.opts.onNotice?.('error', `${this.counts.lastError}; retrying (nothing is committed meanwhile)`)
        }
        // Leaving without a commit is safe: the records are fetched again by whoever owns them next.
        if (this.stopping || !p.isRunning() || p.isStale()) return
        // A pause of up to 10 s in one piece would outlast the session: heartbeat between slices.
        // A failed heartbeat shows as the rebalance that follows; the retry goes on either way.
        await p.heartbeat().catch(() => undefined)
        for (const slice of pauseSlices(delay, HEARTBEAT_SLICE_MS)) {
          await this.retryPause.sleep(slice)
          if (this.stopping || !p.isRunning() || p.isStale()) return
          await p.heartbeat().catch(() => undefined) // as above
        }
        delay = Math.min(delay * 2, this.opts.maxRetryDelayMs ?? 10_000)
      }
    }

    const last = batch.messages[batch.messages.length - 1]!.offset
    p.resolveOffset(last)
    await p.commitOffsetsIfNecessary({
      topics: [
        { topic: batch.topic, partitions: [{ partition: batch.partition, offset: nextOffset(last) }] },
      ],
    })
    this.positions.set(`${batch.topic}:${batch.partition}`, BigInt(nextOffset(last)))
    this.counts.batches++
    this.counts.lastBatchAt = Date.now()
    await p.heartbeat()
  }
}
