import type { Admin, Kafka } from 'kafkajs'
import type pg from 'pg'
import type { AlertLevel, FeedError, PipelineState, PipelineStatus } from '../../shared/status'
import type { RunSpan } from '../../shared/windows'
import { Emitter } from '../base/emitter'
import { settlesWithin } from '../base/time-limit'
import { applyDiskBudget, ensureTopic } from '../kafka/topics'
import { createKafka, type KafkaConnection } from '../kafka/client'
import { withHandshakeHint } from '../kafka/handshake-hint'
import { appLog, logListenerError } from '../log/logger'
import { maskSecrets } from '../log/redact'
import { DEFAULT_DISK_BUDGET_GB } from '../postgres/retention-plan'
import { NO_CONSUMER_STATS } from './consumer/consumer'
import { consumerLags } from './consumer/consumer-lag'
import { clusterChange, pinCluster } from './cluster-pin'
import { ConsumerThread, NO_CONSUMER_HEALTH } from './consumer/consumer-thread'
import { drainsWholeGroup } from './drain'
import { addFeedError, feedErrorOf } from './feed-errors'
import { Ingest } from './ingest'
import { pipelineStatus } from './pipeline-status'
import { TradeProducer } from './producer'
import { RejectSink } from './reject-sink'
import { roleParts, type PipelineRole } from './role'
import { createRecorder, type Recorder } from './sources/recorder'
import { prepareRecordFile } from './sources/recordings'
import type { TradeSource } from './sources/source'

/** A failure in words, raised once (conditions such as drops are the alert rules' job). */
export interface Notice {
  level: AlertLevel
  message: string
  at: number
}

export interface PipelineOptions {
  /** asked, as the pipeline starts, which cluster it is on */
  kafka: Kafka
  pool: pg.Pool
  /**
   * What the pipeline builds its own Kafka clients from (the consumer thread's too), pinned to the
   * cluster `kafka` reported at start: `connection.clusterId` if set, else whatever answered.
   */
  connection: KafkaConnection
  /** diskDir: the embedded cluster's directory, named when its disk is full; none for an external server */
  database: { url: string; schema: string; diskDir?: string }
  source: TradeSource
  topic: string
  partitions: number
  groupId: string
  /** which half this process runs (role.ts); default 'all' */
  role?: PipelineRole
  bufferCapacity: number
  /** sizes a topic on the broker Tickflow runs (kafka/topic-size.ts); default DEFAULT_DISK_BUDGET_GB */
  diskBudgetGb?: number
  /** also record every received frame to this JSONL file */
  recordFile?: string
  describe: { kafka: PipelineStatus['kafka']; postgres: PipelineStatus['postgres'] }
  /** the latest disk use, measured elsewhere on a timer of its own (never per status) */
  storage?: () => PipelineStatus['storage']
  statusIntervalMs?: number
  /** no batch for this long while records wait: the consumer is restarted (default 30 s) */
  consumerStallMs?: number
}

/**
 * source → ingest → producer → Kafka → consumer → writer → PostgreSQL, started and drained as one.
 * Status is sampled on a timer (never per trade) and handed to listeners. A role runs one half:
 * `ingest` up to Kafka, `write` from Kafka on, as one member of its consumer group.
 *
 * It talks to one Kafka cluster only: the one it found at start. Its clients refuse a broker of
 * another cluster on the same address (cluster-gate.ts), and the status tick compares the id
 * too; on a mismatch it stops producing and consuming and fails, saying why.
 */
export class Pipeline {
  readonly source: TradeSource
  readonly role: PipelineRole
  private readonly kafka: Kafka
  private readonly producer: TradeProducer
  private consumer: ConsumerThread | null = null
  private readonly rejects: RejectSink
  private readonly ingest: Ingest
  private readonly admin: Admin
  private clusterId: string | undefined
  private ending: Promise<void> | null = null
  private ticking = false
  private recorder: Recorder | null = null
  private state: PipelineState = 'stopped'
  private detail: string | null = null
  private lag: number | null = null
  private maxPartitionLag: number | null = null
  /** the topic's retention.bytes per partition, as ensureTopic found or made it */
  private retentionBytes: number | null = null
  private timer: NodeJS.Timeout | null = null
  private last = { at: Date.now(), received: 0, written: 0 }
  private rates = { received: 0, written: 0 }
  private feedErrors: FeedError[] = []
  private span: RunSpan | null = null
  // A listener that throws is logged; it must not abort start() or stop() halfway.
  private readonly statusListeners = new Emitter<PipelineStatus>(logListenerError('pipeline', 'status'))
  private readonly alertListeners = new Emitter<Notice>(logListenerError('pipeline', 'alert'))

  constructor(private readonly opts: PipelineOptions) {
    this.source = opts.source
    this.role = opts.role ?? 'all'
    const alertError = (m: string): void => this.alert('error', m)
    // Pinned once start() has learnt the cluster id; nothing connects before that.
    this.kafka = createKafka(opts.connection, {
      expectCluster: () => this.clusterId,
      onClusterMismatch: (m) => this.wrongCluster(m),
    })
    this.producer = new TradeProducer(this.kafka, {
      topic: opts.topic,
      capacity: opts.bufferCapacity,
      onError: alertError,
    })
    // The source's rejects go to PostgreSQL in every role that has a source, `ingest` too: they
    // are stored with their raw text (DESIGN invariant 1), and a frame that never became a trade
    // has no Kafka record a writer could store it from. They are rare and wait in the sink's
    // bounded queue while the database is away, so PostgreSQL never holds up the feed.
    this.rejects = new RejectSink(opts.pool, { onError: alertError })
    this.ingest = new Ingest(
      this.producer,
      (r) => this.rejects.add(r),
      (msg) => {
        this.feedErrors = addFeedError(this.feedErrors, feedErrorOf(msg, Date.now()))
        this.alert('warn', `Finnhub: ${msg}`)
      },
    )
    this.admin = this.kafka.admin()
  }

  /**
   * Resolves once the source is open and trades flow into Kafka (role `write`: once the topic
   * exists, created here if the writer comes first). The writer joins its consumer
   * group in the background (status().consumer says when it runs): after a crash that join waits
   * for the group to give up on the dead member, and a live feed must not wait with it.
   */
  async start(): Promise<void> {
    this.span = { startedAt: Date.now(), stoppedAt: null }
    this.setState('starting', 'creating the topic and connecting to Kafka')
    try {
      const where = this.opts.describe.kafka.bootstrap
      this.clusterId = await pinCluster(this.opts.kafka, this.opts.connection.clusterId, where)
      // The broker Tickflow runs keeps its log in the data dir, under the disk budget: its topic is
      // sized to it. A cluster of someone else's is not ours to size, nor is its disk in the budget.
      const owned = this.opts.describe.kafka.managed
      const topic = await ensureTopic(this.kafka, this.opts.topic, this.opts.partitions, {
        diskBudgetGb: owned ? (this.opts.diskBudgetGb ?? DEFAULT_DISK_BUDGET_GB) : undefined,
        owned,
      })
      for (const w of topic.warnings) this.alert('warn', w)
      if (topic.resized.length > 0)
        appLog('pipeline').info(
          `topic ${this.opts.topic} sized to the disk budget: ${topic.resized.join(', ')}`,
        )
      this.retentionBytes = topic.retentionBytes
      await this.admin.connect()
      const parts = roleParts(this.role)
      if (parts.writer) {
        this.consumer = new ConsumerThread(
          {
            connection: { ...this.opts.connection, clusterId: this.clusterId },
            database: this.opts.database,
            options: {
              topic: this.opts.topic,
              groupId: this.opts.groupId,
              concurrency: this.opts.partitions,
              diskDir: this.opts.database.diskDir,
            },
            stallMs: this.opts.consumerStallMs,
          },
          { onNotice: (level, m) => this.alert(level, m) },
        )
      }
      if (parts.feed) await this.startFeed()
      void this.consumer?.start()
    } catch (caught) {
      // A secured cluster that hangs up on us says only "Closed connection": say what may be missing.
      const message = withHandshakeHint((caught as Error).message, caught, this.opts.connection)
      const err = message === (caught as Error).message ? caught : new Error(message, { cause: caught })
      this.setState('failed', message)
      // The start's error is what the caller hears; a cleanup that fails too may leave a client or
      // the consumer thread behind, so it must be seen, beside the error that caused it.
      await this.shutdown(0).catch((cleanupErr: unknown) =>
        appLog('pipeline').warn(
          { err: cleanupErr, startError: (err as Error).message },
          'cleaning up after a failed start failed too',
        ),
      )
      throw err
    }
    // The cluster changed under the start: already failed, with the reason.
    if (this.ending) throw new Error(this.detail ?? 'the pipeline failed as it started')
    this.timer = setInterval(() => void this.tick(), this.opts.statusIntervalMs ?? 1_000)
    this.setState('running', null)
  }

  /** The producer, then the source (with its recorder) feeding it. */
  private async startFeed(): Promise<void> {
    await this.producer.start()
    if (this.opts.recordFile) {
      await prepareRecordFile(this.opts.recordFile)
      this.recorder = createRecorder(this.opts.recordFile, this.ingest, {
        onError: (e) => this.alert('warn', `recording stopped: ${e.message}`),
      })
    }
    const sink = this.recorder ?? this.ingest
    this.source.onStatus((s) => {
      appLog('source').info(
        { kind: s.kind, detail: s.detail, reconnects: s.reconnects, symbols: s.symbols },
        `source ${s.state}`,
      )
      if (s.state === 'failed') this.alert('error', s.detail ?? 'the source failed')
    })
    await this.source.start(sink)
  }

  /**
   * Stops the source, then lets everything already received reach PostgreSQL: the producer
   * flushes, and the consumer runs until its lag is zero (or the time is up). Role `ingest` stops
   * once the producer has flushed (what the writers do is theirs); role `write` finishes its
   * batches in hand, and as the group's only member also waits for the group's lag to reach zero,
   * so the last writer of a stopped feed leaves nothing in Kafka.
   */
  async stop(drainTimeoutMs = 30_000): Promise<void> {
    if (this.state === 'stopped') return
    if (!this.ending) this.setState('draining', 'writing what is in flight')
    await this.shutdown(drainTimeoutMs)
    this.setState('stopped', null)
  }

  /**
   * Resizes the topic to a disk budget changed while running (a live settings edit calls this);
   * only the broker Tickflow runs. Returns the new retention.bytes per partition, null if not ours.
   */
  async applyDiskBudget(diskBudgetGb: number): Promise<number | null> {
    if (!this.opts.describe.kafka.managed) return null
    const { retentionBytes, changed } = await applyDiskBudget(this.kafka, this.opts.topic, diskBudgetGb)
    if (changed.length > 0)
      appLog('pipeline').info(`topic ${this.opts.topic} sized to the disk budget: ${changed.join(', ')}`)
    this.retentionBytes = retentionBytes
    return retentionBytes
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
        const lags = await consumerLags(this.admin, this.opts.groupId, this.opts.topic)
        this.lag = lags.lag
        this.maxPartitionLag = lags.maxPartitionLag
      } catch {
        this.lag = this.maxPartitionLag = null
      }
      if (this.lag === 0 && this.producer.stats().produced === produced) return true
      if (Date.now() >= deadline) return false
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  status(): PipelineStatus {
    const s = roleParts(this.role).feed ? this.source.status() : null
    return pipelineStatus(
      {
        state: this.state,
        detail: this.detail,
        // A writer has no feed: no source state to show, nor symbols it would subscribe to.
        source: s && { kind: s.kind, state: s.state, detail: s.detail ?? null, reconnects: s.reconnects },
        symbols: s ? this.source.symbols() : [],
        received: this.ingest.counters.trades,
        producer: this.producer.stats(),
        rejects: this.rejects,
        consumer: this.consumer?.stats() ?? NO_CONSUMER_STATS,
        health: this.consumer?.health() ?? NO_CONSUMER_HEALTH,
        rates: this.rates,
        lag: this.lag,
        maxPartitionLag: this.maxPartitionLag,
        retentionBytes: this.retentionBytes,
        feedErrors: this.feedErrors,
      },
      { ...this.opts.describe, storage: this.opts.storage?.() ?? null },
    )
  }

  onStatus(listener: (s: PipelineStatus) => void): () => void {
    return this.statusListeners.on(listener)
  }

  onAlert(listener: (a: Notice) => void): () => void {
    return this.alertListeners.on(listener)
  }

  /** Once per run: a stop after a failure (or a second stop) waits for the same shutdown. */
  private shutdown(drainTimeoutMs: number): Promise<void> {
    return (this.ending ??= this.release(drainTimeoutMs))
  }

  private async release(drainTimeoutMs: number): Promise<void> {
    if (this.span && this.span.stoppedAt === null) this.span.stoppedAt = Date.now()
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.source.stop()
    await this.recorder?.close()
    await settlesWithin(this.producer.stop(drainTimeoutMs), drainTimeoutMs + 15_000)
    // Draining needs the writer, which may still be joining its group: both within the limit.
    // A writer alone drains its group's backlog whoever produced it.
    const backlog = this.role === 'write' || this.producer.stats().produced > 0
    if (this.consumer && drainTimeoutMs > 0 && backlog) {
      const deadline = Date.now() + drainTimeoutMs
      const joined = (await this.consumer.whenJoined(drainTimeoutMs)) === true
      // Beside other writers, this one just leaves (drain.ts says why); consumer.stop() below still
      // lets its batches in hand finish and commit.
      const members = joined && this.role === 'write' ? await this.groupMembers() : null
      const drains = joined && drainsWholeGroup(this.role, members)
      if (!joined || (drains && !(await this.waitForLag0(deadline - Date.now())))) {
        const why = joined ? 'every record was written' : 'the writer had joined its group'
        this.alert('warn', `stopped before ${why}; the records stay in Kafka for the next start`)
      }
    }
    await this.consumer?.stop()
    await this.rejects.close()
    await settlesWithin(this.admin.disconnect(), 5_000)
    await this.tick(false)
  }

  /** How many members the consumer group has; null if the broker would not say. */
  private async groupMembers(): Promise<number | null> {
    try {
      const { groups } = await this.admin.describeGroups([this.opts.groupId])
      return groups[0]?.members.length ?? null
    } catch {
      return null
    }
  }

  /** The broker now answering is another cluster's: stop moving data, and fail with the reason. */
  private wrongCluster(message: string): void {
    if (this.ending) return
    const dropped = this.producer.stats().buffered
    const detail =
      `${message}; stopped producing and consuming` + (dropped ? ` (${dropped} unsent trades dropped)` : '')
    this.alert('error', detail)
    this.setState('failed', detail)
    void this.shutdown(0).then(() => this.setState('failed', detail))
  }

  private async tick(withLag = true): Promise<void> {
    if (withLag) {
      if (this.ticking) return // a slow broker must not pile up ticks
      this.ticking = true
      try {
        const where = this.opts.describe.kafka.bootstrap
        const wrong = this.clusterId ? await clusterChange(this.admin, this.clusterId, where) : null
        if (wrong) return this.wrongCluster(wrong)
        const lags = await consumerLags(this.admin, this.opts.groupId, this.opts.topic)
        this.lag = lags.lag
        this.maxPartitionLag = lags.maxPartitionLag
      } catch {
        // Only the lag can throw here (clusterChange logs its own failure): the lag is informative,
        // and a broker hiccup shows as the last known value until the next tick asks again.
      } finally {
        this.ticking = false
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
    if (state !== this.state || detail !== this.detail)
      appLog('pipeline').info({ state, detail }, `pipeline ${state}`)
    this.state = state
    this.detail = detail && maskSecrets(detail) // shown in every face's status
    this.emitStatus(this.status())
  }

  private emitStatus(s: PipelineStatus): void {
    this.statusListeners.fire(s)
  }

  private alert(level: AlertLevel, message: string): void {
    const a: Notice = { level, message: maskSecrets(message), at: Date.now() }
    appLog('pipeline')[level](a.message)
    this.alertListeners.fire(a)
  }
}
