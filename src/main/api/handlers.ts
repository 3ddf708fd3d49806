import type { Writable } from 'node:stream'
import { EVENT_NAMES } from '../../shared/channels'
import type { SavedPng, SavePngRequest } from '../../shared/chart-image'
import type { ApiHandlers, ExportRequest } from '../../shared/contract'
import { exportFileName } from '../export/export-args'
import { ExportBusyError } from '../export/exporter'
import { kpiSnapshot } from '../kpi/snapshot'
import type { SnapshotHub } from '../kpi/snapshot-hub'
import type { Pipeline } from '../pipeline/pipeline'
import { listRecordings, recordingsDir } from '../pipeline/sources/recordings'
import type { Services } from '../services'
import { StorageChangeError } from '../postgres/storage-control'
import type { SettingsStore } from '../settings/store'
import type { Autostart } from './behaviour'
import { brokerWords, meansLocalBroker } from './broker-words'
import { testConnection } from './connection-test'
import { createCoreServices, type ClientPort } from './core-services'
import { createRunControl } from './run-control'
import { ApiRequestError } from './dispatch'
import type { EventHub } from './events'

export interface Core extends ApiHandlers {
  /** Connects a client: it gets every broadcast and its own watch's snapshots. Returns disconnect. */
  connect(clientId: string, port: ClientPort): () => void
  /** the running pipeline, if any (the CLI reads it for its status line) */
  pipeline(): Pipeline | null
  /** true while a pipeline starts (its wait for the broker included) or runs */
  running(): boolean
  /** the snapshot pusher, for the benchmark's push cost */
  readonly snapshots: SnapshotHub
  /**
   * Streams an export's CSV into `out` (browser mode's download): validated by the caller, ended
   * when done, given up on abort. Throws ExportBusyError when enough exports are running.
   */
  streamCsv(req: ExportRequest, out: Writable, opts?: { signal?: AbortSignal }): Promise<{ rows: number }>
  /**
   * At a face's open: starts the pipeline with the current settings when `always` (serve --start),
   * else resumes the run that was going at the last quit or crash when startOnOpen is on. A failed
   * start becomes an alert notice, never a rejection: the face carries on, stopped.
   */
  startOnOpen(opts: { always: boolean }): Promise<void>
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
   * The app's open dialog: main asks the user for a file to replay (starting in `startDir`, the
   * recordings folder) and gets its path, or null when they cancel. A client never names a path;
   * without a dialog (browser mode) chooseReplayFile is refused and the dashboard picks one of the
   * recordings instead.
   */
  chooseReplayFile?: (startDir: string) => Promise<string | null>
  /**
   * The app's way to keep a panel's chart image: a save dialog, then the file (null when the user
   * cancels), and the system clipboard. Without them (browser mode downloads the image and copies
   * it itself) savePng and copyPng are refused.
   */
  chartImages?: {
    save: (req: SavePngRequest) => Promise<SavedPng | null>
    copy: (png: Uint8Array) => void
  }
  /**
   * Where the user's changes are kept, so that the next start of any face comes back with them.
   * The face opens it and resolves its settings from it; without one (tests) changes last a run.
   */
  store?: SettingsStore
  /** the desktop app's login entry, behind the Open at login setting; browser mode has none */
  autostart?: Autostart
  /**
   * Whether a run is kept to resume at the next open (the app and browser mode). The CLI's run is
   * its command line's: Ctrl-C ends it, and the next open of the dashboard must not resume it.
   */
  recordRuns?: boolean
}

const NO_IMAGE_SHELL = 'no save dialog nor clipboard here: in the browser the page saves and copies the image'

/** The clientId of callers without a transport (the CLI, tests). */
const LOCAL = 'local'

/**
 * The API handlers: plain functions over the services, the same for every face. Requests arrive
 * here already validated against the contract's schemas. The pipeline's start and stop are
 * run-control.ts's; what the core keeps while it lives (alerts, snapshot pushes, the user's choices,
 * the clients) is built by core-services.ts.
 */
export function createCore(services: Services, events: EventHub, options: CoreOptions = {}): Core {
  const { settings, db } = services
  const { store } = options
  const { run, alerts, choices, behaviour, lag, snapshots, monitor, exporter, clients } = createCoreServices(
    services,
    events,
    store,
    options.autostart,
  )
  const status = run.status

  const runs = createRunControl(
    services,
    events,
    { run, alerts, choices, behaviour, lag, monitor },
    { recordRuns: options.recordRuns !== false },
  )

  const handlers: ApiHandlers = {
    startPipeline: runs.start,
    stopPipeline: runs.stop,

    async getStatus() {
      return status()
    },

    // The user's choices: saved, then applied (choices.ts).
    async getConfig() {
      await behaviour.ready
      return choices.getConfig(undefined)
    },
    setSource: choices.setSource,
    setFinnhubToken: choices.setFinnhubToken,
    subscribe: choices.subscribe,
    unsubscribe: choices.unsubscribe,
    getThresholds: choices.getThresholds,
    setThreshold: choices.setThreshold,
    pinSymbolsSubscribed: choices.pinSymbolsSubscribed,

    // A replay's file: one of the recordings by name, or in the app main's open dialog.
    async listRecordings() {
      return listRecordings(recordingsDir(settings.dataDir))
    },

    async chooseReplayFile() {
      const choose = options.chooseReplayFile
      if (!choose)
        throw new ApiRequestError(
          "no file dialog here: pick one of the recordings (files in the data dir's recordings folder)",
        )
      if (run.running()) throw new ApiRequestError('stop the pipeline before changing the source', 'source')
      const path = await choose(recordingsDir(settings.dataDir))
      return path === null ? null : choices.useReplayFile(path)
    },

    async testConnection(req) {
      const kafka = services.broker.current()
      // Our own broker before it answers: say where its start is, not a refused connection.
      if (req.kind === 'kafka' && !kafka && services.kafkaManaged && meansLocalBroker(req.brokers))
        return { ok: false, message: brokerWords(services.broker.state()) }
      return testConnection(req, {
        kafka: kafka?.kafkaConnection ?? { brokers: [] },
        databaseUrl: services.db.url,
      })
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

    async savePng(req) {
      if (!options.chartImages) throw new ApiRequestError(NO_IMAGE_SHELL)
      return options.chartImages.save(req)
    },

    async copyPng({ png }) {
      if (!options.chartImages) throw new ApiRequestError(NO_IMAGE_SHELL)
      options.chartImages.copy(png)
      return null
    },

    async setBehaviour(req) {
      await behaviour.set(req)
      return choices.configChanged()
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
    pipeline: () => run.pipeline,
    running: () => run.running(),
    startOnOpen: runs.startOnOpen,
    async shutdown() {
      snapshots.stop()
      await runs.settle()
      monitor.stop()
      await run.pipeline?.stop()
      await services.close()
    },
  }
}
