import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer } from 'kafkajs'
import type { FinnhubTrade } from '../../shared/trade'
import { encodeTrade } from './record-codec'
import { BoundedBuffer } from './trade-buffer'
import { TradeIds } from './trade-id'

export interface ProducerOptions {
  topic: string
  /** trades held while Kafka is slow; beyond it they are dropped and counted */
  capacity: number
  /** most records in one send() */
  maxBatch?: number
  /** sends awaiting their acks at once; more overlap hides the broker round trip */
  maxInFlight?: number
  /** pause after a failed send before trying again */
  retryDelayMs?: number
  onError?: (message: string) => void
  /** the trade id session (see trade-id.ts); random by default, fixed only in tests */
  idSession?: string
}

export interface ProducerStats {
  /** trades handed to the producer */
  received: number
  /** trades the broker acknowledged */
  produced: number
  /** trades dropped because the buffer was full */
  dropped: number
  buffered: number
  inFlight: number
  sendErrors: number
  lastError: string | null
}

/**
 * Sends trades to Kafka without ever making the source wait per trade: trades go into a bounded
 * buffer, and a loop sends whatever has gathered as one batch while earlier batches await their
 * acks. Under load the batches grow by themselves, which is where the throughput comes from.
 */
export class TradeProducer {
  private readonly producer: Producer
  private readonly buffer: BoundedBuffer<Message>
  private readonly maxBatch: number
  private readonly maxInFlight: number
  private readonly retryDelayMs: number
  private readonly ids: TradeIds
  private running = false
  private loopDone: Promise<void> = Promise.resolve()
  private inFlight = 0
  private slotWaiters: (() => void)[] = []
  private idleWaiters: (() => void)[] = []
  private counts = { received: 0, produced: 0, sendErrors: 0 }
  private lastError: string | null = null

  constructor(
    kafka: Kafka,
    private readonly opts: ProducerOptions,
  ) {
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    })
    // kafkajs groups each send per partition with an O(n²) array spread, so a 5,000-record send
    // spends more CPU copying than it saves in round trips; 1,000 × 8 in flight keeps the pipe full.
    this.maxBatch = opts.maxBatch ?? 1_000
    this.maxInFlight = opts.maxInFlight ?? 8
    // A patient source (replay) pauses once a few batches wait, not at half the capacity: filling
    // 100k trades in one go blocks the event loop for ~0.5 s, and the consumer in the same
    // process stalls behind it. The capacity still bounds what an impatient (live) source may queue.
    const highWater = Math.min(Math.floor(opts.capacity / 2), this.maxBatch * this.maxInFlight)
    this.buffer = new BoundedBuffer<Message>(opts.capacity, highWater)
    this.retryDelayMs = opts.retryDelayMs ?? 1_000
    this.ids = new TradeIds(opts.idSession)
  }

  async start(): Promise<void> {
    await this.producer.connect()
    this.running = true
    this.loopDone = this.loop()
  }

  /**
   * Queues a frame's trades; false means "above the high-water mark, a patient source should wait".
   * Each trade gets its id here, once: a record that is sent again (our retry below, or kafkajs's)
   * carries the same id, so PostgreSQL stores it once.
   */
  enqueue(trades: readonly FinnhubTrade[], receivedAt: number): boolean {
    this.counts.received += trades.length
    const prefix = this.ids.nextFrame()
    return this.buffer.push(trades.map((t, i) => encodeTrade(t, receivedAt, prefix + i)))
  }

  drain(): Promise<void> {
    return this.buffer.drain()
  }

  /** Resolves true once everything queued has been acknowledged, false if the time ran out. */
  async flush(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (this.buffer.length > 0 || this.inFlight > 0) {
      const left = deadline - Date.now()
      if (left <= 0) return false
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200))
        this.idleWaiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
    return true
  }

  /** Flushes for up to timeoutMs, then disconnects; what could not be sent is counted as dropped. */
  async stop(timeoutMs = 10_000): Promise<void> {
    await this.flush(timeoutMs)
    this.running = false
    this.buffer.wakeAll()
    this.wakeSlots()
    await this.loopDone
    this.buffer.dropped += this.buffer.take(Number.MAX_SAFE_INTEGER).length
    await this.producer.disconnect()
  }

  stats(): ProducerStats {
    return {
      ...this.counts,
      dropped: this.buffer.dropped,
      buffered: this.buffer.length,
      inFlight: this.inFlight,
      lastError: this.lastError,
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      await this.buffer.whenData()
      while (this.running && this.inFlight >= this.maxInFlight) {
        await new Promise<void>((resolve) => this.slotWaiters.push(resolve))
      }
      if (!this.running) break
      const batch = this.buffer.take(this.maxBatch)
      if (batch.length === 0) continue
      this.inFlight++
      void this.send(batch).finally(() => {
        this.inFlight--
        this.wakeSlots()
        if (this.inFlight === 0 && this.buffer.length === 0) this.idleWaiters.splice(0).forEach((w) => w())
      })
    }
  }

  private async send(batch: Message[]): Promise<void> {
    try {
      await this.producer.send({
        topic: this.opts.topic,
        messages: batch,
        // every in-sync copy: with min.insync.replicas 2, an acked trade outlives one broker
        acks: -1,
        compression: CompressionTypes.None,
      })
      this.counts.produced += batch.length
      this.lastError = null
    } catch (err) {
      // Keep the trades: back at the front of the buffer, and try again after a pause.
      this.counts.sendErrors++
      this.lastError = `Kafka send failed: ${(err as Error).message}`
      this.opts.onError?.(this.lastError)
      this.buffer.unshift(batch)
      await new Promise((r) => setTimeout(r, this.retryDelayMs))
    }
  }

  private wakeSlots(): void {
    this.slotWaiters.splice(0).forEach((w) => w())
  }
}
