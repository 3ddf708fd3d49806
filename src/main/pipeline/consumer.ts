import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs'
import type pg from 'pg'
import type { Reject } from '../../shared/trade'
import { lagOf, nextOffset } from './offsets'
import { decodeRecord, type TradeRow } from './record-codec'
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
  onError?: (message: string) => void
}

export interface ConsumerStats {
  consumed: number
  written: number
  duplicates: number
  rejected: number
  batches: number
  writeErrors: number
  lastError: string | null
}

/** A consumer that has not consumed anything yet. */
export const NO_CONSUMER_STATS: Readonly<ConsumerStats> = {
  consumed: 0,
  written: 0,
  duplicates: 0,
  rejected: 0,
  batches: 0,
  writeErrors: 0,
  lastError: null,
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

  constructor(
    kafka: Kafka,
    private readonly pool: pg.Pool,
    private readonly opts: ConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: opts.groupId,
      // Low wait keeps latency in milliseconds when the feed is slow; under load batches fill anyway.
      maxWaitTimeInMs: 50,
      sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
      retry: { retries: 10 },
    })
  }

  async start(): Promise<void> {
    await this.consumer.connect()
    await this.consumer.subscribe({ topic: this.opts.topic, fromBeginning: true })
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.concurrency,
      eachBatch: (payload) => this.handleBatch(payload),
    })
  }

  /** Stops fetching; kafkajs lets the batch in hand finish (and commit) first. */
  async stop(): Promise<void> {
    await this.consumer.disconnect()
  }

  stats(): ConsumerStats {
    return { ...this.counts }
  }

  private async handleBatch(p: EachBatchPayload): Promise<void> {
    const { batch } = p
    if (batch.messages.length === 0) return
    const consumedAt = Date.now()
    const rows: TradeRow[] = []
    const rejects: Reject[] = []
    for (const m of batch.messages) {
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
        break
      } catch (err) {
        this.counts.writeErrors++
        this.counts.lastError = `PostgreSQL write failed: ${(err as Error).message}`
        this.opts.onError?.(this.counts.lastError)
        // Leaving without a commit is safe: the records are fetched again by whoever owns them next.
        if (!p.isRunning() || p.isStale()) return
        await new Promise((r) => setTimeout(r, delay))
        delay = Math.min(delay * 2, this.opts.maxRetryDelayMs ?? 10_000)
        await p.heartbeat().catch(() => undefined)
      }
    }

    const last = batch.messages[batch.messages.length - 1]!.offset
    p.resolveOffset(last)
    await p.commitOffsetsIfNecessary({
      topics: [
        { topic: batch.topic, partitions: [{ partition: batch.partition, offset: nextOffset(last) }] },
      ],
    })
    this.counts.batches++
    await p.heartbeat()
  }
}

/** Records in the topic not yet committed by the group: the consumer lag. */
export async function consumerLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ])
  const done = new Map<number, bigint>()
  for (const p of committed[0]?.partitions ?? []) done.set(p.partition, BigInt(p.offset))
  return Number(lagOf(ends, done))
}
