import { z } from 'zod'
import type { CommandName, EventName } from './channels'
import type { KpiSnapshot } from './kpi'
import type { Alert, PipelineStatus, SourceKind } from './status'
import { symbolListSchema, symbolSchema } from './symbols'
import type { Thresholds } from './thresholds'
import { watchRequestSchema, type RunSpan, type WatchRequest } from './windows'

/**
 * The typed API between a face (Electron renderer, browser mode, CLI) and the core. Every command's
 * request is validated in main with these schemas before its handler runs. Channel names are made
 * in channels.ts and nowhere else.
 */

const ms = z.number().int().nonnegative()
const speedSchema = z.union([z.literal('max'), z.number().positive().max(1000)])

/** Where trades come from at the next start. */
export const sourceRequestSchema = z
  .object({
    source: z.enum(['demo', 'finnhub', 'replay']),
    replayFile: z.string().min(1).optional(),
    speed: speedSchema.optional(),
    demoRate: z.number().positive().max(1_000_000).optional(),
  })
  .strict()

export const startRequestSchema = z
  .object({
    source: z.enum(['demo', 'finnhub', 'replay']),
    symbols: symbolListSchema,
    replayFile: z.string().min(1).optional(),
    speed: speedSchema.optional(),
  })
  .strict()

export const windowRequestSchema = z
  .object({ from: ms, to: ms, symbol: symbolSchema.optional() })
  .strict()
  .refine((w) => w.from < w.to, 'the window must end after it starts')

export const exportRequestSchema = z
  .object({ from: ms, to: ms, symbols: z.array(symbolSchema).optional(), path: z.string().min(1) })
  .strict()
  .refine((w) => w.from < w.to, 'the window must end after it starts')

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

export const commandSchemas = {
  /** no request: start with the current settings (getConfig); a request also updates them */
  startPipeline: startRequestSchema.optional(),
  stopPipeline: z.undefined(),
  getStatus: z.undefined(),
  getConfig: z.undefined(),
  setSource: sourceRequestSchema,
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
} as const satisfies Record<CommandName, z.ZodType>

export type CommandRequest<K extends CommandName> = z.infer<(typeof commandSchemas)[K]>

export interface ExportResult {
  path: string
  rows: number
  bytes: number
}

/** The settings the dashboard edits. The token itself never leaves main: only whether it is set. */
export interface AppConfig {
  source: SourceKind
  replayFile: string | null
  speed: number | 'max'
  demoRate: number
  finnhubToken: 'set' | 'not set'
  /** the subscription: the source's while running, the next start's while stopped */
  symbols: string[]
  thresholds: Thresholds
  /** false: symbols_subscribed follows the subscription; true: the user set it */
  symbolsSubscribedPinned: boolean
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
  exportCsv: ExportResult
}

/** Pushed from main: throttled status and snapshots, alerts as they rise and clear, settings as they change. */
export interface EventPayloads extends Record<EventName, unknown> {
  status: PipelineStatus
  snapshot: WindowSnapshot
  alert: Alert
  config: AppConfig
}
export type { CommandName, EventName }

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
