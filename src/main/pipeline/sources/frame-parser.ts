import type { z } from 'zod'
import { finnhubTradeSchema, type FinnhubTrade } from '../../../shared/trade'

/** One item of a trade frame's data array that failed validation. */
export interface ItemReject {
  /** The item as JSON text (what the rejects table stores). */
  raw: string
  reason: string
}

export type ParsedFrame =
  | { type: 'trades'; trades: FinnhubTrade[]; rejects: ItemReject[] }
  | { type: 'ping' }
  | { type: 'error'; msg: string }
  | { type: 'reject'; reason: string }

/** Reasons end up in the UI and the rejects table: keep them short even for huge inputs. */
const MAX_REASON = 300

function clip(text: string, max = MAX_REASON): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `${typeof value} ${clip(JSON.stringify(value), 40)}`
}

/** "p: Invalid input: expected number, received string; t: t must be a millisecond epoch" */
export function formatIssues(issues: z.ZodError['issues']): string {
  const parts = issues.map((issue) => {
    const path = issue.path.map(String).join('.')
    return path ? `${path}: ${issue.message}` : issue.message
  })
  return clip(parts.join('; '))
}

function parseTrades(data: unknown[]): ParsedFrame {
  const trades: FinnhubTrade[] = []
  const rejects: ItemReject[] = []
  for (let i = 0; i < data.length; i++) {
    const item = data[i]
    const result = finnhubTradeSchema.safeParse(item)
    if (result.success) {
      // Identical trades in one frame are distinct trades (DESIGN invariant 2): keep every one.
      trades.push(result.data)
    } else {
      const raw = JSON.stringify(item) ?? String(item)
      rejects.push({ raw, reason: `trade ${i}: ${formatIssues(result.error.issues)}` })
    }
  }
  return { type: 'trades', trades, rejects }
}

/** Parses one Finnhub WebSocket text frame. Never throws: anything unusable comes back as a reject. */
export function parseFrame(raw: string): ParsedFrame {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch (err) {
    if (raw.trim() === '') return { type: 'reject', reason: 'empty frame' }
    return { type: 'reject', reason: clip(`not JSON: ${(err as Error).message}`) }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { type: 'reject', reason: `frame is ${describe(value)}, not a JSON object` }
  }
  const frame = value as Record<string, unknown>
  const type = frame.type
  if (type === 'trade') {
    const data = frame.data
    if (data === undefined) return { type: 'reject', reason: 'trade frame has no data' }
    if (!Array.isArray(data))
      return { type: 'reject', reason: `trade frame data is ${describe(data)}, not an array` }
    return parseTrades(data)
  }
  if (type === 'ping') return { type: 'ping' }
  if (type === 'error') {
    // Keep the server's words; a malformed error frame still reports itself rather than vanishing.
    const msg = typeof frame.msg === 'string' ? frame.msg : `error frame without a message: ${clip(raw, 200)}`
    return { type: 'error', msg }
  }
  if (type === undefined) return { type: 'reject', reason: 'frame has no type' }
  return { type: 'reject', reason: `unknown frame type ${clip(JSON.stringify(type) ?? String(type), 60)}` }
}
