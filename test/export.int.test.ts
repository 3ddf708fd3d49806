import { execFile } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse'
import { parse as parseSync } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportKpiCsv, exportTradesCsv, CsvExporter } from '../src/main/export/exporter'
import { TRADE_COLUMNS } from '../src/main/export/trades-csv'
import type { Database } from '../src/main/postgres/database'
import { startDashboardServer, type DashboardServer } from '../src/main/server/http-server'
import { fakeBuild, fakeCore, get } from './helpers/server-support'
import { waitFor } from './helpers/harness'
import { openTestDatabase } from './setup/test-database'

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0)
const N = 1_000_000
/** The injection rows sit an hour after the million, in a window of their own. */
const T1 = T0 + 3_600_000
const MB = 1024 * 1024
const at = (ms: string): string => `timestamptz 'epoch' + (${ms}) * interval '1 millisecond'`

/** Count and integer checksums of the CSV's data rows, read as a stream by csv-parse. */
async function csvChecksum(path: string): Promise<Record<string, number>> {
  const sums = { rows: 0, cents: 0, volume: 0, offsets: 0, noConditions: 0, aapl: 0 }
  const rows = createReadStream(path).pipe(parse({ from_line: 2 }))
  for await (const r of rows as AsyncIterable<string[]>) {
    sums.rows++
    sums.cents += Math.round(Number(r[1]) * 100)
    sums.volume += Number(r[2])
    sums.offsets += Date.parse(r[4]!) - T0
    if (r[3] === '') sums.noConditions++
    if (r[0] === 'AAPL') sums.aapl++
  }
  return sums
}

/** exportTradesCsv in a child process whose V8 heap is capped at HEAP_MB (old space) and 1 MB semi-spaces. */
const HEAP_MB = 64
function exportInSmallHeap(
  db: Database,
  from: number,
  to: number,
  path: string,
): Promise<{ rows: number; bytes: number; progress: number; heapLimitMb: number }> {
  const args = [`--max-old-space-size=${HEAP_MB}`, '--max-semi-space-size=1', '--import', 'tsx']
  const argv = [...args, 'test/helpers/export-child.ts', db.url, db.schema, String(from), String(to), path]
  return new Promise((resolve, reject) =>
    execFile(process.execPath, argv, { timeout: 300_000 }, (err, stdout, stderr) =>
      err
        ? reject(new Error(`the export child failed: ${err.message}\n${stderr}`))
        : resolve(JSON.parse(stdout)),
    ),
  )
}

describe('CSV export over PostgreSQL', () => {
  let db: Database
  let dir: string
  const rows = async (sql: string): Promise<Record<string, number>> =>
    (await db.pool.query<Record<string, number>>(sql)).rows[0]!

  beforeAll(async () => {
    db = await openTestDatabase()
    dir = await mkdtemp(join(tmpdir(), 'tickflow-export-'))
    // A million trades in one statement: four symbols, cent prices, no conditions every third row.
    await db.pool.query(
      `INSERT INTO trades (symbol, price, volume, conditions, traded_at, received_at, consumed_at, written_at,
                           kafka_topic, kafka_partition)
       SELECT (ARRAY['AAPL','AMZN','BINANCE:BTCUSDT','IC MARKETS:1'])[i % 4 + 1], 100 + (i % 10000) / 100.0,
              i % 7, CASE WHEN i % 3 = 0 THEN '' ELSE '1 ' || (i % 13) END,
              ${at(`${T0} + i`)}, ${at(`${T0} + i + 5`)}, ${at(`${T0} + i + 10`)}, ${at(`${T0} + i + 15`)},
              'big', 0
       FROM generate_series(0, ${N - 1}) AS i`,
    )
    await db.pool.query(
      `INSERT INTO trades (symbol, price, volume, conditions, traded_at, received_at, consumed_at, written_at,
                           kafka_topic, kafka_partition)
       VALUES ('=HYPERLINK("http://evil.example","x")', -1.5, 0, '=1+1 -2', ${at(`${T1}`)},
               ${at(`${T1}`)}, ${at(`${T1}`)}, ${at(`${T1}`)}, 'evil', 0),
              ('@SUM(A1)', 2, 1, '', ${at(`${T1} + 1`)}, ${at(`${T1}`)}, ${at(`${T1}`)}, ${at(`${T1}`)}, 'evil', 0),
              ('+1', 3, 2, 'a,b say "hi"', ${at(`${T1} + 2`)}, ${at(`${T1}`)}, ${at(`${T1}`)}, ${at(`${T1}`)}, 'evil', 0)`,
    )
  })

  afterAll(async () => {
    await db?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('streams a million rows within a heap too small to hold them, and they equal the table', async () => {
    const path = join(dir, 'million.csv')
    // The CSV is about 117 MB; a heap of 64 MB could not hold it as one string or as its rows. A
    // bound on RSS growth measured V8's appetite for young-generation space as much as the export
    // (Node 24 reserves several times what Node 20 did), so the heap is capped instead.
    const t0 = Date.now()
    const res = await exportInSmallHeap(db, T0, T0 + N, path)
    console.log(
      `export of ${res.rows} rows: ${Date.now() - t0} ms, ${(res.bytes / MB).toFixed(1)} MB, in a ${res.heapLimitMb} MB heap`,
    )
    expect(res.rows).toBe(N)
    expect(res.bytes / MB).toBeGreaterThan(res.heapLimitMb)
    expect(res.progress).toBeGreaterThan(50)

    const expected = await rows(
      `SELECT count(*) AS rows, sum(round(price * 100))::bigint AS cents, sum(volume)::bigint AS volume,
              sum(kpi_ms(traded_at) - ${T0})::bigint AS offsets, count(*) FILTER (WHERE conditions = '') AS "noConditions",
              count(*) FILTER (WHERE symbol = 'AAPL') AS aapl
       FROM trades WHERE kafka_topic = 'big'`,
    )
    expect(await csvChecksum(path)).toEqual(expected)
    const head = (await readFile(path, 'utf8')).slice(0, 300).split('\r\n')
    expect(head[0]).toBe(TRADE_COLUMNS.join(','))
    expect(head[1]).toBe(
      'AAPL,100,0,,2024-05-01T12:00:00.000Z,2024-05-01T12:00:00.005Z,2024-05-01T12:00:00.010Z,2024-05-01T12:00:00.015Z',
    )
    expect(head[2]).toMatch(/^AMZN,100\.01,1,1 1,2024-05-01T12:00:00\.001Z,/)
  })

  it('neutralises formulas from the feed and leaves negative numbers alone', async () => {
    const path = join(dir, 'evil.csv')
    const res = await exportTradesCsv(db.pool, { from: T1, to: T1 + 10, path })
    expect(res.rows).toBe(3)
    const [header, ...data] = parseSync(await readFile(path, 'utf8')) as string[][]
    expect(header).toEqual([...TRADE_COLUMNS])
    expect(data.map((r) => r.slice(0, 4))).toEqual([
      [`'=HYPERLINK("http://evil.example","x")`, '-1.5', '0', "'=1+1 -2"],
      ["'@SUM(A1)", '2', '1', ''],
      ["'+1", '3', '2', 'a,b say "hi"'],
    ])
  })

  it('filters by symbol', async () => {
    const path = join(dir, 'fx.csv')
    const res = await exportTradesCsv(db.pool, { from: T0, to: T0 + 1000, symbols: ['IC MARKETS:1'], path })
    expect(res.rows).toBe(250)
    const data = (parseSync(await readFile(path, 'utf8'), { from_line: 2 }) as string[][]).map((r) => r[0])
    expect(new Set(data)).toEqual(new Set(['IC MARKETS:1']))
  })

  it('on cancel removes the temp file, leaves nothing under the name and frees the connection', async () => {
    const path = join(dir, 'cancelled', 'trades.csv')
    const abort = new AbortController()
    const run = exportTradesCsv(db.pool, {
      from: T0,
      to: T0 + N,
      path,
      signal: abort.signal,
      onProgress: (n) => n >= 20_000 && abort.abort(new Error('cancelled by the user')),
    })
    await expect(run).rejects.toThrow('cancelled by the user')
    expect(await readdir(join(dir, 'cancelled'))).toEqual([])
    await waitFor(
      'the cancelled COPY to end on the server',
      async () =>
        (
          await rows(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'COPY (SELECT symbol%'`,
          )
        ).n,
      (n) => n === 0,
    )
    expect((await rows('SELECT 1 AS one')).one).toBe(1)
  })

  it('writes a KPI view over the window', async () => {
    const path = join(dir, 'symbols.csv')
    const res = await exportKpiCsv(db.pool, { view: 'symbols', from: T0, to: T0 + 4000, path })
    const table = parseSync(await readFile(path, 'utf8')) as string[][]
    expect(res.rows).toBe(4)
    expect(table[0]![0]).toBe('symbol')
    expect(table.slice(1).map((r) => [r[0], r[1]])).toEqual(
      expect.arrayContaining([
        ['AAPL', '1000'],
        ['IC MARKETS:1', '1000'],
      ]),
    )
  })

  describe('browser mode download', () => {
    let server: DashboardServer
    let build: Awaited<ReturnType<typeof fakeBuild>>
    let exporter: CsvExporter
    beforeAll(async () => {
      build = await fakeBuild()
      exporter = new CsvExporter(db.pool)
      const core = { ...fakeCore(), streamCsv: exporter.write.bind(exporter) }
      server = await startDashboardServer({ core, rendererDir: build.rendererDir })
    })
    afterAll(async () => {
      await server?.close()
      await build?.cleanup()
    })
    const cookie = (): Record<string, string> => ({ Cookie: `tickflow_token=${server.token}` })

    it('refuses without the token and streams with it', async () => {
      const path = `/export/trades.csv?from=${T1}&to=2024-05-01T13:00:00.010Z`
      expect((await get(server.port, path)).status).toBe(401)
      const res = await get(server.port, path, cookie())
      expect(res.status).toBe(200)
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="tickflow-trades-/)
      const table = parseSync(res.body) as string[][]
      expect(table).toHaveLength(4)
      expect(table[1]![0]).toBe(`'=HYPERLINK("http://evil.example","x")`)
    })

    it('stops the export and frees its slot when the browser goes away', async () => {
      const path = `/export/trades.csv?from=${T0}&to=${T0 + N}`
      await new Promise<void>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: server.port, path, headers: cookie() }, (res) => {
          res.once('data', () => {
            req.destroy()
            resolve()
          })
        })
        req.on('error', () => undefined)
        setTimeout(() => reject(new Error('no data')), 30_000).unref()
        req.end()
      })
      await waitFor(
        'the export to stop',
        async () => exporter.active(),
        (n) => n === 0,
      )
      expect((await rows('SELECT 1 AS one')).one).toBe(1)
    })
  })
})
