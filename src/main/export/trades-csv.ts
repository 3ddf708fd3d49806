import type { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import { to as copyTo } from 'pg-copy-streams'
import { CopyTextDecoder } from './copy-text'
import { csvStringifier, type Cell } from './csv-writer'

export interface TradesQuery {
  /** ms epoch, inclusive; windowed on traded_at like the KPIs */
  from: number
  /** ms epoch, exclusive */
  to: number
  /** only these symbols; absent or empty: all */
  symbols?: readonly string[]
}

export interface StreamOptions {
  signal?: AbortSignal
  /** rows written so far, every few thousand rows and at the end */
  onProgress?: (rows: number) => void
  /** end `out` when done (default true); false for process.stdout */
  end?: boolean
}

export const TRADE_COLUMNS = [
  'symbol',
  'price',
  'volume',
  'conditions',
  'traded_at',
  'received_at',
  'consumed_at',
  'written_at',
] as const

const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`
const stamp = (col: string): string => `to_char(${col} AT TIME ZONE 'UTC', ${ISO_MS})`
const at = (ms: number): string => `timestamptz 'epoch' + ${ms} * interval '1 millisecond'`

/**
 * The COPY statement. COPY takes no bind parameters, so from/to must be integers (checked here)
 * and symbols go in as literals escaped by the connection (`escape`).
 */
export function tradesCopyQuery(q: TradesQuery, escape: (s: string) => string): string {
  if (!Number.isSafeInteger(q.from) || !Number.isSafeInteger(q.to))
    throw new RangeError('from/to must be ms epochs')
  const where = [`traded_at >= ${at(q.from)}`, `traded_at < ${at(q.to)}`]
  if (q.symbols && q.symbols.length > 0) where.push(`symbol IN (${q.symbols.map(escape).join(', ')})`)
  const cols = ['symbol', 'price', 'volume', 'conditions', ...TRADE_COLUMNS.slice(4).map(stamp)]
  return `COPY (SELECT ${cols.join(', ')} FROM trades WHERE ${where.join(' AND ')} ORDER BY traded_at, trade_key) TO STDOUT`
}

/**
 * A COPY row as CSV cells: price and volume become numbers, so the formula check passes them (a
 * negative number is a number, not a formula) while symbol and conditions stay text and are checked.
 * float8's text is the shortest exact form, and so is a JS number's, so the digits do not change.
 */
export function tradeRecord(f: (string | null)[]): Cell[] {
  return [f[0], num(f[1]), num(f[2]), f[3], f[4], f[5], f[6], f[7]]
}

function num(text: string | null | undefined): number | null {
  return text === null || text === undefined ? null : Number(text)
}

/**
 * Streams the trades of a window as CSV into `out`: PostgreSQL sends them with COPY … TO STDOUT, one
 * connection held for the export, and every stage waits on the next, so memory stays flat. Resolves
 * with the row count; rejects on abort or error, having given the connection up rather than back
 * (a COPY cut off midway leaves it unusable).
 */
export async function writeTradesCsv(
  pool: pg.Pool,
  q: TradesQuery,
  out: Writable,
  opts: StreamOptions = {},
): Promise<{ rows: number }> {
  opts.signal?.throwIfAborted()
  const client = await pool.connect()
  let failed: Error | undefined
  try {
    const sql = tradesCopyQuery(q, (s) => client.escapeLiteral(s))
    const decoder = new CopyTextDecoder({ map: tradeRecord, onProgress: opts.onProgress })
    const csv = csvStringifier()
    csv.write([...TRADE_COLUMNS])
    await pipeline(client.query(copyTo(sql)), decoder, csv, out, {
      signal: opts.signal,
      end: opts.end ?? true,
    })
    return { rows: decoder.rows }
  } catch (err) {
    failed = err as Error
    // pipeline() says only "The operation was aborted"; the caller's reason says why.
    throw opts.signal?.aborted ? (opts.signal.reason ?? err) : err
  } finally {
    client.release(failed)
  }
}
