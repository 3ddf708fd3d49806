import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import { kpiSnapshot } from '../src/main/kpi/snapshot'
import { getThresholds } from '../src/main/postgres/thresholds'
import { DEFAULT_SYMBOLS } from '../src/shared/symbols'
import { bucketSecondsFor, resolveWindow } from '../src/shared/windows'
import { percentileOfSorted } from './ui-latency'

/** ms per tick of the timed snapshot queries; the first few failures' messages. */
export interface PushCost {
  p50: number
  p95: number
  max: number
  samples: number
  errors: string[]
}

/** kpi_push_cost_ms from outside: the core's 5 min snapshot query, as it runs it, at 1 Hz. */
export async function pushCost(pool: pg.Pool, samples: number): Promise<PushCost> {
  const { rate_interval_s: rate } = await getThresholds(pool)
  const costs: number[] = []
  const errors: string[] = []
  for (let i = 0; i < samples; i++) {
    const at = Date.now()
    const { from, to } = resolveWindow({ preset: '5m' }, at, null)
    const t0 = performance.now()
    try {
      const kpis = await kpiSnapshot(pool, {
        from,
        to,
        bucketS: bucketSecondsFor(to - from, rate),
        symbols: DEFAULT_SYMBOLS,
      })
      // What the WebSocket transport does with it before the send.
      JSON.stringify({
        event: 'snapshot',
        payload: { watch: { window: { preset: '5m' } }, at, kpis, lag: [] },
      })
      costs.push(performance.now() - t0)
    } catch (err) {
      if (errors.length < 5) errors.push((err as Error).message.split('\n')[0]!)
    }
    await sleep(Math.max(0, at + 1000 - Date.now()))
  }
  if (costs.length === 0) return { p50: NaN, p95: NaN, max: NaN, samples: 0, errors }
  costs.sort((a, b) => a - b)
  return {
    p50: percentileOfSorted(costs, 0.5),
    p95: percentileOfSorted(costs, 0.95),
    max: costs[costs.length - 1]!,
    samples: costs.length,
    errors,
  }
}
