import { z } from 'zod'
import { copyPngRequestSchema, savePngRequestSchema, type SavedPng } from './chart-image'
import type { CommandName, EventName } from './channels'
import type { KpiSnapshot } from './kpi'
import { ALERT_RULES, type Alert, type AlertRule, type PipelineStatus, type SourceKind } from './status'
import {
  retentionSettingsSchema,
  setRetentionSchema,
  type RetentionApplied,
  type RetentionPreview,
} from './storage'
import { recordingNameSchema, type Recording } from './recordings'
import { symbolListSchema, symbolSchema } from './symbols'
import type { Thresholds } from './thresholds'
import { MAX_RANGE_DAYS, MAX_RANGE_MS, watchRequestSchema, type RunSpan, type WatchRequest } from './windows'

/**
 * The typed API between a face (Electron renderer, browser mode, CLI) and the core. Every command's
 * request is validated in main with these schemas before its handler runs. Channel names are made
 * in channels.ts and nowhere else.
 */

const ms = z.number().int().nonnegative()
const speedSchema = z.union([z.literal('max'), z.number().positive().max(1000)])

/**
 * Where trades come from at the next start. A replay is one of the recordings, by name: a client
 * never names a path (the app's main process asks a file dialog instead: chooseReplayFile).
 */
export const sourceRequestSchema = z
  .object({
    source: z.enum(['demo', 'finnhub', 'replay']),
    recording: recordingNameSchema.optional(),
    speed: speedSchema.optional(),
    demoRate: z.number().positive().max(1_000_000).optional(),
  })
  .strict()

export const startRequestSchema = z
  .object({
    source: z.enum(['demo', 'finnhub', 'replay']),
    symbols: symbolListSchema,
    recording: recordingNameSchema.optional(),
    speed: speedSchema.optional(),
  })
  .strict()

export const windowRequestSchema = z
  .object({ from: ms, to: ms, symbol: symbolSchema.optional() })
  .strict()
  .refine((w) => w.from < w.to, 'the window must end after it starts')
  .refine((w) => w.to - w.from <= MAX_RANGE_MS, `a window spans at most ${MAX_RANGE_DAYS} days`)

/**
 * What a CSV export can hold: the trades, or one KPI view's table as the dashboard shows it (the
 * per-symbol KPIs 1/3/4/6, trades per second, data-loss windows, volume trend, latency).
 */
export const KPI_CSV_VIEWS = [
  'symbols',
  'trades-per-second',
  'data-loss',
  'volume-trend',
  'latency',
  'latency-trend',
] as const
export type KpiCsvView = (typeof KPI_CSV_VIEWS)[number]
export const CSV_TABLES = ['trades', ...KPI_CSV_VIEWS] as const
export type CsvTable = (typeof CSV_TABLES)[number]
export const MAX_EXPORT_SYMBOLS = 200

/**
 * A CSV export as a face asks for it. It names no file: the renderer never chooses a path (the
 * app's main process asks a save dialog, browser mode downloads, the CLI has --out).
 */
export const exportRequestSchema = z
  .object({
    /** default 'trades' */
    table: z.enum(CSV_TABLES).optional(),
    from: ms,
    to: ms,
    /** trades: only these (default all); KPI tables: the subscribed list, for data loss's missing symbols */
    symbols: z.array(symbolSchema).max(MAX_EXPORT_SYMBOLS).optional(),
    /** the volume trend's symbol (default the window's most traded) */
    symbol: symbolSchema.optional(),
  })
  .strict()
  .refine((w) => w.from < w.to, 'the window must end after it starts')
  .refine(
    (w) => (w.table ?? 'trades') === 'trades' || w.to - w.from <= MAX_RANGE_MS,
    `a KPI table spans at most ${MAX_RANGE_DAYS} days`,
  )
export type ExportRequest = z.infer<typeof exportRequestSchema>

/** Browser mode's download route: /export/trades.csv, or /export/kpi/<view>.csv for a KPI table. */
export const EXPORT_ROUTE = '/export/'

/** The download URL of an export (same origin; the token cookie authorises it). */
export function exportHref(req: ExportRequest): string {
  const table = req.table ?? 'trades'
  const q = new URLSearchParams({ from: String(req.from), to: String(req.to) })
  if (req.symbols && req.symbols.length > 0) q.set('symbols', req.symbols.join(','))
  if (req.symbol) q.set('symbol', req.symbol)
  return `${EXPORT_ROUTE}${table === 'trades' ? '' : 'kpi/'}${table}.csv?${q.toString()}`
}

/** The table a download path names, or null when it names none. */
export function csvTableOfPath(path: string): CsvTable | null {
  const m = /^\/export\/(?:(kpi)\/)?([a-z-]+)\.csv$/.exec(path)
  if (!m) return null
  const table = m[2] as CsvTable
  if (m[1] ? !(KPI_CSV_VIEWS as readonly string[]).includes(table) : table !== 'trades') return null
  return table
}

export const testConnectionSchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('kafka'), brokers: z.string().trim().min(1, 'name at least one broker') })
    .strict(),
  z
    .object({
      kind: z.literal('postgres'),
      url: z.string().regex(/^postgres(ql)?:\/\//, 'the database URL must start with postgres://'),
    })
    .strict(),
])

/**
 * How Tickflow behaves around its window and the pipeline: a change of some of them. Open at login
 * is the desktop app's (an XDG autostart entry); browser mode refuses it.
 */
export const behaviourRequestSchema = z
  .object({
    closeToTray: z.boolean().optional(),
    startOnOpen: z.boolean().optional(),
    openAtLogin: z.boolean().optional(),
    notificationsOff: z.array(z.enum(ALERT_RULES)).max(ALERT_RULES.length).optional(),
  })
  .strict()

export const commandSchemas = {
  /** no request: start with the current settings (getConfig); a request also updates them */
  startPipeline: startRequestSchema.optional(),
  stopPipeline: z.undefined(),
  getStatus: z.undefined(),
  getConfig: z.undefined(),
  setSource: sourceRequestSchema,
  /** the recordings in <data dir>/recordings, newest first */
  listRecordings: z.undefined(),
  /** the app only: main's open dialog picks the replay file, which becomes the source */
  chooseReplayFile: z.undefined(),
  /** null forgets the token */
  setFinnhubToken: z.object({ token: z.string().trim().min(1).max(200).nullable() }).strict(),
  subscribe: z.object({ symbol: symbolSchema }).strict(),
  unsubscribe: z.object({ symbol: symbolSchema }).strict(),
  getThresholds: z.undefined(),
  setThreshold: z.object({ id: z.string().min(1), value: z.number().finite() }).strict(),
  /** pinned: symbols_subscribed keeps its value; unpinned: it follows the subscription */
  pinSymbolsSubscribed: z.object({ pinned: z.boolean() }).strict(),
  testConnection: testConnectionSchema,
  /** this client now watches this window: a snapshot event per rate_interval_s until it watches another */
  watch: watchRequestSchema,
  getAlerts: z.undefined(),
  kpiSnapshot: windowRequestSchema,
  exportCsv: exportRequestSchema,
  /** what a change of retentionDays / diskBudgetGb would remove now; removes nothing */
  previewRetention: retentionSettingsSchema,
  /** saves the change, puts it in force and runs retention now, removing only the previewed days */
  setRetention: setRetentionSchema,
  /** the app only: main asks where, then writes the panel's PNG (the browser downloads it) */
  savePng: savePngRequestSchema,
  /** the app only: the panel's PNG onto the system clipboard (the browser uses navigator.clipboard) */
  copyPng: copyPngRequestSchema,
  /** saves the given behaviour settings (and writes or removes the autostart entry) */
  setBehaviour: behaviourRequestSchema,
} as const satisfies Record<CommandName, z.ZodType>

export type CommandRequest<K extends CommandName> = z.infer<(typeof commandSchemas)[K]>

/** A finished export to a file: where (the path main chose), how many data rows, how many bytes. */
export interface ExportResult {
  path: string
  rows: number
  bytes: number
}

/** The behaviour settings as they are (behaviourRequestSchema changes them). */
export interface Behaviour {
  /** closing the window while the pipeline runs keeps it running, in the tray (the desktop app) */
  closeToTray: boolean
  /** a run that was going when Tickflow quit (or crashed) starts again when it opens */
  startOnOpen: boolean
  /** the autostart entry is there; null where this face has none (browser mode) */
  openAtLogin: boolean | null
  /** the alert rules that raise no desktop notification */
  notificationsOff: AlertRule[]
}

/** The settings the dashboard edits. The token itself never leaves main: only whether it is set. */
export interface AppConfig {
  source: SourceKind
  /** the replay's file name (a recording's, one chosen in the app's dialog, or the CLI's); main keeps its path */
  replayFile: string | null
  /** its name when it is one of the recordings (listRecordings), else null */
  replayRecording: string | null
  speed: number | 'max'
  demoRate: number
  finnhubToken: 'set' | 'not set'
  /** the subscription: the source's while running, the next start's while stopped */
  symbols: string[]
  thresholds: Thresholds
  /** false: symbols_subscribed follows the subscription; true: the user set it */
  symbolsSubscribedPinned: boolean
  behaviour: Behaviour
}

export interface ConnectionTest {
  ok: boolean
  /** "connected to 127.0.0.1:9092, Kafka cluster abc" or the reason in words */
  message: string
}

/** Consumer lag as sampled by the status tick. */
export interface LagPoint {
  at: number
  lag: number
}

/** One push of the dashboard's data: the watched window's KPIs and the consumer lag over it. */
export interface WindowSnapshot {
  watch: WatchRequest
  /** ms epoch at which its query started: every trade written before then is in it */
  at: number
  /** the KPIs over the window as resolved at this tick */
  kpis: KpiSnapshot
  /** lag samples inside [kpis.from, kpis.to), at most one per kpis.bucketS */
  lag: LagPoint[]
  /** the last (or current) run: windows outside it without trades are "not running", not data loss */
  run: RunSpan | null
}

export interface CommandResponses {
  startPipeline: PipelineStatus
  stopPipeline: PipelineStatus
  getStatus: PipelineStatus
  getConfig: AppConfig
  setSource: AppConfig
  listRecordings: Recording[]
  /** null: the user closed the dialog without choosing a file */
  chooseReplayFile: AppConfig | null
  setFinnhubToken: AppConfig
  subscribe: string[]
  unsubscribe: string[]
  getThresholds: Thresholds
  setThreshold: Thresholds
  pinSymbolsSubscribed: AppConfig
  testConnection: ConnectionTest
  watch: WindowSnapshot
  getAlerts: Alert[]
  kpiSnapshot: KpiSnapshot
  /** null: the user closed the save dialog without choosing a file */
  exportCsv: ExportResult | null
  previewRetention: RetentionPreview
  setRetention: RetentionApplied
  /** null: the user closed the save dialog without choosing a file */
  savePng: SavedPng | null
  copyPng: null
  setBehaviour: AppConfig
}

/** Pushed from main: throttled status and snapshots, alerts as they rise and clear, settings as they change. */
export interface EventPayloads extends Record<EventName, unknown> {
  status: PipelineStatus
  snapshot: WindowSnapshot
  alert: Alert
  config: AppConfig
  openAlerts: null
}
export type { CommandName, EventName }
export type { Recording }

/** Who is calling: the transport's own id for the client, so per-client state (a watch) can be kept. */
export interface CallContext {
  clientId: string
}

/** What the core implements, free of any transport. */
export type ApiHandlers = {
  [K in CommandName]: (request: CommandRequest<K>, ctx?: CallContext) => Promise<CommandResponses[K]>
}

/** A command as the renderer calls it: commands with no request take no argument. */
type ApiMethod<K extends CommandName> =
  undefined extends CommandRequest<K>
    ? (request?: CommandRequest<K>) => Promise<CommandResponses[K]>
    : (request: CommandRequest<K>) => Promise<CommandResponses[K]>

/** What the renderer sees as window.api: one method per command, one on… per event. */
export type TickflowApi = { [K in CommandName]: ApiMethod<K> } & {
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void
}

/** An error as it crosses a transport: a sentence, and the field it is about if any. */
export interface ApiError {
  message: string
  field?: string
}

/** A command's reply as every transport carries it (IPC's return value, a WebSocket frame). */
export type Reply = { ok: true; value: unknown } | { ok: false; error: ApiError }

/** Browser mode's WebSocket frames: requests carry ids, replies echo them, events carry none. */
export interface RequestFrame {
  id: number
  command: CommandName
  request?: unknown
}
export type ServerFrame = ({ id: number } & Reply) | { event: EventName; payload: unknown }
