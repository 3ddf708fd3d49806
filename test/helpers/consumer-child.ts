// A writer in its own process, so that a test can kill it with SIGKILL mid-stream.
import { settingsFromEnv } from '../../src/main/config'
import { createKafka } from '../../src/main/kafka/client'
import { TradeConsumer } from '../../src/main/pipeline/consumer/consumer'
import { createPool } from '../../src/main/postgres/database'

const env = (name: string): string => {
  const v = process.env[name]
  if (!v) throw new Error(`${name} is not set`)
  return v
}

const pool = createPool(env('DATABASE_URL'), env('SCHEMA'))
pool.on('error', () => undefined) // an idle client's error is the next query's to report
// KAFKA_SASL_*: the run's broker takes its own user only
const kafka = createKafka({ brokers: [env('BROKERS')], clientId: 'child', sasl: settingsFromEnv().kafkaSasl })
const consumer = new TradeConsumer(kafka, pool, {
  topic: env('TOPIC'),
  groupId: env('GROUP'),
  concurrency: 3,
  sessionTimeoutMs: 6_000,
})
await consumer.start()
console.log('consuming')
