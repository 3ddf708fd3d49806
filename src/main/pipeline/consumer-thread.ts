import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { AlertLevel, ConsumerHealth } from '../../shared/status'
import type { KafkaConnection } from '../kafka/client'
import { addStats, NO_CONSUMER_STATS, type ConsumerOptions, type ConsumerStats } from './consumer'
import { restartDelay } from './consumer-health'
import { settlesWithin, Sleeper } from '../base/time-limit'

/** What the consumer thread is started with: plain data, since a Kafka client or pool cannot cross. */
export interface ConsumerThreadInit {
  connection: KafkaConnection
  database: { url: string; schema: string }
  options: Omit<ConsumerOptions, 'onNotice' | 'kafkaRestarts'>
  /** no batch for this long while records wait: restart the consumer (default 30 s) */
  stallMs?: number
}

/**
 * The application_name of the writer's PostgreSQL sessions: an operator (or a test) can tell them
 * from the rest of the app in pg_stat_activity. PostgreSQL keeps 63 bytes of it.
 */
export function writerApplicationName(schema: string): string {
  return `tickflow writer ${schema}`.slice(0, 63)
}

export type ToConsumerThread = { type: 'stop' }
export type FromConsumerThread =
  | { type: 'started' }
  | { type: 'failed'; message: string }
  | { type: 'stats'; stats: ConsumerStats; health: ConsumerHealth }
  | { type: 'notice'; level: AlertLevel; message: string }
  | { type: 'stopped'; stats: ConsumerStats; health: ConsumerHealth }

export interface ConsumerThreadOptions {
  onNotice?: (level: AlertLevel, message: string) => void
  /** how long start() waits for the consumer to join its group; default 60 s */
  startTimeoutMs?: number
  /** how long stop() waits for the thread before terminating it; default 30 s */
  stopTimeoutMs?: number
}

// In the electron-vite bundle, consumer-worker.js is an entry of its own, and the build keeps every
// chunk (this module's too) in out/main beside the entries. In the packaged app that path is inside
// app.asar, which Electron's worker threads read (its unpacked copy too), and the worker's imports
// resolve in app.asar's node_modules. Under tsx and vitest this module is TypeScript, and a worker
// does not inherit their loaders: a small boot script registers tsx in the worker first, then
// imports the TypeScript entry.
const here = fileURLToPath(import.meta.url)
const isTs = here.endsWith('.ts')
const workerFile = join(dirname(here), isTs ? 'consumer-worker.ts' : 'consumer-worker.js')
const TS_BOOT = `
const { workerData } = require('node:worker_threads')
import(workerData.boot.tsxApi).then((tsx) => tsx.tsImport(workerData.boot.entry, workerData.boot.entry))
`

function spawnWorker(init: ConsumerThreadInit): Worker {
  if (!isTs) return new Worker(workerFile, { workerData: init })
  const boot = {
    // tsx's ESM API; its tsImport loads a TypeScript module in whatever thread calls it.
    tsxApi: pathToFileURL(
      join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
    ).href,
    entry: pathToFileURL(workerFile).href,
  }
  return new Worker(TS_BOOT, { eval: true, workerData: { ...init, boot } })
}

/** A running worker and what we know of it; `exited` is armed at spawn, so no exit is missed. */
interface Thread {
  worker: Worker
  exited: Promise<number>
  gone: boolean
  stopped: boolean
  /** it has joined its group; before that it has read nothing, so nothing is lost by ending it */
  started: boolean
  bornAt: number
  crash: string | null
  stats: ConsumerStats
  health: ConsumerHealth | null
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * Runs the Kafka → PostgreSQL consumer (a supervised TradeConsumer) in a worker thread. In one
 * thread the source and producer starve it of the event loop under load; in its own it writes while
 * they read, on the other core. Stats arrive as messages. A thread that dies is replaced with capped
 * backoff (its uncommitted records are read again), and no wait here is without a limit.
 */
export class ConsumerThread {
  private thread: Thread | null = null
  private banked: ConsumerStats = { ...NO_CONSUMER_STATS }
  private bankedRestarts = 0
  private threadRestarts = 0
  private state: ConsumerHealth['state'] = 'stopped'
  private threadError: string | null = null
  private attempt = 0
  private stopping = false
  private respawning: Promise<void> | null = null
  private readonly backoff = new Sleeper()

  constructor(
    private readonly init: ConsumerThreadInit,
    private readonly opts: ConsumerThreadOptions = {},
  ) {}

  async start(): Promise<void> {
    this.stopping = false
    this.state = 'starting'
    try {
      await this.launch()
    } catch (err) {
      this.state = 'failed'
      this.threadError = (err as Error).message
      throw err
    }
  }

  /** Stops fetching, lets the batch in hand commit, and waits for the thread to end (bounded). */
  async stop(): Promise<void> {
    this.stopping = true
    this.backoff.wake()
    if (this.respawning) await settlesWithin(this.respawning, this.opts.startTimeoutMs ?? 60_000)
    const t = this.thread
    if (t && !t.gone) await this.end(t)
    if (t) this.bank(t)
    this.thread = null
    this.state = 'stopped'
  }

  stats(): ConsumerStats {
    return addStats(this.banked, this.thread?.stats ?? NO_CONSUMER_STATS)
  }

  health(): ConsumerHealth {
    const h = this.thread?.health
    const restarts = this.bankedRestarts + this.threadRestarts + (h?.restarts ?? 0)
    // While a thread runs, its supervisor knows best; otherwise this side's own state stands.
    const state = this.state === 'running' && h ? h.state : this.state
    return {
      state,
      lastBatchAt: this.stats().lastBatchAt,
      lastError: h?.lastError ?? this.threadError,
      restarts,
    }
  }

  private async launch(): Promise<void> {
    const worker = spawnWorker(this.init)
    const t: Thread = {
      worker,
      exited: new Promise((resolve) => worker.once('exit', resolve)),
      gone: false,
      stopped: false,
      started: false,
      bornAt: Date.now(),
      crash: null,
      stats: { ...NO_CONSUMER_STATS },
      health: null,
    }
    this.thread = t
    const started = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromConsumerThread) => {
        if (m.type === 'started') {
          t.started = true
          resolve()
        } else if (m.type === 'failed') reject(new Error(m.message))
        else if (m.type === 'notice') this.opts.onNotice?.(m.level, m.message)
        else {
          t.stats = m.stats
          t.health = m.health
          if (m.type === 'stopped') t.stopped = true
        }
      })
      // An uncaught error in the thread arrives here, and its 'exit' right after.
      worker.on('error', (err) => (t.crash = err.message))
      void t.exited.then((code) => {
        t.gone = true
        const why = t.crash ? `: ${t.crash}` : ''
        reject(new Error(`the consumer thread exited (code ${code}) before it started${why}`))
        this.onExit(t, code)
      })
    })
    started.catch(() => undefined) // a late rejection after a timeout is expected, not unhandled
    const limit = this.opts.startTimeoutMs ?? 60_000
    const ok = await settlesWithin(started, limit)
    try {
      if (!ok) throw new Error(`the consumer did not start within ${limit / 1000} s`)
      await started
      this.state = 'running'
    } catch (err) {
      if (this.thread === t) this.thread = null
      if (!t.gone) await settlesWithin(worker.terminate(), 5_000)
      throw err
    }
  }

  /** Asks the thread to stop; terminates it if it does not within the limit, and says so. */
  private async end(t: Thread): Promise<void> {
    // Still joining: kafkajs would hold the stop until the join completes (after a crash, when
    // the group has waited out the dead member), and the thread has nothing to commit yet.
    if (!t.started) {
      await settlesWithin(t.worker.terminate(), 5_000)
      return
    }
    const limit = this.opts.stopTimeoutMs ?? 30_000
    t.worker.postMessage({ type: 'stop' } satisfies ToConsumerThread)
    // The final counters come in 'stopped'; give them a moment after the exit if they lag behind it.
    const done = t.exited.then(() => (t.stopped ? undefined : sleep(200)))
    if (await settlesWithin(done, limit)) return
    this.opts.onNotice?.(
      'error',
      `the consumer thread did not stop within ${limit / 1000} s and was terminated; ` +
        'records it had not committed are read again at the next start',
    )
    await settlesWithin(t.worker.terminate(), 5_000)
  }

  /** Keeps a finished thread's counters, so the totals never go backwards. */
  private bank(t: Thread): void {
    this.banked = addStats(this.banked, t.stats)
    this.bankedRestarts += t.health?.restarts ?? 0
    t.stats = { ...NO_CONSUMER_STATS }
    t.health = null
  }

  /** A thread that ends while it should run died: replace it after a pause, until stop(). */
  private onExit(t: Thread, code: number): void {
    if (this.stopping || this.thread !== t || this.state !== 'running') return
    this.bank(t)
    this.thread = null
    this.state = 'restarting'
    this.threadError = `the consumer thread stopped (exit code ${code}${t.crash ? `: ${t.crash}` : ''})`
    // A thread that ran a good while before dying starts the backoff over.
    if (Date.now() - t.bornAt > 60_000) this.attempt = 0
    this.respawning ??= this.respawn().finally(() => (this.respawning = null))
  }

  private async respawn(): Promise<void> {
    while (!this.stopping) {
      this.attempt++
      this.threadRestarts++
      const delay = restartDelay(this.attempt)
      this.opts.onNotice?.(
        'error',
        `${this.threadError}; restarting it in ${(delay / 1000).toFixed(1)} s (restart ${this.threadRestarts})`,
      )
      await this.backoff.sleep(delay)
      if (this.stopping) return
      try {
        await this.launch()
        return
      } catch (err) {
        this.threadError = `the consumer thread could not restart: ${(err as Error).message}`
        this.state = 'restarting'
      }
    }
  }
}
