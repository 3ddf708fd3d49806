// A consumer-group member in its own process, so that a test can SIGKILL it and leave the group
// waiting out its session, as a crashed Tickflow does. It commits nothing.
import { settingsFromEnv } from '../../src/main/config'
import { createKafka } from '../../src/main/kafka/client'

const env = (name: string): string => {
  const v = process.env[name]
  if (!v) throw new Error(`${name} is not set`)
  return v
}

const consumer = createKafka({
  brokers: [env('BROKERS')],
  clientId: 'dead-member',
  sasl: settingsFromEnv().kafkaSasl,
}).consumer({
  groupId: env('GROUP'),
  sessionTimeout: Number(process.env.SESSION_MS ?? 30_000),
})
consumer.on(consumer.events.GROUP_JOIN, () => console.log('joined'))
await consumer.connect()
await consumer.subscribe({ topic: env('TOPIC'), fromBeginning: true })
await consumer.run({ autoCommit: false, eachMessage: async () => undefined })
