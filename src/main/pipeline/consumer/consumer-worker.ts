// Entry of the consumer thread (see consumer-thread.ts): its own Kafka client, pool and event loop.
import type { Admin } from 'kafkajs'
import { parentPort, workerData } from 'node:worker_threads'
import { createKafka } from '../../kafka/client'
import { withHandshakeHint } from '../../kafka/handshake-hint'
import { createPool } from '../../postgres/database'
import { TradeConsumer } from './consumer'
import { consumerLag } from './consumer-lag'
import { DEFAULT_STALL_MS, offsetResetOf } from './consumer-health'
import { ConsumerMonitor } from './consumer-monitor'
import {
  writerApplicationName,
  type ConsumerThreadInit,
  type FromConsumerThread,
  type ToConsumerThread,
} from './consumer-thread-run'
import { settlesWithin } from '../../base/time-limit'

const port = parentPort!
const init = workerData as ConsumerThreadInit
const { topic, groupId } = init.options
const post = (m: FromConsumerThread): void => port.postMessage(m)

const pool = createPool(init.database.url, init.database.schema, {
  applicationName: writerApplicationName(init.database.schema),
  // A write attempt must end well within the consumer's 10 s session: kafkajs heartbeats only
  // between attempts (consumer.ts), so a connect that hangs for 10 s would get the member evicted.
  connectTimeoutMs: 5_000,
})
// A restarted PostgreSQL (or a terminated backend) errors every idle client at once. Without this
// listener that error would end the thread; with it the pool drops the client, and the next write
// fails, is retried after a pause, and commits nothing meanwhile. One notice per outage is enough.
let poolNoticeAt = 0
pool.on('error', (err) => {
  if (Date.now() - poolNoticeAt < 10_000) return
  poolNoticeAt = Date.now()
  post({ type: 'notice', level: 'warn', message: `PostgreSQL connection lost: ${err.message}` })
})

// kafkajs reports an offset-out-of-range reset (records deleted before we read them) only in its log.
const kafka = createKafka(init.connection, {
  logLevel: 'error',
  onLog: (entry) => {
    const reset = offsetResetOf(entry)
    // (only a running consumer resets, so the monitor below exists by then)
    if (reset) void monitor.offsetReset(reset)
  },
})

// One admin, connected on first use, for the monitor's lag and offset questions.
const admin = kafka.admin()
let adminReady: Promise<void> | null = null
async function withAdmin<T>(ask: (a: Admin) => Promise<T>): Promise<T> {
  adminReady ??= admin.connect().catch((err: unknown) => {
    adminReady = null
    throw err
  })
  await adminReady
  return ask(admin)
}

const monitor = new ConsumerMonitor({
  topic,
  create: (notice) =>
    new TradeConsumer(kafka, pool, { ...init.options, kafkaRestarts: false, onNotice: notice }),
  lag: (partitions) => withAdmin((a) => consumerLag(a, groupId, topic, partitions)),
  committed: () =>
    withAdmin(async (a) => {
      const [t] = await a.fetchOffsets({ groupId, topics: [topic] })
      return new Map((t?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]))
    }),
  logStart: (partition) =>
    withAdmin(async (a) => {
      const p = (await a.fetchTopicOffsets(topic)).find((o) => o.partition === partition)
      if (!p) throw new Error(`no partition ${partition} in ${topic}`)
      return BigInt(p.low)
    }),
  notice: (level, message) => post({ type: 'notice', level, message }),
  // The thread ends; consumer-thread.ts starts a new one (the one layer that restarts the writer).
  onFailure: (why) => void end(withHandshakeHint(why, why, init.connection)),
  stallMs: init.stallMs ?? DEFAULT_STALL_MS,
})

// Stats travel a few times a second, never per batch or per trade.
const report = (): FromConsumerThread => ({
  type: 'stats',
  stats: monitor.stats(),
  lastError: monitor.lastFailure(),
})
const timer = setInterval(() => post(report()), 100)

async function release(): Promise<void> {
  clearInterval(timer)
  await settlesWithin(admin.disconnect(), 5_000)
  await settlesWithin(pool.end(), 5_000)
}

/** Asked to stop (failure null), or the consumer failed: either way the thread ends, once. */
let ending: Promise<void> | null = null
function end(failure: string | null): Promise<void> {
  return (ending ??= (async () => {
    await monitor.stop() // bounded: a consumer that will not stop is left behind, with a notice
    await release()
    post({ type: 'stopped', stats: monitor.stats(), lastError: monitor.lastFailure(), failure })
    port.close()
  })())
}

port.on('message', (m: ToConsumerThread) => {
  if (m.type === 'stop') void end(null)
})

try {
  await monitor.start()
  post({ type: 'started' })
} catch (err) {
  await release()
  post({ type: 'failed', message: withHandshakeHint((err as Error).message, err, init.connection) })
  port.close()
}
