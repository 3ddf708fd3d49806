import { kpiSnapshot } from '../src/main/kpi/snapshot'
import type { Database } from '../src/main/postgres/database'
import { fmt, log, median } from './log'
import { dropSchema, type BenchServices } from './services'
import { bucketSecondsFor } from '../src/shared/windows'

export interface KpiResult {
  rows: number
  /** rows inside the timed one-hour window */
  windowRows: number
  loadSeconds: number
  /** the rollup rebuild function found in the schema and called after loading, if any */
  rebuild: { fn: string; seconds: number } | null
  runsMs: number[]
  medianMs: number
}

const CHUNK = 1_000_000
// A round hour, so the window [END - 1 h, END) lines up with every bucket width.
const END_MS = Date.UTC(2024, 3, 25, 0, 0, 0)

/**
 * Synthetic trades in SQL, evenly over spanHours ending at END_MS, ordered by time like a real
 * feed. The mix follows the simulator's weights: crypto ~60 %, two stocks ~40 %, FX under 1 %.
 */
const LOAD = `
INSERT INTO trades (symbol, price, volume, conditions, traded_at, received_at, consumed_at, written_at,
                    kafka_topic, kafka_partition)
SELECT sym, base * (1 + 0.002 * sin(i / 5000.0)), vol, cond, ts, ts + interval '4 ms', ts + interval '9 ms',
       ts + interval '15 ms', 'bench-kpi', (i % 3)::int
FROM (
  SELECT i, timestamptz 'epoch' + ($3::bigint + (i * $4::float8)::bigint) * interval '1 ms' AS ts,
         (i * 2654435761) % 10000 AS r
  FROM generate_series($1::bigint, $2::bigint) AS i
) g, LATERAL (SELECT
  CASE WHEN r < 5960 THEN 'BINANCE:BTCUSDT' WHEN r < 7948 THEN 'AAPL' WHEN r < 9936 THEN 'AMZN'
       ELSE 'IC MARKETS:1' END AS sym,
  CASE WHEN r < 5960 THEN 60000.0 WHEN r < 7948 THEN 171.46 WHEN r < 9936 THEN 181.08 ELSE 1.085 END AS base,
  CASE WHEN r < 5960 THEN (i % 1000) / 100000.0 WHEN r < 9936 THEN 1 + i % 500 ELSE 0 END AS vol,
  CASE WHEN r >= 5960 AND r < 9936 THEN '1 12' ELSE '' END AS cond) s`

interface RebuildFn {
  name: string
  kind: string
  required: number
  args: string
}

/** A rollup rebuild function, if the migrations define one (it lands separately). */
async function findRebuild(db: Database): Promise<RebuildFn | null> {
  const { rows } = await db.pool.query<RebuildFn>(
    `SELECT p.proname AS name, p.prokind AS kind, p.pronargs - p.pronargdefaults AS required,
            pg_get_function_identity_arguments(p.oid) AS args
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = $1 AND p.proname ILIKE '%rebuild%'
     ORDER BY (p.proname ILIKE '%rollup%') DESC, p.pronargs, p.proname`,
    [db.schema],
  )
  return rows[0] ?? null
}

async function callRebuild(db: Database, fn: RebuildFn, from: number, to: number): Promise<string | null> {
  const invoke = fn.kind === 'p' ? 'CALL' : 'SELECT'
  if (fn.required === 0) {
    await db.pool.query(`${invoke} "${fn.name}"()`)
    return `${fn.name}()`
  }
  if (fn.required === 2 && /^\w+ timestamp with time zone, \w+ timestamp with time zone/.test(fn.args)) {
    const ts = (i: number): string => `timestamptz 'epoch' + $${i}::bigint * interval '1 ms'`
    await db.pool.query(`${invoke} "${fn.name}"(${ts(1)}, ${ts(2)})`, [from, to])
    return `${fn.name}(from, to)`
  }
  log(`kpi: found ${fn.name}(${fn.args}) but cannot tell how to call it; rollups not rebuilt`)
  return null
}

export async function runKpi(
  s: BenchServices,
  rows: number,
  spanHours: number,
  repeats: number,
): Promise<KpiResult> {
  const db = await s.openSchema(`kpi${rows}`)
  try {
    const spanMs = spanHours * 3_600_000
    const start = END_MS - spanMs
    const step = spanMs / rows
    log(`kpi: loading ${fmt(rows)} synthetic trades over ${spanHours} h`)
    const t0 = performance.now()
    for (let lo = 0; lo < rows; lo += CHUNK) {
      const hi = Math.min(lo + CHUNK, rows) - 1
      await db.pool.query(LOAD, [lo, hi, start, step])
      log(`kpi: ${fmt(hi + 1)} / ${fmt(rows)} rows loaded`)
    }
    await db.pool.query('VACUUM ANALYZE trades')
    const loadSeconds = (performance.now() - t0) / 1000

    let rebuild: KpiResult['rebuild'] = null
    const fn = await findRebuild(db)
    if (fn) {
      const r0 = performance.now()
      const called = await callRebuild(db, fn, start, END_MS)
      if (called) {
        await db.pool.query('ANALYZE')
        rebuild = { fn: called, seconds: (performance.now() - r0) / 1000 }
        log(`kpi: rebuilt rollups with ${called} in ${fmt(rebuild.seconds, 1)} s`)
      }
    } else log('kpi: no rollup rebuild function in sql/ yet; timing kpi_snapshot on the raw table')

    // The dashboard's last-hour view: its buckets widen with the window (src/shared/windows.ts).
    const req = { from: END_MS - 3_600_000, to: END_MS, bucketS: bucketSecondsFor(3_600_000, 1) }
    const warm = await kpiSnapshot(db.pool, req) // first run pays for plans and a cold cache
    const runsMs: number[] = []
    for (let i = 0; i < repeats; i++) {
      const r0 = performance.now()
      await kpiSnapshot(db.pool, req)
      runsMs.push(performance.now() - r0)
    }
    const res: KpiResult = {
      rows,
      windowRows: warm.totalTrades,
      loadSeconds,
      rebuild,
      runsMs,
      medianMs: median(runsMs),
    }
    log(
      `kpi: snapshot of a 1 h window (${fmt(res.windowRows)} trades) at ${fmt(rows)} rows: median ${fmt(res.medianMs, 1)} ms`,
    )
    return res
  } finally {
    await dropSchema(db).catch(() => undefined)
  }
}
