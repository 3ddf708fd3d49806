import { setTimeout as sleep } from 'node:timers/promises'
import { FinnhubClient } from '../src/main/pipeline/sources/finnhub-client'
import { startSimulator } from '../src/main/pipeline/sources/simulator'
import { BENCH_SYMBOLS } from './e2e'
import { GatedSource } from './gated-source'
import { fmt, log } from './log'
import { benchPipeline, waitForStableGroup } from './pipeline-run'
import type { BenchServices } from './services'

export interface Percentiles {
  p50: number
  p95: number
  p99: number
  max: number
}

export interface LatencyResult {
  offeredPerS: number
  /** rows in the measured (post-warm-up) window, per second of it */
  achievedPerS: number
  samples: number
  warmupSeconds: number
  measuredSeconds: number
  receivedToConsumed: Percentiles
  consumedToWritten: Percentiles
  receivedToWritten: Percentiles
  dropped: number
  simulatorSkipped: number
}

interface Row {
  n: number
  rc: number[]
  cw: number[]
  rw: number[]
  rc_max: number
  cw_max: number
  rw_max: number
}

const ms = (a: string, b: string): string => `extract(epoch FROM ${b} - ${a}) * 1000`

/**
 * The simulator at a fixed rate, through the Finnhub client and the whole pipeline; the
 * percentiles come from the stamps stored on each row, after a warm-up.
 */
export async function runLatency(
  s: BenchServices,
  rate: number,
  seconds: number,
  partitions: number,
): Promise<LatencyResult> {
  const db = await s.openSchema('latency')
  const topic = s.topicName('latency')
  const sim = await startSimulator({ seed: 7, tradesPerSecond: rate, tradesPerFrame: [1, 10] })
  try {
    const gate = new GatedSource(new FinnhubClient({ url: sim.url, symbols: BENCH_SYMBOLS, kind: 'demo' }))
    const pipeline = benchPipeline(s, db, gate, topic, partitions)
    await pipeline.start()
    await waitForStableGroup(s.services.kafka, `${topic}-writer`)
    const warmup = Math.min(5, seconds * 0.2)
    log(`latency: ${fmt(rate)} trades/s offered for ${seconds} s (first ${fmt(warmup, 1)} s are warm-up)`)
    await gate.open()
    const start = Date.now()
    for (let left = seconds; left > 0; left -= 10) {
      await sleep(Math.min(left, 10) * 1000)
      const c = pipeline.status().counters
      log(
        `latency: received ${fmt(c.received)}, written ${fmt(c.written)}, lag ${pipeline.status().lag ?? '?'}`,
      )
    }
    const stop = Date.now()
    const dropped = pipeline.status().counters.dropped
    await pipeline.stop()
    const from = start + warmup * 1000
    const { rows } = await db.pool.query<Row>(
      `SELECT count(*) AS n,
         percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY ${ms('received_at', 'consumed_at')}) AS rc,
         percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY ${ms('consumed_at', 'written_at')}) AS cw,
         percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY ${ms('received_at', 'written_at')}) AS rw,
         max(${ms('received_at', 'consumed_at')}) AS rc_max, max(${ms('consumed_at', 'written_at')}) AS cw_max,
         max(${ms('received_at', 'written_at')}) AS rw_max
       FROM trades
       WHERE received_at >= timestamptz 'epoch' + $1::bigint * interval '1 ms'
         AND received_at < timestamptz 'epoch' + $2::bigint * interval '1 ms'`,
      [from, stop],
    )
    const r = rows[0]!
    const pct = (q: number[], max: number): Percentiles => ({ p50: q[0]!, p95: q[1]!, p99: q[2]!, max })
    const res: LatencyResult = {
      offeredPerS: rate,
      achievedPerS: r.n / ((stop - from) / 1000),
      samples: r.n,
      warmupSeconds: warmup,
      measuredSeconds: (stop - from) / 1000,
      receivedToConsumed: pct(r.rc, r.rc_max),
      consumedToWritten: pct(r.cw, r.cw_max),
      receivedToWritten: pct(r.rw, r.rw_max),
      dropped,
      simulatorSkipped: sim.stats().skippedTrades,
    }
    const l = res.receivedToWritten
    log(
      `latency: received→written p50 ${fmt(l.p50, 1)} ms, p95 ${fmt(l.p95, 1)} ms, p99 ${fmt(l.p99, 1)} ms ` +
        `over ${fmt(r.n)} trades (${fmt(res.achievedPerS)}/s)`,
    )
    return res
  } finally {
    await sim.stop()
  }
}
