import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import { to as copyTo } from 'pg-copy-streams'
import type { ExportResult } from '../../shared/contract'

export interface ExportOptions {
  /** ms epoch, inclusive; windowed on traded_at like the KPIs */
  from: number
  /** ms epoch, exclusive */
  to: number
  symbols?: string[]
  path: string
  /** bytes written so far, for a progress bar on long exports */
  onProgress?: (bytes: number) => void
}

const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`
const stamp = (col: string): string => `to_char(${col} AT TIME ZONE 'UTC', ${ISO_MS}) AS ${col}`

/** The COPY statement; from/to are validated integers and symbols are escaped as literals. */
export function exportQuery(
  opts: Pick<ExportOptions, 'from' | 'to' | 'symbols'>,
  escape: (s: string) => string,
): string {
  if (!Number.isSafeInteger(opts.from) || !Number.isSafeInteger(opts.to))
    throw new Error('from/to must be ms epochs')
  const where = [
    `traded_at >= to_timestamp(${opts.from} / 1000.0)`,
    `traded_at < to_timestamp(${opts.to} / 1000.0)`,
  ]
  if (opts.symbols && opts.symbols.length > 0)
    where.push(`symbol IN (${opts.symbols.map(escape).join(', ')})`)
  const cols = [
    'symbol',
    'price',
    'volume',
    `array_to_string(conditions, ' ') AS conditions`,
    stamp('traded_at'),
    stamp('received_at'),
    stamp('consumed_at'),
    stamp('written_at'),
  ]
  return (
    `COPY (SELECT ${cols.join(', ')} FROM trades WHERE ${where.join(' AND ')} ORDER BY traded_at, id) ` +
    `TO STDOUT WITH (FORMAT csv, HEADER true)`
  )
}

/**
 * Streams the trades of a window to a CSV file. Postgres formats the CSV itself (COPY … TO STDOUT),
 * so millions of rows never sit in memory; times are ISO-8601 UTC with milliseconds. The file
 * appears only when complete: it is written beside its target and renamed at the end.
 */
export async function exportTradesCsv(pool: pg.Pool, opts: ExportOptions): Promise<ExportResult> {
  await mkdir(dirname(opts.path), { recursive: true })
  const partial = `${opts.path}.partial`
  const client = await pool.connect()
  let bytes = 0
  try {
    const source = client.query(copyTo(exportQuery(opts, (s) => client.escapeLiteral(s))))
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length
        opts.onProgress?.(bytes)
        done(null, chunk)
      },
    })
    await pipeline(source, counter, createWriteStream(partial))
    await rename(partial, opts.path)
    return { path: opts.path, rows: source.rowCount, bytes }
  } catch (err) {
    await rm(partial, { force: true })
    throw new Error(`CSV export to ${opts.path} failed: ${(err as Error).message}`, { cause: err })
  } finally {
    client.release()
  }
}
