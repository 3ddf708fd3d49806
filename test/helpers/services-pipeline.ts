import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveSettings, type SettingsInput } from '../../src/main/config'
import { Pipeline } from '../../src/main/pipeline/pipeline'
import type { TradeSource } from '../../src/main/pipeline/sources/source'
import { redactUrl } from '../../src/main/log/redact'
import { createServices, type ServiceNotice, type Services } from '../../src/main/services'

/** A temp data dir the postgres OS user can enter (embedded PostgreSQL runs as it under root). */
export async function tempDataDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  await chmod(dir, 0o755)
  return dir
}

export interface ManagedRun {
  services: Services
  notices: ServiceNotice[]
  topic: string
  groupId: string
  pipeline(source: TradeSource): Pipeline
}

/**
 * The composition root as a face builds it (services.ts), on a data dir of the test's own: the
 * settings choose which of broker and PostgreSQL are managed (supervised) and which are the run's.
 */
export async function openManagedRun(
  settings: Partial<SettingsInput> & { dataDir: string },
): Promise<ManagedRun> {
  const id = randomBytes(4).toString('hex')
  const topic = `trades-${id}`
  const groupId = `writer-${id}`
  const services = await createServices(resolveSettings({ topic, groupId, ...settings }, {}))
  const notices: ServiceNotice[] = []
  services.onNotice((n) => notices.push(n))
  return {
    services,
    notices,
    topic,
    groupId,
    pipeline: (source) =>
      new Pipeline({
        kafka: services.kafka,
        pool: services.db.pool,
        connection: services.kafkaConnection,
        database: { url: services.db.url, schema: services.db.schema },
        source,
        topic,
        partitions: 3,
        groupId,
        bufferCapacity: 200_000,
        describe: {
          kafka: { bootstrap: services.kafkaTarget, managed: services.kafkaManaged, topic },
          postgres: { target: redactUrl(services.db.url), embedded: services.db.embedded },
        },
        statusIntervalMs: 250,
      }),
  }
}
