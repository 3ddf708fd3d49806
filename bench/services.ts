import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kafka } from 'kafkajs'
import { createKafka } from '../src/main/kafka/client'
import { startLocalBroker, type LocalBrokerHandle } from '../src/main/kafka/local-broker'
import { openDatabase, type Database } from '../src/main/postgres/database'
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/main/postgres/embedded'
import type { BenchArgs } from './args'
import { log } from './log'
import { postmasterOf } from './proc-stats'

/** One broker and one PostgreSQL for the whole run; each phase takes its own schema and topic. */
export interface BenchServices {
  kafka: Kafka
  bootstrap: string
  brokerPid: number | null
  pgUrl: string
  pgEmbedded: boolean
  /** postmaster pid when the server runs on this machine and /proc shows it */
  postmasterPid: number | null
  workDir: string
  /** a fresh, migrated schema; dropped again by close() */
  openSchema(phase: string): Promise<Database>
  /** a fresh topic name for a phase */
  topicName(phase: string): string
  close(): Promise<void>
}

const RUN_ID = randomBytes(3).toString('hex')

export async function startBenchServices(args: BenchArgs): Promise<BenchServices> {
  const workDir = await mkdtemp(join(tmpdir(), 'tickflow-bench-'))
  // As root the embedded server runs as user postgres, which must be able to enter the dir.
  await chmod(workDir, 0o755)
  const brokerP: Promise<LocalBrokerHandle | null> = args.brokers
    ? Promise.resolve(null)
    : startLocalBroker({ dataDir: join(workDir, 'broker'), port: 0, onProgress: (m) => log(`kafka: ${m}`) })
  // Production settings (fsync on): the per-row reference is all about commit cost.
  const pgP: Promise<EmbeddedPostgres | null> = args.databaseUrl
    ? Promise.resolve(null)
    : startEmbeddedPostgres({ dataDir: join(workDir, 'pg'), onProgress: (m) => log(`postgres: ${m}`) })
  const [broker, pg] = await Promise.allSettled([brokerP, pgP])
  if (broker.status === 'rejected' || pg.status === 'rejected') {
    if (broker.status === 'fulfilled') await broker.value?.stop()
    if (pg.status === 'fulfilled') await pg.value?.stop()
    await rm(workDir, { recursive: true, force: true })
    throw broker.status === 'rejected' ? broker.reason : (pg as PromiseRejectedResult).reason
  }
  const bootstrap = args.brokers?.join(',') ?? broker.value!.bootstrap
  const pgUrl = args.databaseUrl ?? pg.value!.url
  const kafka = createKafka({ brokers: args.brokers ?? [bootstrap], clientId: `bench-${RUN_ID}` })
  const open: Database[] = []
  const topics: string[] = []

  // The postmaster's pid, through our own backend's parent, for its CPU time.
  const probe = await openDatabase({ databaseUrl: pgUrl, dataDir: workDir, schema: 'public' })
  const pm = await probe.pool
    .query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
    .then(({ rows }) => postmasterOf(rows[0]!.pid))
    .finally(() => probe.close())
  // A remote server's backend pid means nothing here; parent 1 or none says so.
  const postmasterPid = pm !== null && pm > 1 ? pm : null

  return {
    kafka,
    bootstrap,
    brokerPid: broker.value?.pid ?? null,
    pgUrl,
    pgEmbedded: pg.value !== null,
    postmasterPid,
    workDir,
    async openSchema(phase) {
      const schema = `bench_${phase}_${RUN_ID}`
      const db = await openDatabase({ databaseUrl: pgUrl, dataDir: workDir, schema })
      open.push(db)
      return db
    },
    topicName(phase) {
      const t = `bench-${phase}-${RUN_ID}`
      topics.push(t)
      return t
    },
    async close() {
      for (const db of open) {
        await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}" CASCADE`).catch(() => undefined)
        await db.close()
      }
      if (args.brokers && topics.length > 0) {
        // Our own broker vanishes with its temp dir; on a shared cluster, remove what we made.
        const admin = kafka.admin()
        await admin.connect()
        await admin.deleteTopics({ topics }).catch(() => undefined)
        await admin.disconnect()
      }
      await broker.value?.stop()
      await pg.value?.stop()
      await rm(workDir, { recursive: true, force: true })
    },
  }
}

/** Drops a phase's schema early (the large ones), leaving close() nothing to do for it. */
export async function dropSchema(db: Database): Promise<void> {
  await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}" CASCADE`)
}
