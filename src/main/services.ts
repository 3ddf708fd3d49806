import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Kafka } from 'kafkajs'
import type { PipelineStatus } from '../shared/status'
import { Emitter } from './base/emitter'
import type { Settings } from './config'
import { isPortFree } from './kafka/broker/broker-launch'
import { createKafka, describeConnection, type KafkaConnection } from './kafka/client'
import { appLog } from './log/logger'
import { redactUrl } from './log/redact'
import { levelOfLine } from './log/service-lines'
import {
  startLocalBroker,
  type LocalBrokerHandle,
  type LocalBrokerOptions,
} from './kafka/broker/local-broker'
import { StartGate } from './base/start-gate'
import { settlesWithin } from './base/time-limit'
import { brokerDirs } from './kafka/broker/paths'
import { openDatabase, type Database } from './postgres/database'
import { LastWords, withDiskSpace } from './postgres/disk-full'
import { clusterDirOf, startEmbeddedPostgres, type EmbeddedPostgres } from './postgres/embedded'
import { createStorageControl, type StorageControl } from './postgres/storage-control'
import { Pipeline } from './pipeline/pipeline'
import type { TradeSource } from './pipeline/sources/source'
import { acquirePidLock } from './supervise/pid-lock'
import { ServiceSupervisor, type ServiceNotice } from './supervise/service-supervisor'

export type { ServiceNotice }

/** The Kafka connection, known once the broker answers (the managed one picks its port as it starts). */
export interface KafkaAccess {
  /** pinned to the managed broker's cluster: a broker of another cluster on its port is refused */
  kafka: Kafka
  /** the connection settings, for a thread that builds a client of its own */
  kafkaConnection: KafkaConnection
  /** log-safe description: "127.0.0.1:9092" or "b1:9093, ssl, sasl plain as me" */
  kafkaTarget: string
}

/**
 * The services every face (desktop app, browser mode, CLI) builds in the same way, as soon as
 * PostgreSQL is ready: stored data needs nothing more, and the managed broker (a JVM, seconds to
 * start) comes up behind it. What needs Kafka awaits `broker`.
 */
export interface Services {
  settings: Settings
  /** true when Tickflow runs the broker itself */
  kafkaManaged: boolean
  /** the broker's start: its state for the status, and the connection once it answers */
  broker: StartGate<KafkaAccess>
  db: Database
  /** disk use in the status, retention hourly, and the user's live change of it */
  storage: StorageControl
  /** Deaths and restarts of the managed broker and embedded PostgreSQL, and what retention removed, in words. Returns unsubscribe. */
  onNotice(listener: (n: ServiceNotice) => void): () => void
  /** Stops what Tickflow runs; call after the pipeline has drained (the writer needs both). */
  close(): Promise<void>
}

/** Services whose broker already answers: what the CLI, the tests and the bench start with. */
export type ReadyServices = Services & KafkaAccess

type Notify = (n: ServiceNotice) => void

type StartBroker = (opts: LocalBrokerOptions) => Promise<LocalBrokerHandle>

export interface StartOptions {
  onProgress?: (msg: string) => void
  /** starts the managed broker; default startLocalBroker (tests: one that answers when they say) */
  startBroker?: StartBroker
}

/**
 * Closes the pool and waits until its sessions are gone: pg's pool.end() resolves as soon as it has
 * asked its idle clients to end, and a PostgreSQL stopped right then cuts them off instead ("terminating
 * connection due to administrator command", reported as a lost connection).
 */
async function closeDatabase(db: Database): Promise<void> {
  let open = db.pool.totalCount
  const gone = new Promise<void>((resolve) => {
    if (open === 0) resolve()
    db.pool.on('remove', () => --open <= 0 && resolve())
  })
  await db.close()
  await settlesWithin(gone, 5_000)
}

/**
 * The managed broker, restarted when it dies. A restart comes back on the same port, because that
 * is where every client looks; if another program took the port meanwhile, it keeps trying.
 */
function superviseBroker(
  settings: Settings,
  progress: (m: string) => void,
  notify: Notify,
  startBroker: StartBroker,
) {
  let port = settings.kafkaPort
  let started = false
  // A full disk fails the only log dir, and the broker shuts itself down (exit code 1); a restart
  // fails until space returns. Measured with Kafka 4.4 on a tmpfs: every acknowledged record was
  // still there once it came back.
  const lastWords = new LastWords()
  const disk = brokerDirs(settings.dataDir).logDirs
  return new ServiceSupervisor<LocalBrokerHandle>({
    service: 'kafka',
    name: 'Kafka broker',
    launch: async () => {
      if (started && port !== undefined && !(await isPortFree(port)))
        throw new Error(`port ${port} is taken by another program, and clients look for the broker there`)
      lastWords.clear()
      const b = await startBroker({
        dataDir: settings.dataDir,
        port,
        onProgress: progress,
        onLog: (line) => {
          appLog('kafka-broker')[levelOfLine(line)](line)
          lastWords.add(line)
        },
      }).catch(async (err: unknown) => {
        throw await withDiskSpace(err, disk)
      })
      port = b.port
      started = true
      return b
    },
    where: (b) => b.bootstrap,
    explainDeath: () => lastWords.diskFull(disk),
    notify,
  })
}

/** Embedded PostgreSQL, restarted when it dies, on the port in the pool's URL. */
function supervisePostgres(settings: Settings, progress: (m: string) => void, notify: Notify) {
  let port: number | undefined
  const lastWords = new LastWords()
  const disk = clusterDirOf(settings.dataDir)
  return new ServiceSupervisor<EmbeddedPostgres>({
    service: 'postgres',
    name: 'embedded PostgreSQL',
    launch: async () => {
      lastWords.clear()
      // A full disk keeps it from starting (its recovery must write WAL): the notice says how full.
      const pg = await startEmbeddedPostgres({
        dataDir: settings.dataDir,
        port,
        onProgress: progress,
        onLog: (line) => {
          appLog('postgres')[levelOfLine(line)](line)
          lastWords.add(line)
        },
      }).catch(async (err: unknown) => {
        throw await withDiskSpace(err, disk)
      })
      port = pg.port
      return pg
    },
    where: (pg) => `127.0.0.1:${pg.port}`,
    explainDeath: () => lastWords.diskFull(disk),
    notify,
  })
}

/**
 * The composition root: a broker (ours unless --brokers names a cluster) and a database (embedded
 * unless a URL is given), started side by side because both are slow on a cold machine. Resolves
 * once the database is ready; the broker goes on starting behind it (`broker`). Ours are
 * supervised, and the data dir that holds them is locked to this instance while they run: a second
 * Tickflow on it would otherwise stop this one's PostgreSQL as an "orphan".
 */
export async function startServices(settings: Settings, opts: StartOptions = {}): Promise<Services> {
  const progress = (m: string): void => {
    appLog('services').info(m)
    opts.onProgress?.(m)
  }
  // One broken listener must not silence the others; the notice itself is logged in notify.
  const listeners = new Emitter<ServiceNotice>((err) =>
    appLog('services').debug({ err }, 'a service notice listener threw'),
  )
  // What happens before a face subscribes (between a start and createCore) is kept for it.
  const early: ServiceNotice[] = []
  const notify: Notify = (n) => {
    appLog('supervisor')[n.level]({ service: n.service }, n.message)
    if (listeners.size === 0 && early.length < 20) early.push(n)
    listeners.fire(n)
  }
  let unlock: (() => Promise<void>) | null = null
  if (!settings.brokers || !settings.databaseUrl) {
    const dir = resolve(settings.dataDir)
    await mkdir(dir, { recursive: true })
    unlock = await acquirePidLock(
      join(dir, 'tickflow.lock'),
      `runs Tickflow on the data dir ${dir} (stop it, or give this one another --data-dir)`,
    )
  }
  const gate = brokerGate(settings, progress, notify, opts.startBroker ?? startLocalBroker)
  const embedded = settings.databaseUrl ? null : supervisePostgres(settings, progress, notify)
  let d: Database
  try {
    const url = embedded ? (await embedded.start()).url : settings.databaseUrl!
    d = await openDatabase({
      databaseUrl: url,
      dataDir: settings.dataDir,
      schema: settings.pgSchema,
      onProgress: progress,
    })
  } catch (err) {
    // Leave nothing half-started behind: the broker's start is let finish, then stopped.
    await Promise.all([gate.stop(), embedded?.stop()])
    await unlock?.()
    throw err
  }

  // Retention (issue 13): at start and every hour; its notices reach the status as the services' do.
  // Disk use is measured every minute and after each run.
  const storage = createStorageControl({
    settings,
    pool: d.pool,
    own: { postgres: embedded !== null, kafka: !settings.brokers },
    notify: (level, message) => notify({ service: 'storage', level, message, at: Date.now() }),
  })
  storage.start()
  let closing: Promise<void> | undefined
  return {
    settings,
    kafkaManaged: !settings.brokers,
    broker: gate.gate,
    db: { ...d, embedded: embedded !== null },
    storage,
    onNotice(listener) {
      const off = listeners.on(listener)
      for (const n of early.splice(0)) listener(n)
      return off
    },
    close: () =>
      (closing ??= (async () => {
        await storage.stop()
        await closeDatabase(d)
        // Independent of each other once the pipeline is gone, so side by side.
        await Promise.all([gate.stop(), embedded?.stop()])
        await unlock?.()
      })()),
  }
}

/**
 * startServices, then the broker too: for the faces that have nothing to show without it (the
 * CLI) and for tests and the bench. A broker that cannot start stops everything and is thrown.
 */
export async function createServices(settings: Settings, opts: StartOptions = {}): Promise<ReadyServices> {
  const services = await startServices(settings, opts)
  try {
    return { ...services, ...(await services.broker.ready()) }
  } catch (err) {
    await services.close()
    throw err
  }
}

/** The Kafka connection to our broker (its address, cluster and user), or to --brokers. */
function kafkaAccess(
  settings: Settings,
  ours: Pick<LocalBrokerHandle, 'bootstrap' | 'clusterId' | 'sasl'> | null,
): KafkaAccess {
  const conn: KafkaConnection = {
    brokers: ours ? [ours.bootstrap] : (settings.brokers ?? []),
    clientId: 'tickflow',
    ssl: settings.kafkaSsl || undefined,
    // The managed broker takes its own user only (issue 15); restarts keep its password.
    sasl: ours?.sasl ?? settings.kafkaSasl,
    clusterId: ours?.clusterId,
  }
  return { kafka: createKafka(conn), kafkaConnection: conn, kafkaTarget: describeConnection(conn) }
}

/**
 * The broker's start, behind PostgreSQL: open at once for an external cluster, else the managed
 * broker's supervised start, whose steps are its progress and whose failure is a notice (the
 * status shows it, and Start tries again) rather than a rejection nobody hears.
 */
function brokerGate(
  settings: Settings,
  progress: (m: string) => void,
  notify: Notify,
  startBroker: StartBroker,
): { gate: StartGate<KafkaAccess>; stop(): Promise<void> } {
  if (settings.brokers) return { gate: StartGate.open(kafkaAccess(settings, null)), stop: async () => {} }
  const broker = superviseBroker(
    settings,
    (m) => {
      progress(m)
      gate.progress(m)
    },
    notify,
    startBroker,
  )
  const gate: StartGate<KafkaAccess> = new StartGate(
    async () => {
      try {
        const b = await broker.start()
        progress(`Kafka broker ready on ${b.bootstrap}`)
        return kafkaAccess(settings, b)
      } catch (err) {
        const why = (err as Error).message.split('\n')[0]
        notify({
          service: 'kafka',
          level: 'error',
          message: `The Kafka broker could not start: ${why}`,
          at: Date.now(),
        })
        throw err
      }
    },
    (err) => appLog('services').debug({ err }, 'a broker state listener threw'),
  )
  return {
    gate,
    // A start under way is let finish first: the JVM it spawns must not be left behind.
    stop: async () => {
      await gate.settled()
      await broker.stop()
    },
  }
}

type BrokerView = Pick<PipelineStatus['kafka'], 'bootstrap' | 'state' | 'detail'>

/** The broker as the status shows it now: where it answers once it does, else how its start goes. */
export function brokerView(gate: Pick<StartGate<KafkaAccess>, 'state' | 'current'>): BrokerView {
  return { bootstrap: gate.current()?.kafkaTarget ?? '', ...gate.state() }
}

/** Where the data goes, as a status shows it (the database without its password). */
export function describeServices(
  services: Pick<Services, 'settings' | 'kafkaManaged' | 'db'>,
  broker: BrokerView,
  topic = services.settings.topic,
): Pick<PipelineStatus, 'kafka' | 'postgres'> {
  return {
    kafka: { ...broker, managed: services.kafkaManaged, topic },
    postgres: { target: redactUrl(services.db.url), embedded: services.db.embedded },
  }
}

/**
 * What a pipeline is built on: the services, or a test's set of the same real parts (its own
 * broker client and schema) without the storage control, whose disk use the status then lacks.
 */
export type PipelineServices = Pick<Services, 'settings' | 'kafkaManaged' | 'db'> &
  KafkaAccess & { storage?: Pick<StorageControl, 'status' | 'policy'> }

/**
 * What one run chooses: its source, and where the settings do not decide (a test, a bench phase
 * on shared services), its topic, group and sizes.
 */
export interface PipelineChoices extends Partial<
  Pick<Settings, 'topic' | 'partitions' | 'groupId' | 'bufferCapacity' | 'recordFile'>
> {
  source: TradeSource
  /** how often the status is sampled; default the pipeline's (1 s) */
  statusIntervalMs?: number
}

/** A pipeline on the services, as every face, test and bench phase builds it. */
export function createPipeline(services: PipelineServices, choices: PipelineChoices): Pipeline {
  const { settings, db, storage } = services
  const topic = choices.topic ?? settings.topic
  // The managed broker's topic follows the disk budget in force (a live change of it included).
  const budgetBytes = storage?.policy()?.budgetBytes
  return new Pipeline({
    kafka: services.kafka,
    pool: db.pool,
    connection: services.kafkaConnection,
    database: {
      url: db.url,
      schema: db.schema,
      diskDir: db.embedded ? clusterDirOf(settings.dataDir) : undefined,
    },
    source: choices.source,
    topic,
    partitions: choices.partitions ?? settings.partitions,
    groupId: choices.groupId ?? settings.groupId,
    role: settings.role,
    bufferCapacity: choices.bufferCapacity ?? settings.bufferCapacity,
    diskBudgetGb: budgetBytes ? budgetBytes / 1e9 : settings.diskBudgetGb,
    recordFile: choices.recordFile ?? settings.recordFile,
    // Built once the broker answers (the core awaits it first), so its state is ready.
    describe: describeServices(
      services,
      { bootstrap: services.kafkaTarget, state: 'ready', detail: null },
      topic,
    ),
    storage: storage && (() => storage.status()),
    statusIntervalMs: choices.statusIntervalMs,
  })
}
