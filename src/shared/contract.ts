import { z } from 'zod'
import type { CommandName, EventName } from './channels'
import type { KpiSnapshot } from './kpi'
import type { Alert, PipelineStatus } from './status'
import { symbolListSchema, symbolSchema } from './symbols'
import type { Thresholds } from './thresholds'

/**
 * The typed API between a face (Electron renderer, browser mode, CLI) and the core. Every command's
 * request is validated in main with these schemas before its handler runs. Channel names are made
 * here and nowhere else.
 */

const ms = z.number().int().nonnegative()

export const startRequestSchema = z
  .object({
    source: z.enum(['demo', 'finnhub', 'replay']),
    symbols: symbolListSchema,
    replayFile: z.string().min(1).optional(),
    speed: z.union([z.literal('max'), z.number().positive().max(1000)]).optional(),
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

export const commandSchemas = {
  startPipeline: startRequestSchema,
  stopPipeline: z.undefined(),
  getStatus: z.undefined(),
  subscribe: z.object({ symbol: symbolSchema }).strict(),
  unsubscribe: z.object({ symbol: symbolSchema }).strict(),
  getThresholds: z.undefined(),
  setThreshold: z.object({ id: z.string().min(1), value: z.number().finite() }).strict(),
  kpiSnapshot: windowRequestSchema,
  exportCsv: exportRequestSchema,
} as const satisfies Record<CommandName, z.ZodType>

export type CommandRequest<K extends CommandName> = z.infer<(typeof commandSchemas)[K]>

export interface ExportResult {
  path: string
  rows: number
  bytes: number
}

export interface CommandResponses {
  startPipeline: PipelineStatus
  stopPipeline: PipelineStatus
  getStatus: PipelineStatus
  subscribe: string[]
  unsubscribe: string[]
  getThresholds: Thresholds
  setThreshold: Thresholds
  kpiSnapshot: KpiSnapshot
  exportCsv: ExportResult
}

/** Pushed from main: throttled status and snapshots, and alerts. */
export interface EventPayloads extends Record<EventName, unknown> {
  status: PipelineStatus
  snapshot: KpiSnapshot
  alert: Alert
}
export type { CommandName, EventName }

/** What every face's handlers implement, free of any transport. */
export type ApiHandlers = {
  [K in CommandName]: (request: CommandRequest<K>) => Promise<CommandResponses[K]>
}

/** What the renderer sees as window.api: one method per command, one on… per event. */
export type TickflowApi = ApiHandlers & {
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void
}

/** An error as it crosses a transport: a sentence, and the field it is about if any. */
export interface ApiError {
  message: string
  field?: string
}
