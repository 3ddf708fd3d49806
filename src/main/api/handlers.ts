import type { Writable } from 'node:stream'
import { EVENT_NAMES, type EventName } from '../../shared/channels'
import type { ApiHandlers, CommandRequest, EventPayloads, ExportRequest } from '../../shared/contract'
import type { PipelineStatus } from '../../shared/status'
import { AlertBook } from '../alerts/alert-book'
import { exportFileName } from '../export/export-args'
import { CsvExporter, ExportBusyError } from '../export/exporter'
import { LagHistory } from '../kpi/lag-history'
import { appLog } from '../log/logger'
import { kpiSnapshot } from '../kpi/snapshot'
import { SnapshotHub } from '../kpi/snapshot-hub'
import { Pipeline } from '../pipeline/pipeline'
import { roleParts } from '../pipeline/role'
import { createSource } from '../pipeline/sources/create-source'
import { redactUrl } from '../log/redact'
import { clusterDirOf } from '../postgres/embedded'
import type { Services } from '../services'
import { StorageChangeError } from '../postgres/storage-control'
import type { SettingsStore } from '../settings/store'
import { AlertMonitor } from './alert-monitor'
import { createChoices } from './choices'
import { testConnection } from './connection-test'
import { ApiRequestError } from './dispatch'
import type { EventHub } from './events'

/** A face's client (a browser tab, the Electron window): where its events go. */
export interface ClientPort {
  push<E extends EventName>(event: E, payload: EventPayloads[E]): void
}

export interface Core extends ApiHandlers {
  /** Connects a client: it gets every broadcast and its own watch's snapshots. Returns disconnect. */
  connect(clientId: string, port: ClientPort): () => void
  /** the running pipeline, if any (the CLI reads it for its status line) */
  pipeline(): Pipeline | null
  /** the snapshot pusher, for the benchmark's push cost */
  readonly snapshots: SnapshotHub
  /**
   * Streams an export's CSV into `out` (browser mode's download): validated by the caller, ended
   * when done, given up on abort. Throws ExportBusyError when enough exports are running.
   */
  streamCsv(req: ExportRequest, out: Writable, opts?: { signal?: AbortSignal }): Promise<{ rows: number }>
  /** stops the pipeline (draining it) and releases the services */
  shutdown(): Promise<void>
}

/** What a face adds to the core. */
export interface CoreOptions {
  /**
   * The app's save dialog: main asks the user where an export goes (suggesting a name) and gets a
   * path, or null when they cancel. The renderer never names a path; without a dialog (browser
   * mode, which downloads instead) exportCsv is refused.
   */
  chooseExportPath?: (suggestedName: string) => Promise<string | null>
  /**
   * Where the user's changes are kept, so that the next start of any face comes back with them.
   * The face opens it and resolves its settings from it; without one (tests) changes last a run.
   */
  store?: SettingsStore
}

/** The clientId of callers without a transport (the CLI, tests). */
const LOCAL = 'local'

/**
 * The API handlers: plain functions over the services, the same for every face. Requests arrive
 * here already validated against the contract's schemas. The core also owns what the dashboard
 * watches: the pipeline, the snapshot pushes and the alerts; the user's choices (the next start's
 * settings, the thresholds) are kept by choices.ts.
 */
export function createCore(services: Services, events: EventHub, options: CoreOptions = {}): Core {
  const { settings, db } = services
  let pipeline: Pipeline | null = null
  const running = (): boolean => {
    const s = pipeline?.status().state
    return s !== undefined && s !== 'stopped' && s !== 'failed'
  }
  const store = options.store
  const alerts = new AlertBook()
  const choices = createChoices({
    settings,
    pool: db.pool,
    store,
    running,
    source: () => pipeline?.source ?? null,
    emit: (c) => events.emit('config', c),
    warn: (m) => alerts.notice('warn', m, Date.now()),
  })
  const { next } = choices
  const lag = new LagHistory()

  // Where the data goes, as status shows it (the database without its password).
  const describe: Pick<PipelineStatus, 'kafka' | 'postgres'> = {
    kafka: { bootstrap: services.kafkaTarget, managed: services.kafkaManaged, topic: settings.topic },
    postgres: { target: redactUrl(db.url), embedded: db.embedded },
  }

  const idleStatus = (): PipelineStatus => ({
    state: 'stopped',
    detail: null,
    source: null,
    symbols: next.symbols,
    counters: {
      received: 0,
      produced: 0,
      dropped: 0,
      buffered: 0,
      consumed: 0,
      written: 0,
      duplicates: 0,
      rejected: 0,
    },
    rates: { received: 0, written: 0 },
    lag: null,
    backlog: null,
    feedErrors: [],
    consumer: { state: 'stopped', lastBatchAt: null, lastError: null, restarts: 0 },
    ...describe,
    storage: services.storage.status(),
    at: Date.now(),
  })
  const status = (): PipelineStatus => pipeline?.status() ?? idleStatus()

  const snapshots = new SnapshotHub({
    query: (req) => kpiSnapshot(db.pool, req),
    rateIntervalS: () => choices.thresholds().rate_interval_s,
    symbols: () => next.symbols,
    run: () => pipeline?.run() ?? null,
    lag,
    onError: (err) => alerts.notice('warn', `KPI snapshot failed: ${err.message}`, Date.now()),
    oldestTradeAt: () => services.storage.status()?.oldestTradeAt ?? null,
  })
  const monitor = new AlertMonitor({
    db: db.pool,
    book: alerts,
    snapshots,
    status,
    thresholds: choices.thresholds,
    run: () => pipeline?.run() ?? null,
  })
  alerts.onChange((a) => events.emit('alert', a))
  services.onNotice((n) => alerts.notice(n.level, n.message, n.at)) // broker or PostgreSQL died, restarted
  // A running pipeline carries the newest disk use in its next tick; a stopped one has no ticks.
  services.storage.onMeasured(() => {
    if (!running()) events.emit('status', status())
  })
  // The managed broker's topic follows the disk budget: at each start (below) and when the user
  // changes the budget while the pipeline runs.
  const budgetGb = (): number | undefined => {
    const bytes = services.storage.policy()?.budgetBytes
    return bytes ? bytes / 1e9 : settings.diskBudgetGb
  }
  services.storage.onPolicyChange((policy) => {
    const gb = policy.budgetBytes === null ? undefined : policy.budgetBytes / 1e9
    if (gb === undefined || !pipeline || !running()) return
    pipeline
      .applyDiskBudget(gb)
      .catch((err: unknown) =>
        alerts.notice(
          'warn',
          `The topic could not follow the new disk budget: ${(err as Error).message}`,
          Date.now(),
        ),
      )
  })

  // Exports hold a pooled connection each while they stream; the exporter caps how many run.
  const exporter = new CsvExporter(db.pool, { defaultSymbols: () => next.symbols })

  const clients = new Map<string, ClientPort>()
  snapshots.onSnapshot((ids, snap) => {
    for (const id of ids) clients.get(id)?.push('snapshot', snap)
  })
  snapshots.start()

  const startPipeline = async (req: CommandRequest<'startPipeline'>): Promise<PipelineStatus> => {
    if (req) choices.useForStart(req)
    const sourceLog = appLog('source')
    const feeds = roleParts(settings.role).feed
    const source = await createSource({
      ...settings,
      // A writer never starts its source; the Demo one needs no token nor file to be built.
      source: feeds ? next.source : 'demo',
      symbols: next.symbols,
      finnhubToken: next.finnhubToken ?? undefined,
      replayFile: next.replayFile ?? undefined,
      speed: next.speed,
      demoRate: next.demoRate,
      log: (line) => sourceLog.info(line),
    })
    const p = new Pipeline({
      kafka: services.kafka,
      pool: db.pool,
      connection: services.kafkaConnection,
      database: {
        url: db.url,
        schema: db.schema,
        diskDir: db.embedded ? clusterDirOf(settings.dataDir) : undefined,
      },
      source,
      topic: settings.topic,
      partitions: settings.partitions,
      groupId: settings.groupId,
      role: settings.role,
      bufferCapacity: settings.bufferCapacity,
      diskBudgetGb: budgetGb(),
      recordFile: settings.recordFile,
      describe,
      storage: () => services.storage.status(),
    })
    p.onStatus((s) => {
      if (s.lag !== null) lag.add(s.at, s.lag)
      events.emit('status', s)
    })
    p.onAlert((a) => alerts.notice(a.level, a.message, a.at))
    pipeline = p
    if (req) choices.configChanged()
    // Only a process with the feed knows what is subscribed; a writer leaves the table to it.
    if (feeds) await choices.syncSubscribedThreshold()
    monitor.start()
    try {
      await p.start()
    } catch (err) {
      monitor.stop()
      throw err
    }
    return p.status()
  }

  // One start at a time: two tabs pressing Start together must not build two pipelines, and a
  // Stop that arrives during a start waits for it rather than finding nothing to stop.
  let starting: Promise<unknown> | null = null

  const handlers: ApiHandlers = {
    async startPipeline(req) {
      if (starting || running()) throw new ApiRequestError('the pipeline is already running; stop it first')
      const started = startPipeline(req)
      starting = started
      try {
        return await started
      } finally {
        starting = null
      }
    },

    async stopPipeline() {
      // Only waits for a start to settle: its failure went to the startPipeline caller already.
      await starting?.catch(() => undefined)
      await pipeline?.stop()
      monitor.stop()
      return status()
    },

    async getStatus() {
      return status()
    },

    // The user's choices: saved, then applied (choices.ts).
    getConfig: choices.getConfig,
    setSource: choices.setSource,
    setFinnhubToken: choices.setFinnhubToken,
    subscribe: choices.subscribe,
    unsubscribe: choices.unsubscribe,
    getThresholds: choices.getThresholds,
    setThreshold: choices.setThreshold,
    pinSymbolsSubscribed: choices.pinSymbolsSubscribed,

    async testConnection(req) {
      return testConnection(req, { kafka: services.kafkaConnection, databaseUrl: services.db.url })
    },

    async watch(req, ctx) {
      // The renderer keeps its own window across restarts (its prefs); the core keeps none.
      return snapshots.watch(ctx?.clientId ?? LOCAL, req)
    },

    async getAlerts() {
      return alerts.list()
    },

    async kpiSnapshot(req) {
      return kpiSnapshot(db.pool, req)
    },

    async previewRetention(req) {
      return services.storage.preview(req)
    },

    async setRetention({ previewed, ...change }) {
      try {
        // Saved first, then in force: a change that cannot be saved is refused, not lost at restart.
        const applied = await services.storage.apply(change, previewed, async (c) => {
          await store?.update(c)
        })
        events.emit('status', status())
        return applied
      } catch (err) {
        throw err instanceof StorageChangeError ? new ApiRequestError(err.message, 'previewed') : err
      }
    },

    async exportCsv(req) {
      const choose = options.chooseExportPath
      if (!choose)
        throw new ApiRequestError(
          'no save dialog here: in the browser the CSV is a download; headless, use npm run export',
        )
      const path = await choose(exportFileName(req))
      if (path === null) return null
      return exporter.toFile(req, path).catch((err: unknown) => {
        throw err instanceof ExportBusyError ? new ApiRequestError(err.message) : err
      })
    },
  }

  return {
    ...handlers,
    snapshots,
    streamCsv: (req, out, opts) => exporter.write(req, out, { signal: opts?.signal }),
    connect(clientId, port) {
      clients.set(clientId, port)
      const offs = EVENT_NAMES.filter((e) => e !== 'snapshot').map((e) =>
        events.on(e, (payload) => port.push(e, payload as never)),
      )
      return () => {
        for (const off of offs) off()
        snapshots.unwatch(clientId)
        clients.delete(clientId)
      }
    },
    pipeline: () => pipeline,
    async shutdown() {
      snapshots.stop()
      // Only waits for a start to settle: its failure went to the startPipeline caller already.
      await starting?.catch(() => undefined)
      monitor.stop()
      await pipeline?.stop()
      await services.close()
    },
  }
}
