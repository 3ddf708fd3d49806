// Entry of the consumer thread (see consumer-thread.ts): its own Kafka client, pool and event loop.
import { parentPort, workerData } from 'node:worker_threads'
import { createKafka } from '../kafka/client'
import { createPool } from '../postgres/database'
import { TradeConsumer } from './consumer'
import type { ConsumerThreadInit, FromConsumerThread, ToConsumerThread } from './consumer-thread'

const port = parentPort!
const init = workerData as ConsumerThreadInit
const post = (m: FromConsumerThread): void => port.postMessage(m)

const pool = createPool(init.database.url, init.database.schema)
const consumer = new TradeConsumer(createKafka(init.connection), pool, {
  ...init.options,
  onError: (message) => post({ type: 'error', message }),
})
// Stats travel a few times a second, never per batch or per trade.
const timer = setInterval(() => post({ type: 'stats', stats: consumer.stats() }), 100)

port.on('message', (m: ToConsumerThread) => {
  if (m.type !== 'stop') return
  void (async () => {
    clearInterval(timer)
    await consumer.stop().catch((err: Error) => post({ type: 'error', message: err.message }))
    await pool.end().catch(() => undefined)
    post({ type: 'stopped', stats: consumer.stats() })
    port.close()
  })()
})

try {
  await consumer.start()
  post({ type: 'started' })
} catch (err) {
  clearInterval(timer)
  await pool.end().catch(() => undefined)
  post({ type: 'failed', message: (err as Error).message })
  port.close()
}
