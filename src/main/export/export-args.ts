import { exportRequestSchema, type CsvTable, type ExportRequest } from '../../shared/contract'

/** A request a user typed wrong (a flag, a query parameter): its message is safe to show as is. */
export class ExportArgError extends Error {
  override name = 'ExportArgError'
}

// A date, optionally with a time; a time needs its zone (Z or ±hh:mm), because a bare local time
// would be read in whatever zone the machine has, and every time here is UTC (DESIGN.md).
const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}(?::?\d{2})?))?$/i

/**
 * A time as the CLI and the download route take it: a ms epoch (digits only) or ISO-8601 with a
 * zone (`2024-05-01T12:00:00Z`, `…+02:00`; a bare date is its UTC midnight). Returns ms epoch.
 */
export function parseTimeArg(text: string, name: string): number {
  const t = text.trim()
  if (/^\d+$/.test(t)) {
    const n = Number(t)
    if (!Number.isSafeInteger(n)) throw new ExportArgError(`${name}: ${t} is too large for a ms epoch`)
    return n
  }
  const m = ISO.exec(t)
  if (m) {
    // Date.parse wants the zone as Z or ±hh:mm and at most ms: normalise the rest.
    const [, date, time, zone] = m
    // Date.parse rolls 2024-02-31 over into March; a typo should not move the window.
    const [y, mo, d] = date!.split('-').map(Number) as [number, number, number]
    if (d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) throw bad(text, name)
    const ms = Date.parse(`${date}T${time ? fullTime(time) : '00:00:00'}${zone ? normaliseZone(zone) : 'Z'}`)
    if (Number.isFinite(ms) && ms >= 0) return ms
  }
  throw bad(text, name)
}

const bad = (text: string, name: string): ExportArgError =>
  new ExportArgError(
    `${name}: "${text}" is neither a ms epoch nor an ISO-8601 time with a zone, e.g. 2024-05-01T12:00:00Z`,
  )

function normaliseZone(z: string): string {
  if (/^z$/i.test(z)) return 'Z'
  const digits = z.slice(1).replace(':', '')
  return `${z[0]}${digits.slice(0, 2)}:${(digits.slice(2) || '00').padEnd(2, '0')}`
}

function fullTime(time: string): string {
  const [hms, frac] = time.split('.')
  const full = hms!.length === 5 ? `${hms}:00` : hms!
  return frac === undefined ? full : `${full}.${frac.slice(0, 3).padEnd(3, '0')}`
}

/** What a face read from its user, as text: flags, or a download's query string. */
export interface RawExportArgs {
  table: CsvTable
  from?: string
  to?: string
  /** comma-separated */
  symbols?: string
  symbol?: string
}

/**
 * Raw arguments → a validated ExportRequest, with messages that name the argument. `prefix` is how
 * the face spells a name: `--` for flags, '' for query parameters.
 */
export function exportRequestFrom(raw: RawExportArgs, prefix = ''): ExportRequest {
  if (raw.from === undefined) throw new ExportArgError(`${prefix}from is required`)
  if (raw.to === undefined) throw new ExportArgError(`${prefix}to is required`)
  const symbols = raw.symbols
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
  const parsed = exportRequestSchema.safeParse({
    table: raw.table,
    from: parseTimeArg(raw.from, `${prefix}from`),
    to: parseTimeArg(raw.to, `${prefix}to`),
    ...(symbols && symbols.length > 0 ? { symbols } : {}),
    ...(raw.symbol ? { symbol: raw.symbol } : {}),
  })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = issue?.path[0]
    throw new ExportArgError(`${field ? `${prefix}${String(field)}: ` : ''}${issue?.message ?? 'invalid'}`)
  }
  return parsed.data
}

const compact = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace('.000', '')

/** A file name for an export: what it holds and its window, in UTC; plain ASCII for every OS. */
export function exportFileName(req: ExportRequest): string {
  const table = req.table ?? 'trades'
  const what = table === 'trades' ? 'trades' : `kpi-${table}`
  return `tickflow-${what}-${compact(req.from)}-${compact(req.to)}.csv`
}
