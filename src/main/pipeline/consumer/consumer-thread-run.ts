import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { AlertLevel } from '../../../shared/status'
import type { KafkaConnection } from '../../kafka/client'
import { NO_CONSUMER_STATS, type ConsumerOptions, type ConsumerStats } from './consumer'
import { settlesWithin } from '../../base/time-limit'

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
  | { type: 'stats'; stats: ConsumerStats; lastError: string | null }
  | { type: 'notice'; level: AlertLevel; message: string }
  /** the last message: `failure` says why the consumer failed, null when it was asked to stop */
  | { type: 'stopped'; stats: ConsumerStats; lastError: string | null; failure: string | null }

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

/** Why a run ended by itself, in words, and how loud to say it. */
export interface RunEnd {
  why: string
  level: AlertLevel
}

/** One consumer thread's life, from spawn to exit. It restarts nothing: consumer-thread.ts does. */
export interface ThreadRun {
  /** resolves once the consumer has joined its group; rejects if it could not (the thread is ended) */
  started: Promise<void>
  /** resolves once the thread is gone: null after stop(), else why it ended by itself */
  ended: Promise<RunEnd | null>
  /** lets the batch in hand commit and ends the thread, terminating it after a limit */
  stop(): Promise<void>
  stats(): ConsumerStats
  /** the thread's latest failure in words: an offset reset, a failed write, its consumer's failure */
  lastError(): string | null
}

export interface RunLimits {
  onNotice?: (level: AlertLevel, message: string) => void
  /** how long the consumer may take to join its group; default 60 s */
  startTimeoutMs?: number
  /** how long a stop may take before the thread is terminated; default 30 s */
  stopTimeoutMs?: number
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Spawns the consumer thread (consumer-worker.ts) and follows it; no wait here is without a limit. */
export function runConsumerThread(init: ConsumerThreadInit, limits: RunLimits): ThreadRun {
  const worker = spawnWorker(init)
  // Armed at spawn, so no exit is missed.
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve))
  let gone = false
  let joined = false
  /** its final counters arrived ('stopped') */
  let final = false
  let asked = false
  let crash: string | null = null
  let failure: string | null = null
  let stats: ConsumerStats = { ...NO_CONSUMER_STATS }
  let lastError: string | null = null
  let ending: Promise<void> | null = null

  const joining = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: FromConsumerThread) => {
      if (m.type === 'started') {
        joined = true
        resolve()
      } else if (m.type === 'failed') reject(new Error(m.message))
      else if (m.type === 'notice') limits.onNotice?.(m.level, m.message)
      else {
        stats = m.stats
        lastError = m.lastError
        if (m.type !== 'stopped') return
        final = true
        failure = m.failure
        // It is winding down after its consumer failed: see that it ends within the limit.
        if (failure !== null) void end()
      }
    })
    // An uncaught error in the thread arrives here, and its 'exit' right after.
    worker.on('error', (err) => (crash = err.message))
    void exited.then((code) => {
      gone = true
      const why = crash ? `: ${crash}` : ''
      reject(new Error(`the consumer thread exited (code ${code}) before it started${why}`))
    })
  })
  joining.catch(() => undefined) // a late rejection after a timeout is expected, not unhandled

  const started = (async () => {
    const limit = limits.startTimeoutMs ?? 60_000
    try {
      if (!(await settlesWithin(joining, limit))) {
        throw new Error(`the consumer did not start within ${limit / 1000} s`)
      }
      await joining
    } catch (err) {
      if (!gone) await settlesWithin(worker.terminate(), 5_000)
      throw err
    }
  })()

  const ended = exited.then(async (code): Promise<RunEnd | null> => {
    // The final counters come in 'stopped'; give them a moment after the exit if they lag behind it.
    if (!final) await sleep(200)
    if (asked) return null
    if (failure !== null) return { why: failure, level: 'warn' }
    const why = `the consumer thread stopped (exit code ${code}${crash ? `: ${crash}` : ''})`
    return { why, level: 'error' }
  })

  /** Asks the thread to stop; terminates it if it does not within the limit, and says so. */
  function end(): Promise<void> {
    return (ending ??= (async () => {
      if (gone) return
      // Still joining: kafkajs would hold the stop until the join completes (after a crash, when
      // the group has waited out the dead member), and the thread has nothing to commit yet.
      if (!joined) {
        await settlesWithin(worker.terminate(), 5_000)
        return
      }
      const limit = limits.stopTimeoutMs ?? 30_000
      worker.postMessage({ type: 'stop' } satisfies ToConsumerThread)
      if (await settlesWithin(ended, limit)) return
      limits.onNotice?.(
        'error',
        `the consumer thread did not stop within ${limit / 1000} s and was terminated; ` +
          'records it had not committed are read again at the next start',
      )
      await settlesWithin(worker.terminate(), 5_000)
    })())
  }

  return {
    started,
    ended,
    stop: () => {
      asked = true
      return end()
    },
    stats: () => stats,
    lastError: () => lastError,
  }
}
