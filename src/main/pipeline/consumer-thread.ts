import { once } from 'node:events'
import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { KafkaConnection } from '../kafka/client'
import { NO_CONSUMER_STATS, type ConsumerOptions, type ConsumerStats } from './consumer'

/** What the consumer thread is started with: plain data, since a Kafka client or pool cannot cross. */
export interface ConsumerThreadInit {
  connection: KafkaConnection
  database: { url: string; schema: string }
  options: Omit<ConsumerOptions, 'onError'>
}

export type ToConsumerThread = { type: 'stop' }
export type FromConsumerThread =
  | { type: 'started' }
  | { type: 'failed'; message: string }
  | { type: 'stats'; stats: ConsumerStats }
  | { type: 'error'; message: string }
  | { type: 'stopped'; stats: ConsumerStats }

// In the electron-vite bundle, consumer-worker.js is an entry of its own beside index.js. Under tsx
// and vitest this module is TypeScript, and a worker does not inherit their loaders: a small boot
// script registers tsx in the worker first, then imports the TypeScript entry.
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

/**
 * Runs the Kafka → PostgreSQL consumer (TradeConsumer) in a worker thread. In one thread the source
 * and producer starve it of the event loop under load; in its own it writes while they read, on the
 * other core. Stats arrive as messages; the last ones before it stops are final.
 */
export class ConsumerThread {
  private worker: Worker | null = null
  private latest: ConsumerStats = { ...NO_CONSUMER_STATS }

  constructor(
    private readonly init: ConsumerThreadInit,
    private readonly onError?: (message: string) => void,
  ) {}

  async start(): Promise<void> {
    const worker = spawnWorker(this.init)
    this.worker = worker
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromConsumerThread) => {
        if (m.type === 'started') resolve()
        else if (m.type === 'failed') reject(new Error(m.message))
        else if (m.type === 'error') this.onError?.(m.message)
        else this.latest = m.stats
      })
      worker.once('error', reject)
      worker.once('exit', (code) =>
        reject(new Error(`the consumer thread exited (code ${code}) before it started`)),
      )
    })
    worker.on('error', (err) => this.onError?.(`consumer thread: ${err.message}`))
  }

  /** Stops fetching, lets the batch in hand commit, and waits for the thread to end. */
  async stop(): Promise<void> {
    const worker = this.worker
    if (!worker) return
    this.worker = null
    const exited = once(worker, 'exit')
    // The final stats come in the 'stopped' message; wait for it, not just for the exit.
    const stopped = new Promise<void>((resolve) =>
      worker.on('message', (m: FromConsumerThread) => m.type === 'stopped' && resolve()),
    )
    worker.postMessage({ type: 'stop' } satisfies ToConsumerThread)
    await Promise.race([stopped.then(() => exited), exited])
  }

  stats(): ConsumerStats {
    return { ...this.latest }
  }
}
