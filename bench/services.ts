import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveSettings } from '../src/main/config'
import { freePort } from '../src/main/kafka/broker/broker-launch'
import { brokerStatus } from '../src/main/kafka/broker/local-broker'
import { openDatabase, type Database } from '../src/main/postgres/database'
import { createServices, type ReadyServices } from '../src/main/services'
import type { BenchArgs } from './args'
import { log } from './log'
import { postmasterOf } from './proc-stats'

/**
 * One broker and one PostgreSQL for the whole run, built as a face builds them (services.ts);
 * each phase takes its own schema and topic.
 */
export interface BenchServices {
  services: ReadyServices
  /** the managed broker's pid, for its CPU time and memory; null on --brokers */
  brokerPid: number | null
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
  // Production settings (embedded PostgreSQL with fsync on): the per-row reference is all about
  // commit cost. A broker of ours takes a free port, not 9092, which a real instance may want.
  const settings = resolveSettings(
    {
      dataDir: workDir,
      brokers: args.brokers,
      databaseUrl: args.databaseUrl,
      kafkaPort: args.brokers ? undefined : await freePort(),
    },
    {},
  )
  const services = await createServices(settings, { onProgress: (m) => log(`services: ${m}`) }).catch(
    async (err: unknown) => {
      await rm(workDir, { recursive: true, force: true })
      throw err
    },
  )
  services.onNotice((n) => log(`services: ${n.level}: ${n.message}`))
  const open: Database[] = []
  const topics: string[] = []

  // The postmaster's pid, through our own backend's parent, for its CPU time.
  const pm = await services.db.pool
    .query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
    .then(({ rows }) => postmasterOf(rows[0]!.pid))
  // A remote server's backend pid means nothing here; parent 1 or none says so.
  const postmasterPid = pm !== null && pm > 1 ? pm : null
  const broker = services.kafkaManaged ? await brokerStatus(workDir) : null

  return {
    services,
    brokerPid: broker?.running ? broker.pid : null,
    postmasterPid,
    workDir,
    async openSchema(phase) {
      const schema = `bench_${phase}_${RUN_ID}`
      const db = await openDatabase({ databaseUrl: services.db.url, dataDir: workDir, schema })
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
      if (!services.kafkaManaged && topics.length > 0) {
        // Our own broker vanishes with its temp dir; on a shared cluster, remove what we made.
        const admin = services.kafka.admin()
        await admin.connect()
        await admin.deleteTopics({ topics }).catch(() => undefined)
        await admin.disconnect()
      }
      await services.close()
      await rm(workDir, { recursive: true, force: true })
    },
  }
}

/** Drops a phase's schema early (the large ones), leaving close() nothing to do for it. */
export async function dropSchema(db: Database): Promise<void> {
  await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}" CASCADE`)
}
