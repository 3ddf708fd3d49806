import { createReadStream, createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline as pipe } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom, to as copyTo } from 'pg-copy-streams'
import { decodeRecord } from '../src/main/pipeline/record-codec'
import type { Database } from '../src/main/postgres/database'
import { fmt, log } from './log'
import type { BenchServices } from './services'

const COLUMNS =
  'symbol, price, volume, conditions, traded_at, received_at, consumed_at, written_at, kafka_topic, kafka_partition'

export interface PerRowResult {
  trades: number
  seconds: number
  tradesPerS: number
  /** 'cap' or 'time': which limit ended it */
  stoppedBy: 'cap' | 'time' | 'end'
}

/**
 * The assignment's method re-created: one consumer, eachMessage, and for every trade one INSERT
 * in autocommit (so one commit, one WAL flush) before the next record. Reads the e2e topic, so
 * the rows are the same ones.
 */
export async function runPerRow(
  s: BenchServices,
  topic: string,
  cap: number,
  maxSeconds: number,
): Promise<PerRowResult> {
  const db = await s.openSchema('perrow')
  const client = new pg.Client({
    connectionString: s.services.db.url,
    options: `-c search_path=${db.schema} -c TimeZone=UTC`,
  })
  await client.connect()
  const consumer = s.services.kafka.consumer({ groupId: `${topic}-perrow` })
  let n = 0
  let first = 0
  let last = 0
  let stoppedBy: PerRowResult['stoppedBy'] = 'end'
  let finish!: () => void
  const finished = new Promise<void>((r) => (finish = r))
  try {
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    log(`per-row: one INSERT + COMMIT per trade, up to ${fmt(cap)} trades or ${maxSeconds} s`)
    const progress = setInterval(() => log(`per-row: ${fmt(n)} rows committed`), 10_000)
    // A topic with fewer records than the cap must not hang the run.
    const timer = setTimeout(
      () => {
        stoppedBy = 'time'
        finish()
      },
      (maxSeconds + 30) * 1000,
    )
    await consumer.run({
      eachMessage: async ({ topic: t, partition, message }) => {
        if (stoppedBy !== 'end' || n >= cap) return
        const now = Date.now()
        if (first === 0) first = now
        const d = decodeRecord(t, partition, message, now)
        if (!d.ok) return
        const r = d.row
        await client.query(
          `INSERT INTO trades (${COLUMNS}) VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0), to_timestamp($6 / 1000.0),
             to_timestamp($7 / 1000.0), now(), $8, $9)`,
          [
            r.symbol,
            r.price,
            r.volume,
            r.conditions?.join(' ') ?? '',
            r.tradedAt,
            r.receivedAt,
            r.consumedAt,
            t,
            partition,
          ],
        )
        n++
        last = Date.now()
        if (n >= cap || last - first >= maxSeconds * 1000) {
          stoppedBy = n >= cap ? 'cap' : 'time'
          finish()
        }
      },
    })
    await finished
    clearInterval(progress)
    clearTimeout(timer)
  } finally {
    await consumer.disconnect().catch(() => undefined)
    await client.end().catch(() => undefined)
  }
  const seconds = (last - first) / 1000
  const res = { trades: n, seconds, tradesPerS: n / Math.max(seconds, 0.001), stoppedBy }
  log(`per-row: ${fmt(res.tradesPerS)} trades/s (${fmt(n)} in ${fmt(seconds, 1)} s, stopped by ${stoppedBy})`)
  return res
}

export interface CopyResult {
  trades: number
  csvBytes: number
  seconds: number
  tradesPerS: number
}

/**
 * The ingest limit: the e2e rows exported to a CSV file, then loaded into a fresh migrated
 * schema (same indexes and constraints) by ONE COPY. Only the COPY FROM is timed.
 */
export async function runCopy(s: BenchServices, source: Database): Promise<CopyResult> {
  const file = join(s.workDir, 'trades.csv')
  const out = await source.pool.connect()
  try {
    await pipe(
      out.query(copyTo(`COPY (SELECT ${COLUMNS} FROM trades) TO STDOUT WITH (FORMAT csv)`)),
      createWriteStream(file),
    )
  } finally {
    out.release()
  }
  const csvBytes = (await stat(file)).size
  const db = await s.openSchema('copy')
  const client = await db.pool.connect()
  try {
    log(`copy: loading ${fmt(csvBytes / 1e6, 1)} MB of CSV with one COPY`)
    const t0 = performance.now()
    await pipe(
      createReadStream(file, { highWaterMark: 1 << 20 }),
      client.query(copyFrom(`COPY trades (${COLUMNS}) FROM STDIN WITH (FORMAT csv)`)),
    )
    const seconds = (performance.now() - t0) / 1000
    const { rows } = await client.query<{ n: number }>('SELECT count(*) AS n FROM trades')
    const trades = rows[0]!.n
    const res = { trades, csvBytes, seconds, tradesPerS: trades / seconds }
    log(`copy: ${fmt(res.tradesPerS)} trades/s (${fmt(trades)} in ${fmt(seconds, 2)} s)`)
    return res
  } finally {
    client.release()
    await db.pool.query('DROP SCHEMA IF EXISTS "' + db.schema + '" CASCADE').catch(() => undefined)
  }
}
