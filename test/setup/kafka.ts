// vitest globalSetup: one real Kafka broker for the whole integration run. Tests read its address
// with inject('kafkaBrokers') and isolate themselves by unique topic and group names.
// KAFKA_BROKERS=host:port,… uses an existing cluster instead of starting one.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { startLocalBroker } from '../../src/main/kafka/broker/local-broker'

// Production checks retention every 5 min, first 30 s after start (Kafka's defaults), so a record
// the broker should not have deleted vanished in about one test run in three. Checking every second
// from the first second on makes such a loss show in every run. Nothing else differs.
const RETENTION_CHECK_MS = 1_000

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const external = process.env.KAFKA_BROKERS?.trim()
  if (external) {
    provide('kafkaBrokers', external)
    provide('kafkaSasl', null)
    provide('kafkaRetentionCheckMs', 0)
    return async () => {}
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'tickflow-kafka-test-'))
  const started = Date.now()
  try {
    const broker = await startLocalBroker({
      dataDir,
      port: 0, // never 9092: a developer's own broker may be there
      heapMb: 384,
      overrides: {
        'log.retention.check.interval.ms': String(RETENTION_CHECK_MS),
        'log.initial.task.delay.ms': String(RETENTION_CHECK_MS),
      },
      onProgress: (msg) => console.log(`[kafka] ${msg}`),
    })
    console.log(`[kafka] broker ${broker.bootstrap} ready in ${Date.now() - started} ms (pid ${broker.pid})`)
    provide('kafkaBrokers', broker.bootstrap)
    // Every test's client authenticates as the app's does (issue 15): test/helpers/test-kafka.ts.
    provide('kafkaSasl', broker.sasl)
    provide('kafkaRetentionCheckMs', RETENTION_CHECK_MS)
    return async () => {
      await broker.stop()
      await rm(dataDir, { recursive: true, force: true })
    }
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true })
    throw err
  }
}
