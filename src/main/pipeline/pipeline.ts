import type { Admin, Kafka } from 'kafkajs'
import type pg from 'pg'
import type { AlertLevel, FeedError, PipelineState, PipelineStatus } from '../../shared/status'
import type { RunSpan } from '../../shared/windows'
import { ensureTopic } from '../kafka/topics'
import type { KafkaConnection } from '../kafka/client'
import { consumerLag } from './consumer'
import { ConsumerThread } from './consumer-thread'
import { addFeedError, feedErrorOf } from './feed-errors'
import { Ingest } from './ingest'
import { TradeProducer } from './producer'
import { RejectSink } from './reject-sink'
import { createRecorder, type Recorder } from './sources/recorder'
import type { TradeSource } from './sources/source'

/** A failure in words, raised once (conditions such as drops are the alert rules' job). */
export interface Notice {
  level: AlertLevel
  message: string
  at: number
}

export interface PipelineOptions {
  kafka: Kafka
  pool: pg.Pool
  /** what the consumer thread builds its own Kafka client and pool from */
  connection: KafkaConnection
  database: { url: string; schema: string }
  source: TradeSource
  topic: string
  partitions: number
  groupId: string
  bufferCapacity: number
  /** also record every received frame to this JSONL file */
  recordFile?: string
  describe: { kafka: PipelineStatus['kafka']; postgres: PipelineStatus['postgres'] }
  statusIntervalMs?: number
  /** no batch for this long while records wait: the consumer is restarted (default 30 s) */
  consumerStallMs?: number
}

/**
 * source → ingest → producer → Kafka → consumer → writer → PostgreSQL, started and drained as one.
 * Status is sampled on a timer (never per trade) and handed to listeners.
 */
export class Pipeline {
  readonly source: TradeSource
  private readonly producer: TradeProducer
  private readonly consumer: ConsumerThread
  private readonly rejects: RejectSink
  private readonly ingest: Ingest
  private readonly admin: Admin
  private recorder: Recorder | null = null
  private state: PipelineState = 'stopped'
  private detail: string | null = null
  private lag: number | null = null
  private timer: NodeJS.Timeout | null = null
  private last = { at: Date.now(), received: 0, written: 0 }
  private rates = { received: 0, written: 0 }
  private feedErrors: FeedError[] = []
  private span: RunSpan | null = null
  private statusListeners = new Set<(s: PipelineStatus) => void>()
  private alertListeners = new Set<(a: Notice) => void>()

  constructor(private readonly opts: PipelineOptions) {
    this.source = opts.source
    const alertError = (m: string): void => this.alert('error', m)
    this.producer = new TradeProducer(opts.kafka, {
      topic: opts.topic,
      capacity: opts.bufferCapacity,
      onError: alertError,
    })
    this.consumer = new ConsumerThread(
      {
        connection: opts.connection,
        database: opts.database,
        options: { topic: opts.topic, groupId: opts.groupId, concurrency: opts.partitions },
        stallMs: opts.consumerStallMs,
      },
      { onNotice: (level, m) => this.alert(level, m) },
    )
    this.rejects = new RejectSink(opts.pool, { onError: alertError })
    this.ingest = new Ingest(
      this.producer,
      (r) => this.rejects.add(r),
      (msg) => {
        this.feedErrors = addFeedError(this.feedErrors, feedErrorOf(msg, Date.now()))
        this.alert('warn', `Finnhub: ${msg}`)
      },
    )
    this.admin = opts.kafka.admin()
  }

  async start(): Promise<void> {
    this.span = { startedAt: Date.now(), stoppedAt: null }
    this.setState('starting', 'creating the topic and connecting to Kafka')
    try {
      await this.admin.connect().catch((err: Error) => {
        throw new Error(`cannot reach Kafka at ${this.opts.describe.kafka.bootstrap}: ${err.message}`, {
          cause: err,
        })
      })
      const topic = await ensureTopic(this.opts.kafka, this.opts.topic, this.opts.partitions)
      for (const w of topic.warnings) this.alert('warn', w)
      await this.producer.start()
      await this.consumer.start()
      if (this.opts.recordFile) {
        this.recorder = createRecorder(this.opts.recordFile, this.ingest, {
          onError: (e) => this.alert('warn', `recording stopped: ${e.message}`),
        })
      }
      const sink = this.recorder ?? this.ingest
      this.source.onStatus((s) => {
        if (s.state === 'failed') this.alert('error', s.detail ?? 'the source failed')
      })
      await this.source.start(sink)
    } catch (err) {
      this.setState('failed', (err as Error).message)
      await this.shutdown(0).catch(() => undefined)
      throw err
    }
    this.timer = setInterval(() => void this.tick(), this.opts.statusIntervalMs ?? 1_000)
    this.setState('running', null)
  }

  /**
   * Stops the source, then lets everything already received reach PostgreSQL: the producer
   * flushes, and the consumer runs until its lag is zero (or the time is up).
   */
  async stop(drainTimeoutMs = 30_000): Promise<void> {
    if (this.state === 'stopped') return
    this.setState('draining', 'writing what is in flight')
    await this.shutdown(drainTimeoutMs)
    this.setState('stopped', null)
  }

  /** When this run started, and stopped unless it still runs; null before start(). */
  run(): RunSpan | null {
    return this.span && { ...this.span }
  }

  /** Resolves when everything produced so far is committed to PostgreSQL (false on timeout). */
  async waitForLag0(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const produced = this.producer.stats().produced
      try {
        this.lag = await consumerLag(this.admin, this.opts.groupId, this.opts.topic)
      } catch {
        this.lag = null
      }
      if (this.lag === 0 && this.producer.stats().produced === produced) return true
      if (Date.now() >= deadline) return false
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  status(): PipelineStatus {
    const p = this.producer.stats()
    const c = this.consumer.stats()
    const s = this.source.status()
    return {
      state: this.state,
      detail: this.detail,
      source: { kind: s.kind, state: s.state, detail: s.detail ?? null, reconnects: s.reconnects },
      symbols: this.source.symbols(),
      counters: {
        received: this.ingest.counters.trades,
        produced: p.produced,
        dropped: p.dropped + this.rejects.dropped,
        buffered: p.buffered,
        consumed: c.consumed,
        written: c.written,
        duplicates: c.duplicates,
        rejected: this.rejects.stored + c.rejected,
      },
      rates: { ...this.rates },
      lag: this.lag,
      feedErrors: [...this.feedErrors],
      consumer: this.consumer.health(),
      kafka: this.opts.describe.kafka,
      postgres: this.opts.describe.postgres,
      at: Date.now(),
    }
  }

  onStatus(listener: (s: PipelineStatus) => void): () => void {
    this.statusListeners.add(listener)
    return () => this.statusListeners.delete(listener)
  }

  onAlert(listener: (a: Notice) => void): () => void {
    this.alertListeners.add(listener)
    return () => this.alertListeners.delete(listener)
  }

  private async shutdown(drainTimeoutMs: number): Promise<void> {
    if (this.span && this.span.stoppedAt === null) this.span.stoppedAt = Date.now()
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.source.stop()
    await this.recorder?.close()
    await this.producer.stop(drainTimeoutMs).catch(() => undefined)
    if (drainTimeoutMs > 0 && !(await this.waitForLag0(drainTimeoutMs))) {
      this.alert('warn', 'stopped before every record was written; they stay in Kafka for the next start')
    }
    await this.consumer.stop().catch(() => undefined)
    await this.rejects.close()
    await this.admin.disconnect().catch(() => undefined)
    await this.tick(false)
  }

  private async tick(withLag = true): Promise<void> {
    if (withLag) {
      try {
        this.lag = await consumerLag(this.admin, this.opts.groupId, this.opts.topic)
      } catch {
        // lag is informative only; a broker hiccup shows as unknown
      }
    }
    const now = Date.now()
    const st = this.status()
    const secs = Math.max((now - this.last.at) / 1000, 0.001)
    this.rates = {
      received: (st.counters.received - this.last.received) / secs,
      written: (st.counters.written - this.last.written) / secs,
    }
    this.last = { at: now, received: st.counters.received, written: st.counters.written }
    this.emitStatus({ ...st, rates: { ...this.rates } })
  }

  private setState(state: PipelineState, detail: string | null): void {
    this.state = state
    this.detail = detail
    this.emitStatus(this.status())
  }

  private emitStatus(s: PipelineStatus): void {
    for (const l of this.statusListeners) l(s)
  }

  private alert(level: AlertLevel, message: string): void {
    const a: Notice = { level, message, at: Date.now() }
    for (const l of this.alertListeners) l(a)
  }
}
