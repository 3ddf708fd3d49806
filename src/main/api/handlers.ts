import type { Writable } from 'node:stream'
import { EVENT_NAMES, type EventName } from '../../shared/channels'
import type {
  ApiHandlers,
  AppConfig,
  CommandRequest,
  EventPayloads,
  ExportRequest,
} from '../../shared/contract'
import type { PipelineStatus, SourceKind } from '../../shared/status'
import { MAX_SYMBOLS } from '../../shared/symbols'
import { DEFAULT_THRESHOLDS, parseThreshold, type Thresholds } from '../../shared/thresholds'
import type { WatchRequest } from '../../shared/windows'
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
import { redactUrl } from '../postgres/database'
import { getThresholds, setThreshold } from '../postgres/thresholds'
import type { Services } from '../services'
import { serialize } from '../settings/serial'
import type { SettingsPatch, SettingsStore } from '../settings/store'
import { AlertMonitor } from './alert-monitor'
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
  /** the window the dashboard last watched, kept in the settings store across restarts */
  savedWatch(): WatchRequest | null
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
 * watches: the settings of the next start, the snapshot pushes and the alerts.
 */
export function createCore(services: Services, events: EventHub, options: CoreOptions = {}): Core {
  const { settings, db } = services
  let pipeline: Pipeline | null = null
  // The next start's settings; while running, `symbols` mirrors the source.
  const next = {
    source: settings.source as SourceKind,
    replayFile: settings.replayFile ?? null,
    speed: settings.speed,
    demoRate: settings.demoRate,
    finnhubToken: settings.finnhubToken ?? null,
    symbols: [...settings.symbols],
  }
  const store = options.store
  // Thresholds have one source of truth, the thresholds table: the KPI views and kpi_snapshot read
  // it in SQL (and so do Grafana or Superset on the same database), and it travels with the data
  // it describes, also when several data dirs share one database. The store keeps only whether
  // symbols_subscribed is pinned, which is how this face treats the table, not a value in it.
  let pinned = store?.symbolsSubscribedPinned() ?? false
  let thresholds: Thresholds = { ...DEFAULT_THRESHOLDS }
  const lag = new LagHistory()
  const alerts = new AlertBook()

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
    feedErrors: [],
    consumer: { state: 'stopped', lastBatchAt: null, lastError: null, restarts: 0 },
    ...describe,
    at: Date.now(),
  })
  const status = (): PipelineStatus => pipeline?.status() ?? idleStatus()
  const running = (): boolean => {
    const s = pipeline?.status().state
    return s !== undefined && s !== 'stopped' && s !== 'failed'
  }

  const config = (): AppConfig => ({
    source: next.source,
    replayFile: next.replayFile,
    speed: next.speed,
    demoRate: next.demoRate,
    finnhubToken: next.finnhubToken ? 'set' : 'not set',
    symbols: [...next.symbols],
    thresholds: { ...thresholds },
    symbolsSubscribedPinned: pinned,
  })
  const configChanged = (): AppConfig => {
    const c = config()
    events.emit('config', c)
    return c
  }

  const refreshThresholds = async (): Promise<Thresholds> => (thresholds = await getThresholds(db.pool))
  // The data-loss KPI compares against this threshold, so it follows the subscription unless pinned.
  const syncSubscribedThreshold = async (): Promise<void> => {
    if (pinned) return
    await setThreshold(db.pool, 'symbols_subscribed', Math.max(1, Math.min(next.symbols.length, MAX_SYMBOLS)))
    await refreshThresholds()
  }
  // Until the table has been read, the config would show the defaults rather than the stored values.
  const loaded = refreshThresholds().then(
    () => undefined,
    () => undefined,
  )

  const snapshots = new SnapshotHub({
    query: (req) => kpiSnapshot(db.pool, req),
    rateIntervalS: () => thresholds.rate_interval_s,
    symbols: () => next.symbols,
    run: () => pipeline?.run() ?? null,
    lag,
    onError: (err) => alerts.notice('warn', `KPI snapshot failed: ${err.message}`, Date.now()),
  })
  const monitor = new AlertMonitor({
    db: db.pool,
    book: alerts,
    snapshots,
    status,
    thresholds: () => thresholds,
    run: () => pipeline?.run() ?? null,
  })
  alerts.onChange((a) => events.emit('alert', a))
  services.onNotice((n) => alerts.notice(n.level, n.message, n.at)) // broker or PostgreSQL died, restarted

  // Exports hold a pooled connection each while they stream; the exporter caps how many run.
  const exporter = new CsvExporter(db.pool, { defaultSymbols: () => next.symbols })

  // Changes of settings run one at a time, each saved before it takes effect: two quick clicks
  // never interleave, and a change that cannot be saved is refused rather than lost at restart.
  const serial = serialize()
  const changing = <T>(task: () => Promise<T>): Promise<T> => serial(() => loaded.then(task))
  const save = async (patch: SettingsPatch): Promise<void> => {
    await store?.update(patch)
  }
  let savedWatch = store?.window() ?? null
  let savingWatch: Promise<void> = Promise.resolve()

  const clients = new Map<string, ClientPort>()
  snapshots.onSnapshot((ids, snap) => {
    for (const id of ids) clients.get(id)?.push('snapshot', snap)
  })
  snapshots.start()

  const startPipeline = async (req: CommandRequest<'startPipeline'>): Promise<PipelineStatus> => {
    if (req) {
      Object.assign(next, { source: req.source, symbols: [...req.symbols] })
      if (req.replayFile !== undefined) next.replayFile = req.replayFile
      if (req.speed !== undefined) next.speed = req.speed
    }
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
      database: { url: db.url, schema: db.schema },
      source,
      topic: settings.topic,
      partitions: settings.partitions,
      groupId: settings.groupId,
      role: settings.role,
      bufferCapacity: settings.bufferCapacity,
      recordFile: settings.recordFile,
      describe,
    })
    p.onStatus((s) => {
      if (s.lag !== null) lag.add(s.at, s.lag)
      events.emit('status', s)
    })
    p.onAlert((a) => alerts.notice(a.level, a.message, a.at))
    pipeline = p
    if (req) configChanged()
    // Only a process with the feed knows what is subscribed; a writer leaves the table to it.
    if (feeds) await syncSubscribedThreshold()
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
      await starting?.catch(() => undefined)
      await pipeline?.stop()
      monitor.stop()
      return status()
    },

    async getStatus() {
      return status()
    },

    async getConfig() {
      await loaded
      return config()
    },

    setSource: (req) =>
      changing(async () => {
        if (running()) throw new ApiRequestError('stop the pipeline before changing the source', 'source')
        const { source, replayFile, speed, demoRate } = req
        await save({ source, replayFile, speed, demoRate })
        next.source = source
        if (replayFile !== undefined) next.replayFile = replayFile
        if (speed !== undefined) next.speed = speed
        if (demoRate !== undefined) next.demoRate = demoRate
        return configChanged()
      }),

    setFinnhubToken: ({ token }) =>
      changing(async () => {
        // Kept in the store's secret box; never sent back, logged or put in a status.
        await save({ finnhubToken: token })
        next.finnhubToken = token
        return configChanged()
      }),

    subscribe: ({ symbol }) =>
      changing(async () => {
        if (next.symbols.includes(symbol))
          throw new ApiRequestError(`${symbol} is already in the list`, 'symbol')
        if (next.symbols.length >= MAX_SYMBOLS)
          throw new ApiRequestError(
            `at most ${MAX_SYMBOLS} symbols per connection (Finnhub's free plan)`,
            'symbol',
          )
        const symbols = [...next.symbols, symbol]
        await save({ symbols })
        if (running()) pipeline?.source.subscribe(symbol)
        next.symbols = symbols
        await syncSubscribedThreshold()
        configChanged()
        return next.symbols
      }),

    unsubscribe: ({ symbol }) =>
      changing(async () => {
        if (!next.symbols.includes(symbol)) throw new ApiRequestError(`not subscribed to ${symbol}`, 'symbol')
        if (next.symbols.length === 1)
          throw new ApiRequestError('keep at least one symbol; stop the pipeline instead', 'symbol')
        const symbols = next.symbols.filter((s) => s !== symbol)
        await save({ symbols })
        if (running()) pipeline?.source.unsubscribe(symbol)
        next.symbols = symbols
        await syncSubscribedThreshold()
        configChanged()
        return next.symbols
      }),

    async getThresholds() {
      return refreshThresholds()
    },

    setThreshold: ({ id, value }) =>
      changing(async () => {
        // A value the user typed for symbols_subscribed stays until they unpin it.
        if (parseThreshold(id, value).id === 'symbols_subscribed' && !pinned) {
          await save({ symbolsSubscribedPinned: true })
          pinned = true
        }
        await setThreshold(db.pool, id, value)
        await refreshThresholds()
        configChanged()
        return { ...thresholds }
      }),

    pinSymbolsSubscribed: ({ pinned: pin }) =>
      changing(async () => {
        await save({ symbolsSubscribedPinned: pin })
        pinned = pin
        await syncSubscribedThreshold()
        return configChanged()
      }),

    async testConnection(req) {
      return testConnection(req, services.kafkaConnection)
    },

    async watch(req, ctx) {
      const snap = await snapshots.watch(ctx?.clientId ?? LOCAL, req)
      // The last window any client chose is the next start's; failing to keep it costs no view.
      if (store && JSON.stringify(req) !== JSON.stringify(savedWatch)) {
        savedWatch = req
        savingWatch = store.update({ window: req }).catch((err: Error) => {
          alerts.notice('warn', `could not save the window: ${err.message}`, Date.now())
        })
      }
      return snap
    },

    async getAlerts() {
      return alerts.list()
    },

    async kpiSnapshot(req) {
      return kpiSnapshot(db.pool, req)
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
    savedWatch: () => savedWatch,
    async shutdown() {
      snapshots.stop()
      await starting?.catch(() => undefined)
      monitor.stop()
      await pipeline?.stop()
      await savingWatch
      await services.close()
    },
  }
}
