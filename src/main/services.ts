import type { Kafka } from 'kafkajs'
import type { Settings } from './config'
import { createKafka, describeConnection, type KafkaConnection } from './kafka/client'
import { startLocalBroker, type LocalBrokerHandle } from './kafka/local-broker'
import { openDatabase, type Database } from './postgres/database'

/** The services every face (desktop app, browser mode, CLI) builds in the same way. */
export interface Services {
  settings: Settings
  kafka: Kafka
  /** the connection settings, for a thread that builds a client of its own */
  kafkaConnection: KafkaConnection
  /** log-safe description: "127.0.0.1:9092" or "b1:9093, ssl, sasl plain as me" */
  kafkaTarget: string
  /** true when Tickflow runs the broker itself */
  kafkaManaged: boolean
  db: Database
  close(): Promise<void>
}

/**
 * The composition root: a broker (ours unless --brokers names a cluster) and a database (embedded
 * unless a URL is given), started side by side because both are slow on a cold machine.
 */
export async function createServices(
  settings: Settings,
  opts: { onProgress?: (msg: string) => void } = {},
): Promise<Services> {
  const progress = opts.onProgress ?? ((): void => undefined)
  const brokerP: Promise<LocalBrokerHandle | null> = settings.brokers
    ? Promise.resolve(null)
    : startLocalBroker({ dataDir: settings.dataDir, port: settings.kafkaPort, onProgress: progress })
  const dbP = openDatabase({
    databaseUrl: settings.databaseUrl,
    dataDir: settings.dataDir,
    schema: settings.pgSchema,
    onProgress: progress,
  })
  const [broker, db] = await Promise.allSettled([brokerP, dbP])
  if (broker.status === 'rejected' || db.status === 'rejected') {
    // Leave nothing half-started behind.
    if (broker.status === 'fulfilled') await broker.value?.stop()
    if (db.status === 'fulfilled') await db.value.close()
    const failed = broker.status === 'rejected' ? broker : (db as PromiseRejectedResult)
    throw failed.reason
  }

  const conn: KafkaConnection = {
    brokers: settings.brokers ?? [broker.value!.bootstrap],
    clientId: 'tickflow',
    ssl: settings.kafkaSsl || undefined,
    sasl: settings.kafkaSasl,
  }
  return {
    settings,
    kafka: createKafka(conn),
    kafkaConnection: conn,
    kafkaTarget: describeConnection(conn),
    kafkaManaged: broker.value !== null,
    db: db.value,
    async close() {
      await db.value.close()
      await broker.value?.stop()
    },
  }
}
