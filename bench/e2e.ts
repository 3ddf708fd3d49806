import { loadavg } from 'node:os'
import { join } from 'node:path'
import { writeFrameFile } from '../src/main/pipeline/sources/jsonl'
import { ReplaySource } from '../src/main/pipeline/sources/replay'
import { sampleFrames } from '../src/main/pipeline/sources/sample-frames'
import type { Database } from '../src/main/postgres/database'
import { GatedSource } from './gated-source'
import { fmt, log } from './log'
import { benchPipeline, pollUntil, waitForStableGroup } from './pipeline-run'
import { cpuByPid, cpuDelta, cpuSeconds, peakRssMb, postgresPids, resetPeak } from './proc-stats'
import type { BenchServices } from './services'

/**
 * The assignment's four symbols plus a free key's typical extras, so records spread over the
 * partitions the way a real subscription does (one hot crypto symbol would pin one partition).
 */
export const BENCH_SYMBOLS = [
  'AAPL',
  'AMZN',
  'BINANCE:BTCUSDT',
  'IC MARKETS:1',
  'MSFT',
  'NVDA',
  'TSLA',
  'GOOGL',
  'META',
  'BINANCE:ETHUSDT',
  'COINBASE:SOL-USD',
  'OANDA:EUR_USD',
]

export interface Fixture {
  path: string
  trades: number
  frames: number
  bytes: number
}

export async function writeFixture(dir: string, trades: number): Promise<Fixture> {
  const path = join(dir, 'fixture.jsonl')
  const frames = sampleFrames({
    trades,
    seed: 42,
    symbols: BENCH_SYMBOLS,
    tradesPerFrame: [1, 10],
    pingEvery: 50,
  })
  const res = await writeFrameFile(path, frames)
  return { path, trades, ...res }
}

export interface E2eResult {
  trades: number
  /** first record produced (min received_at) → last DB commit seen (wall clock) */
  seconds: number
  tradesPerS: number
  /** min(received_at) → max(written_at), from the stored stamps: the cross-check */
  dbSpanSeconds: number
  /** rows between the 10th and 90th percentile of written_at, over that time: the steady rate */
  steadyTradesPerS: number
  /** how fast the replay got trades into Kafka (min → max received_at) */
  produceTradesPerS: number
  peakRssMb: { pipeline: number | null; broker: number | null }
  cpuSeconds: { pipeline: number; broker: number | null; postgres: number | null }
  loadAvg: number[]
  db: Database
  topic: string
}

interface Spans {
  n: number
  first_received: number
  last_received: number
  last_written: number
  p10_written: number
  p90_written: number
}

export async function runE2e(s: BenchServices, fx: Fixture, partitions: number): Promise<E2eResult> {
  const db = await s.openSchema('e2e')
  const topic = s.topicName('e2e')
  const source = new ReplaySource({ path: fx.path, speed: 'max' })
  const gate = new GatedSource(source)
  const pipeline = benchPipeline(s, db, gate, topic, partitions)
  await pipeline.start()
  await waitForStableGroup(s.services.kafka, `${topic}-writer`)

  const pgPids = s.postmasterPid ? postgresPids(s.postmasterPid) : []
  resetPeak(process.pid)
  if (s.brokerPid) resetPeak(s.brokerPid)
  const cpu0 = {
    self: process.cpuUsage(),
    broker: s.brokerPid ? cpuSeconds(s.brokerPid) : null,
    pg: cpuByPid(pgPids),
  }
  log(`e2e: replaying ${fmt(fx.trades)} trades (${fmt(fx.frames)} frames) at max speed`)
  const opened = Date.now()
  await gate.open()
  const done = await pollUntil(() => pipeline.status().counters.written >= fx.trades, {
    intervalMs: 5,
    timeoutMs: 20 * 60_000,
    progress: () => pipeline.status().counters.written,
    onTick: () => {
      const c = pipeline.status().counters
      const secs = (Date.now() - opened) / 1000
      log(`e2e: produced ${fmt(c.produced)}, written ${fmt(c.written)} (${fmt(c.written / secs)}/s so far)`)
    },
  })
  const end = Date.now()
  const self = process.cpuUsage(cpu0.self)
  const brokerCpu = s.brokerPid ? cpuSeconds(s.brokerPid) : null
  const pgCpu = s.postmasterPid ? cpuDelta(cpu0.pg, cpuByPid(postgresPids(s.postmasterPid))) : null
  const rss = { pipeline: peakRssMb(process.pid), broker: s.brokerPid ? peakRssMb(s.brokerPid) : null }
  const load = loadavg()
  const counters = pipeline.status().counters
  await pipeline.stop()
  if (!done) {
    throw new Error(
      `e2e: stuck or too slow: ${counters.written} of ${fx.trades} written, counters ${JSON.stringify(counters)}`,
    )
  }
  if (counters.dropped > 0) throw new Error(`e2e: the pipeline dropped ${counters.dropped} trades`)

  const { rows } = await db.pool.query<Spans>(`
    SELECT count(*) AS n, min(received_at) AS first_received, max(received_at) AS last_received,
           max(written_at) AS last_written,
           percentile_disc(0.1) WITHIN GROUP (ORDER BY written_at) AS p10_written,
           percentile_disc(0.9) WITHIN GROUP (ORDER BY written_at) AS p90_written
    FROM trades`)
  const sp = rows[0]!
  if (sp.n !== fx.trades) throw new Error(`e2e: ${sp.n} rows stored, expected ${fx.trades}`)
  const seconds = (end - sp.first_received) / 1000
  const res: E2eResult = {
    trades: sp.n,
    seconds,
    tradesPerS: sp.n / seconds,
    dbSpanSeconds: (sp.last_written - sp.first_received) / 1000,
    steadyTradesPerS: (0.8 * sp.n) / Math.max((sp.p90_written - sp.p10_written) / 1000, 0.001),
    produceTradesPerS: sp.n / Math.max((sp.last_received - sp.first_received) / 1000, 0.001),
    peakRssMb: rss,
    cpuSeconds: {
      pipeline: (self.user + self.system) / 1e6,
      broker: brokerCpu !== null && cpu0.broker !== null ? brokerCpu - cpu0.broker : null,
      postgres: pgCpu,
    },
    loadAvg: load,
    db,
    topic,
  }
  log(
    `e2e: ${fmt(res.tradesPerS)} trades/s (${fmt(sp.n)} in ${fmt(seconds, 2)} s; DB span ${fmt(res.dbSpanSeconds, 2)} s; ` +
      `steady ${fmt(res.steadyTradesPerS)}/s; into Kafka ${fmt(res.produceTradesPerS)}/s)`,
  )
  return res
}
