import type { EventName } from '../../shared/channels'
import type { EventPayloads } from '../../shared/contract'
import type { PipelineStatus } from '../../shared/status'
import { AlertBook } from '../alerts/alert-book'
import { CsvExporter } from '../export/exporter'
import { LagHistory } from '../kpi/lag-history'
import { kpiSnapshot } from '../kpi/snapshot'
import { SnapshotHub } from '../kpi/snapshot-hub'
import type { Pipeline } from '../pipeline/pipeline'
import { idleStatus } from '../pipeline/pipeline-status'
import { brokerView, describeServices, type Services } from '../services'
import type { SettingsStore } from '../settings/store'
import { AlertMonitor } from './alert-monitor'
import { createBehaviour, type Autostart, type BehaviourSettings } from './behaviour'
import { brokerWords } from './broker-words'
import { createChoices, type Choices } from './choices'
import type { EventHub } from './events'

/** A face's client (a browser tab, the Electron window): where its events go. */
export interface ClientPort {
  push<E extends EventName>(event: E, payload: EventPayloads[E]): void
}

/** The run the core started, if any: set by its start, read by everything that watches it. */
export interface CurrentRun {
  pipeline: Pipeline | null
  /** true while a start waits for the broker to come up (the status says "starting Kafka…") */
  waiting: boolean
  /** true while a pipeline starts (waiting for the broker included) or runs */
  running(): boolean
  /** the running pipeline's status; with none, the idle one of the same shape */
  status(): PipelineStatus
}

/** Everything the core keeps for as long as it lives, built once here on top of the services. */
export interface CoreServices {
  run: CurrentRun
  alerts: AlertBook
  choices: Choices
  behaviour: BehaviourSettings
  lag: LagHistory
  snapshots: SnapshotHub
  monitor: AlertMonitor
  exporter: CsvExporter
  /** the connected clients by id, for the snapshots of each one's own watch */
  clients: Map<string, ClientPort>
}

/**
 * Builds the core's long-lived objects and wires them to each other and to the services: alerts
 * reach every client, service notices become alerts, snapshots reach the client that watches.
 * What starts and stops (the pipeline, the monitor) is the core's (handlers.ts).
 */
export function createCoreServices(
  services: Services,
  events: EventHub,
  store: SettingsStore | undefined,
  autostart?: Autostart,
): CoreServices {
  const { settings, db, storage } = services
  const alerts = new AlertBook()
  const run: CurrentRun = {
    pipeline: null,
    waiting: false,
    running() {
      if (run.waiting) return true
      const s = run.pipeline?.status().state
      return s !== undefined && s !== 'stopped' && s !== 'failed'
    },
    status() {
      if (run.pipeline) return run.pipeline.status()
      const around = { ...describeServices(services, brokerView(services.broker)), storage: storage.status() }
      const idle = idleStatus(choices.next.symbols, around)
      return run.waiting ? { ...idle, state: 'starting', detail: brokerWords(services.broker.state()) } : idle
    },
  }
  const behaviour = createBehaviour({ store, autostart })
  const choices = createChoices({
    settings,
    pool: db.pool,
    store,
    behaviour: behaviour.current,
    running: run.running,
    source: () => run.pipeline?.source ?? null,
    emit: (c) => events.emit('config', c),
    warn: (m) => alerts.notice('warn', m, Date.now()),
  })
  const lag = new LagHistory()
  const snapshots = new SnapshotHub({
    query: (req) => kpiSnapshot(db.pool, req),
    rateIntervalS: () => choices.thresholds().rate_interval_s,
    symbols: () => choices.next.symbols,
    run: () => run.pipeline?.run() ?? null,
    lag,
    onError: (err) => alerts.notice('warn', `KPI snapshot failed: ${err.message}`, Date.now()),
    oldestTradeAt: () => storage.status()?.oldestTradeAt ?? null,
  })
  const monitor = new AlertMonitor({
    db: db.pool,
    book: alerts,
    snapshots,
    status: run.status,
    thresholds: choices.thresholds,
    run: () => run.pipeline?.run() ?? null,
  })
  alerts.onChange((a) => events.emit('alert', a))
  services.onNotice((n) => alerts.notice(n.level, n.message, n.at)) // broker or PostgreSQL died, restarted
  // The broker comes up behind the page: its steps, its arrival or its failure reach the status.
  services.broker.onChange(() => {
    if (!run.pipeline) events.emit('status', run.status())
  })
  // A running pipeline carries the newest disk use in its next tick; a stopped one has no ticks.
  storage.onMeasured(() => {
    if (!run.running()) events.emit('status', run.status())
  })
  // The managed broker's topic follows the disk budget: at each start (createPipeline) and when
  // the user changes the budget while the pipeline runs.
  storage.onPolicyChange((policy) => {
    const gb = policy.budgetBytes === null ? undefined : policy.budgetBytes / 1e9
    const p = run.pipeline
    if (gb === undefined || !p || !run.running()) return
    p.applyDiskBudget(gb).catch((err: unknown) =>
      alerts.notice(
        'warn',
        `The topic could not follow the new disk budget: ${(err as Error).message}`,
        Date.now(),
      ),
    )
  })

  // Exports hold a pooled connection each while they stream; the exporter caps how many run.
  const exporter = new CsvExporter(db.pool, { defaultSymbols: () => choices.next.symbols })

  const clients = new Map<string, ClientPort>()
  snapshots.onSnapshot((ids, snap) => {
    for (const id of ids) clients.get(id)?.push('snapshot', snap)
  })
  snapshots.start()

  return { run, alerts, choices, behaviour, lag, snapshots, monitor, exporter, clients }
}
