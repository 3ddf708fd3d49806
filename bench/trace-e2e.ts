// The e2e phase alone, traced once a second (counters, event-loop delay) with the pipeline's CPU per
// 100k trades at the end: for profiling, e.g. node --cpu-prof --import tsx bench/trace-e2e.ts --trades 500000
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseBenchArgs } from './args'
import { writeFixture } from './e2e'
import { GatedSource } from './gated-source'
import { benchPipeline, pollUntil, waitForStableGroup } from './pipeline-run'
import { startBenchServices } from './services'
import { ReplaySource } from '../src/main/pipeline/sources/replay'

const args = parseBenchArgs(process.argv.slice(2))
const s = await startBenchServices(args)
try {
  const fx = await writeFixture(s.workDir, args.trades)
  const db = await s.openSchema('trace')
  const topic = s.topicName('trace')
  const gate = new GatedSource(new ReplaySource({ path: fx.path, speed: 'max' }))
  const p = benchPipeline(s, db, gate, topic, args.partitions)
  await p.start()
  await waitForStableGroup(s.services.kafka, `${topic}-writer`)
  const h = monitorEventLoopDelay({ resolution: 10 })
  h.enable()
  const t0 = Date.now()
  const cpu0 = process.cpuUsage()
  await gate.open()
  const tick = setInterval(() => {
    const c = p.status().counters
    console.log(
      `${((Date.now() - t0) / 1000).toFixed(1)}s recv ${c.received} prod ${c.produced} buf ${c.buffered} cons ${c.consumed} writ ${c.written} elMax ${(h.max / 1e6).toFixed(0)}ms elP99 ${(h.percentile(99) / 1e6).toFixed(0)}`,
    )
    h.reset()
  }, 1000)
  await pollUntil(() => p.status().counters.written >= fx.trades, { intervalMs: 10, timeoutMs: 120_000 })
  clearInterval(tick)
  const cpu = process.cpuUsage(cpu0)
  console.log(
    `done in ${(Date.now() - t0) / 1000}s, pipeline CPU ${((cpu.user + cpu.system) / 1e6 / (fx.trades / 1e5)).toFixed(2)} s per 100k trades`,
  )
  await p.stop()
} finally {
  await s.close()
}
