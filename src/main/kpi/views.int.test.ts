import { describe, expect, it } from 'vitest'
import type { LatencyStats } from '../../shared/kpi'
import { BTC, FX, stage, T0, withKpiData } from '../../../test/helpers/kpi-test-data'

/** The views of sql/002 over all 11 trades of the data set, including the two outside T0..T0+90 s. */
describe('KPI views', () => {
  const data = withKpiData()
  const q = async (sql: string): Promise<Record<string, unknown>[]> => (await data.db.pool.query(sql)).rows

  it('KPIs 1, 3, 4, 6 include the trades outside any window', async () => {
    expect(await q(`SELECT symbol, trades FROM kpi_trade_count ORDER BY symbol`)).toEqual([
      { symbol: 'AAPL', trades: 5 },
      { symbol: 'AMZN', trades: 2 },
      { symbol: BTC, trades: 2 },
      { symbol: FX, trades: 2 },
    ])
    expect(await q(`SELECT avg_volume, total_volume FROM kpi_avg_volume WHERE symbol = 'AMZN'`)).toEqual([
      { avg_volume: 502, total_volume: 1004 },
    ])
    expect(await q(`SELECT trades, avg_price FROM kpi_avg_price WHERE symbol = 'AAPL'`)).toEqual([
      { trades: 5, avg_price: 337.2 },
    ])
    expect(
      await q(`SELECT min_price, max_price, price_range FROM kpi_price_range WHERE symbol = '${BTC}'`),
    ).toEqual([{ min_price: 60000, max_price: 60010, price_range: 10 }])
  })

  it('KPI 2 lists the non-empty 1 s buckets', async () => {
    const rows = await q(
      `SELECT bucket_start, interval_s, trades, trades_per_second FROM kpi_trades_per_second ORDER BY 1`,
    )
    expect(rows.map((r) => [((r.bucket_start as number) - T0) / 1000, r.trades])).toEqual([
      [-1, 1],
      [0, 2],
      [1, 3],
      [15, 1],
      [29, 1],
      [60, 1],
      [89, 1],
      [90, 1],
    ])
    expect(rows[2]).toMatchObject({ interval_s: 1, trades_per_second: 3 })
  })

  it('KPI 5 lists every 30 s window from first to last trade, empty ones as 0', async () => {
    const rows = await q(`SELECT * FROM kpi_data_loss ORDER BY bucket_start`)
    expect(
      rows.map((r) => [
        ((r.bucket_start as number) - T0) / 1000,
        r.symbols_seen,
        r.symbols_missing,
        r.data_loss,
      ]),
    ).toEqual([
      [-30, 1, 3, true],
      [0, 4, 0, false],
      [30, 0, 4, true],
      [60, 2, 2, true],
      [90, 1, 3, true],
    ])
    expect(rows[0]).toMatchObject({ window_s: 30, symbols_expected: 4 })
  })

  it('KPI 7 gives volume per symbol and bucket', async () => {
    expect(
      await q(`SELECT bucket_start, volume, trades FROM kpi_volume_trend WHERE symbol = 'AAPL' ORDER BY 1`),
    ).toEqual([
      { bucket_start: T0, volume: 40, trades: 2 },
      { bucket_start: T0 + 1000, volume: 20, trades: 1 },
      { bucket_start: T0 + 60_000, volume: 40, trades: 1 },
      { bucket_start: T0 + 90_000, volume: 999, trades: 1 },
    ])
  })

  it('KPI 8 over all 11 trades', async () => {
    const rows = (await q(
      `SELECT stage, samples, avg_ms AS "avgMs", p50_ms AS "p50Ms", p95_ms AS "p95Ms", p99_ms AS "p99Ms", max_ms AS "maxMs" FROM kpi_latency`,
    )) as unknown as LatencyStats[]
    expect(rows).toHaveLength(5)
    // trade_to_db adds two 1015s: 115…815, 960, 1015, 1015 → median 615, mean (4680 + 2030) / 11
    expect(stage(rows, 'trade_to_db')).toMatchObject({ samples: 11, p50Ms: 615, maxMs: 1015 })
    expect(stage(rows, 'trade_to_db')?.avgMs).toBeCloseTo(610, 9)
    expect(stage(rows, 'trade_to_kafka')).toMatchObject({ p50Ms: 600, p95Ms: 1000, maxMs: 1000 })
    expect(stage(rows, 'trade_to_kafka')?.avgMs).toBeCloseTo(6500 / 11, 9)
  })
})
