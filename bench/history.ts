// History beyond a day (issue 13): kpi_snapshot() over 1, 7 and 30 days of a simulated month.
// The month is written straight into the rollups with generate_series, since a month of raw trades
// (30M rows through the writer) would take an hour: raw trades are gone after retention anyway, and
// windows over a day read only rollups. The scratch schema is migrated up to sql/011, filled with
// minute rollups, then migrated to the end, so sql/012 backfills the hour rollups as on an upgrade.
//   npx tsx bench/history.ts --database-url postgres://… [--days 30] [--symbols 8] [--repeats 7]
// It makes and drops a schema of its own (history_<hex>).
import { randomBytes } from 'node:crypto'
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { createPool } from '../src/main/postgres/database'
import { migrate, parseMigrationFileName, resolveSqlDir } from '../src/main/postgres/migrate'

export interface HistoryOptions {
  days: number
  /** trades per day over all symbols */
  tradesPerDay: number
  symbols: number
  /** warm runs per window; the median is reported */
  repeats: number
  /** leave the schema for a look with psql (the CLI's --keep) */
  keep?: boolean
  /** measure a schema an earlier --keep left, without filling one (the CLI's --schema) */
  schema?: string
}

export interface HistoryResult {
  days: number
  trades_per_day: number
  symbols: number
  rollup_rows: Record<string, number>
  fill_s: number
  /** applying sql/012 to the filled schema: the hour rollups' backfill */
  backfill_s: number
  /** median of the warm runs, per window length in days */
  kpi_snapshot_ms: { d1: number; d7: number; d30: number }
  runs_ms: Record<string, number[]>
}

export const DEFAULT_HISTORY: HistoryOptions = { days: 30, tradesPerDay: 1_000_000, symbols: 8, repeats: 7 }

const HOUR_ROLLUPS = 12

/**
 * One row per minute and symbol, and per minute and partition (3), over `days` days up to the
 * last whole minute (a live feed has no trade stamped later than now, and a row here sets all of
 * its minute's seconds). Demo-like: symbol 1 takes half the trades, the others share the rest, and
 * the last one is FX-like (few trades: a random third of its seconds), so some 30 s windows lack
 * it. Latency cells: 40 log buckets per stage (1.05 apart: 7 ms to 50 ms for Kafka, say), as a
 * busy minute has.
 */
function fillSql(o: HistoryOptions): string {
  const perMin = o.tradesPerDay / 1440
  return `
    INSERT INTO trades_1m (minute, symbol, trades, volume_sum, price_sum, price_min, price_max, seconds)
    SELECT m, 'SYM' || s, n, n * 0.5, n * (100 + s), 99 + s, 101 + s,
           CASE WHEN s = ${o.symbols} THEN (random() * 1152921504606846975)::bigint & (random() * 1152921504606846975)::bigint
                ELSE 1152921504606846975 END
    FROM generate_series(date_trunc('minute', now()) - interval '${o.days} days', date_trunc('minute', now()) - interval '1 minute',
                         interval '1 minute') AS m
    CROSS JOIN generate_series(1, ${o.symbols}) AS s
    CROSS JOIN LATERAL (SELECT greatest(1, round(CASE WHEN s = 1 THEN ${perMin / 2}
                                              ELSE ${perMin / 2 / Math.max(1, o.symbols - 1)} END))::integer AS n) AS c;
    INSERT INTO latency_1m (minute, kafka_topic, kafka_partition, trades, lat_max, hist_key, hist_n, hist_sum, second_trades)
    SELECT m, 'trades', p, ${Math.round(perMin / 3)}, ARRAY[900, 600, 200, 100, 300]::double precision[],
           k.keys, k.ns, k.sums, array_fill(${Math.max(1, Math.round(perMin / 180))}, ARRAY[60])
    FROM generate_series(date_trunc('minute', now()) - interval '${o.days} days', date_trunc('minute', now()) - interval '1 minute',
                         interval '1 minute') AS m
    CROSS JOIN generate_series(0, 2) AS p
    CROSS JOIN LATERAL (
      SELECT array_agg(st * 4096 + 2048 + kk ORDER BY st, kk) AS keys, array_agg(2 ORDER BY st, kk) AS ns,
             array_agg(2 * exp(kk * ln(1.05)) / 1000 ORDER BY st, kk) AS sums
      FROM generate_series(1, 5) AS st,
           generate_series(150 + (extract(minute FROM m)::integer % 7), 189 + (extract(minute FROM m)::integer % 7)) AS kk
    ) AS k`
}

async function timeQuery(
  pool: ReturnType<typeof createPool>,
  sql: string,
  params: unknown[],
): Promise<number> {
  const t = performance.now()
  await pool.query(sql, params)
  return performance.now() - t
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

export async function runHistory(
  pgUrl: string,
  o: HistoryOptions = DEFAULT_HISTORY,
  log: (m: string) => void = () => undefined,
): Promise<HistoryResult> {
  const schema = o.schema ?? `history_${randomBytes(4).toString('hex')}`
  const before = await mkdtemp(path.join(tmpdir(), 'tickflow-history-sql-'))
  const sqlDir = resolveSqlDir()
  for (const f of await readdir(sqlDir)) {
    const v = parseMigrationFileName(f)?.version
    if (v !== undefined && v < HOUR_ROLLUPS) await copyFile(path.join(sqlDir, f), path.join(before, f))
  }
  const pool = createPool(pgUrl, schema, { applicationName: 'tickflow-bench-history' })
  try {
    let fill_s = 0
    let backfill_s = 0
    if (!o.schema) {
      await migrate(pool, { schema, sqlDir: before })
      log(`history: filling ${o.days} days of minute rollups (${o.symbols} symbols) in schema ${schema}`)
      let t = performance.now()
      await pool.query(fillSql(o))
      fill_s = (performance.now() - t) / 1000
      t = performance.now()
      await migrate(pool, { schema, sqlDir })
      backfill_s = (performance.now() - t) / 1000
      await pool.query('VACUUM ANALYZE trades_1m, latency_1m, trades_1h, latency_1h')
    }
    const { rows } = await pool.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM trades_1m) AS trades_1m, (SELECT count(*) FROM latency_1m) AS latency_1m,
              (SELECT count(*) FROM trades_1h) AS trades_1h, (SELECT count(*) FROM latency_1h) AS latency_1h`,
    )
    const rollup_rows = Object.fromEntries(Object.entries(rows[0]!).map(([k, v]) => [k, Number(v)]))
    log(
      `history: filled in ${fill_s.toFixed(1)} s, backfill ${backfill_s.toFixed(1)} s, ${JSON.stringify(rollup_rows)}`,
    )

    // As the dashboard asks: the preset's window (resolveWindow: its end rounded up to the second,
    // its start on the hour), its bucket width, and the symbols to name as missing.
    const { bucketSecondsFor, resolveWindow } = await import('../src/shared/windows')
    const symbols = Array.from({ length: o.symbols }, (_, i) => `SYM${i + 1}`)
    const runs_ms: Record<string, number[]> = {}
    for (const [days, preset] of [
      [30, '30d'],
      [7, '7d'],
      [1, '24h'],
    ] as const) {
      const { from, to } = resolveWindow({ preset }, Date.now(), null)
      const sql = `SELECT kpi_snapshot(timestamptz 'epoch' + $1::bigint * interval '1 ms',
                                       timestamptz 'epoch' + $2::bigint * interval '1 ms', NULL, $3, $4)`
      const params = [from, to, bucketSecondsFor(to - from, 1), symbols]
      await timeQuery(pool, sql, params) // cold: plans, caches
      const xs: number[] = []
      for (let i = 0; i < o.repeats; i++) xs.push(await timeQuery(pool, sql, params))
      runs_ms[`d${days}`] = xs.map((x) => Math.round(x * 10) / 10)
      log(
        `history: kpi_snapshot over ${days} d: median ${median(xs).toFixed(1)} ms of ${o.repeats} warm runs`,
      )
    }
    const med = (k: string): number => Math.round(median(runs_ms[k]!) * 10) / 10
    return {
      days: o.days,
      trades_per_day: o.tradesPerDay,
      symbols: o.symbols,
      rollup_rows,
      fill_s: Math.round(fill_s * 10) / 10,
      backfill_s: Math.round(backfill_s * 10) / 10,
      kpi_snapshot_ms: { d1: med('d1'), d7: med('d7'), d30: med('d30') },
      runs_ms,
    }
  } finally {
    if (o.keep || o.schema) log(`history: kept schema ${schema}`)
    else await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined)
    await pool.end()
    await rm(before, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      days: { type: 'string' },
      symbols: { type: 'string' },
      repeats: { type: 'string' },
      keep: { type: 'boolean' },
      schema: { type: 'string' },
    },
  })
  const url = values['database-url'] ?? process.env['DATABASE_URL']
  if (!url) throw new Error('--database-url (or DATABASE_URL) is required')
  const r = await runHistory(
    url,
    {
      ...DEFAULT_HISTORY,
      days: Number(values.days ?? DEFAULT_HISTORY.days),
      symbols: Number(values.symbols ?? DEFAULT_HISTORY.symbols),
      repeats: Number(values.repeats ?? DEFAULT_HISTORY.repeats),
      keep: values.keep ?? false,
      ...(values.schema ? { schema: values.schema } : {}),
    },
    (m) => console.error(m),
  )
  console.log(JSON.stringify(r, null, 2))
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exit(1)
  })
}
