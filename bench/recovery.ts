// The recovery phase: how long writes pause when PostgreSQL restarts or the broker is killed, with
// both services managed and supervised as a face runs them (src/main/services.ts).
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { resolveSettings } from '../src/main/config'
import { freePort } from '../src/main/kafka/broker/broker-launch'
import { brokerStatus } from '../src/main/kafka/broker/local-broker'
import { FinnhubClient } from '../src/main/pipeline/sources/finnhub-client'
import { startSimulator } from '../src/main/pipeline/sources/simulator'
import { createPipeline, createServices, type ReadyServices, type ServiceNotice } from '../src/main/services'
import { fmt, log, median } from './log'
import { pollUntil, waitForStableGroup } from './pipeline-run'

export type FaultKind = 'pg_restart' | 'broker_kill'

export interface FaultRun {
  /** ms epoch of the kill */
  at: number
  /** the pause in writes: last batch written before it → first batch written after it, seconds */
  recoveryS: number
  /** kill → the supervisor's "is back on" notice, seconds */
  serviceBackS: number
  /** rows written in the 2 s before the kill, per second: the rate the pause interrupts */
  ratePerS: number
}

export interface RecoveryResult {
  offeredPerS: number
  /** median recovery per fault, seconds */
  medianS: Record<FaultKind, number>
  runs: Record<FaultKind, FaultRun[]>
  /** rows stored against trades sent: a restart must lose nothing (same check as the fault tests) */
  sent: number
  stored: number
}

const postmasterPid = async (dataDir: string): Promise<number> =>
  Number((await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0])

/** What each fault kills: the process a supervisor then restarts. */
async function victim(kind: FaultKind, dataDir: string): Promise<number> {
  if (kind === 'pg_restart') return postmasterPid(dataDir)
  const b = await brokerStatus(dataDir)
  if (!b.running) throw new Error('recovery: no broker recorded for the data dir')
  return b.pid
}

/**
 * The longest pause between consecutive batch stamps (written_at), from the last batch written
 * before the kill on: the writer stamps each batch once, so that pause is the outage as the table
 * sees it (the batches a writer still had in hand just after the kill come before it).
 */
async function pauseAround(services: ReadyServices, at: number): Promise<number> {
  const { rows } = await services.db.pool.query<{ gap_ms: number | null }>(
    `SELECT max(gap) AS gap_ms FROM (
       SELECT extract(epoch FROM w - lag(w) OVER (ORDER BY w)) * 1000 AS gap
       FROM (SELECT DISTINCT written_at AS w FROM trades
             WHERE written_at >= (SELECT max(written_at) FROM trades WHERE written_at <= to_timestamp($1 / 1000.0))
               AND written_at <= to_timestamp($1 / 1000.0) + interval '5 min') s) g`,
    [at],
  )
  return (rows[0]?.gap_ms ?? NaN) / 1000
}

async function writtenSince(services: ReadyServices, fromMs: number): Promise<number> {
  const { rows } = await services.db.pool.query<{ n: number }>(
    'SELECT count(*) AS n FROM trades WHERE written_at >= to_timestamp($1 / 1000.0)',
    [fromMs],
  )
  return rows[0]!.n
}

export async function runRecovery(rate: number, repeats: number): Promise<RecoveryResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tickflow-bench-recovery-'))
  await chmod(dataDir, 0o755) // embedded PostgreSQL runs as user postgres under root
  const topic = 'bench-recovery'
  const services = await createServices(
    resolveSettings({ dataDir, kafkaPort: await freePort(), topic, groupId: `${topic}-writer` }, {}),
    { onProgress: (m) => log(`recovery: ${m}`) },
  )
  const notices: ServiceNotice[] = []
  services.onNotice((n) => {
    notices.push(n)
    log(`recovery: ${n.level}: ${n.message}`)
  })
  const sim = await startSimulator({ seed: 11, tradesPerSecond: rate, tradesPerFrame: [1, 10] })
  const pipeline = createPipeline(services, {
    source: new FinnhubClient({ url: sim.url, symbols: ['AAPL', 'AMZN', 'BINANCE:BTCUSDT'], kind: 'demo' }),
    statusIntervalMs: 1_000,
  })
  pipeline.onAlert((a) => log(`recovery: pipeline ${a.level}: ${a.message}`))
  const runs: Record<FaultKind, FaultRun[]> = { pg_restart: [], broker_kill: [] }
  try {
    await pipeline.start()
    await waitForStableGroup(services.kafka, `${topic}-writer`)
    for (let i = 0; i < repeats; i++) {
      for (const kind of ['pg_restart', 'broker_kill'] as const) {
        // Steady writes before each kill, so the pause measured is this fault's alone.
        await sleep(5_000)
        const pid = await victim(kind, dataDir)
        const seen = notices.length
        const at = Date.now()
        const before = await writtenSince(services, at - 2_000)
        process.kill(pid, 'SIGKILL')
        const back = await pollUntil(() => notices.slice(seen).some((n) => /is back on/.test(n.message)), {
          intervalMs: 50,
          timeoutMs: 180_000,
        })
        if (!back) throw new Error(`recovery: ${kind}: the service did not come back within 3 min`)
        const backAt = notices.slice(seen).find((n) => /is back on/.test(n.message))!.at
        // Writes resumed: rows stamped after the service came back.
        const resumed = await pollUntil(() => pipeline.status().consumer.lastBatchAt! > backAt, {
          intervalMs: 50,
          timeoutMs: 180_000,
        })
        if (!resumed) throw new Error(`recovery: ${kind}: no write within 3 min of the restart`)
        const run: FaultRun = {
          at,
          recoveryS: await pauseAround(services, at),
          serviceBackS: (backAt - at) / 1000,
          ratePerS: before / 2,
        }
        runs[kind].push(run)
        log(
          `recovery: ${kind} ${i + 1}/${repeats}: writes paused ${fmt(run.recoveryS, 2)} s ` +
            `(service back after ${fmt(run.serviceBackS, 2)} s, ${fmt(run.ratePerS)} rows/s before)`,
        )
      }
    }
    sim.setRate(0)
    const sent = sim.stats().sentTrades
    await pollUntil(() => pipeline.status().counters.received >= sent, { intervalMs: 50, timeoutMs: 60_000 })
    await pipeline.stop()
    const { rows } = await services.db.pool.query<{ n: number }>('SELECT count(*) AS n FROM trades')
    const stored = rows[0]!.n
    if (stored !== sent) log(`recovery: warning: ${fmt(stored)} rows stored of ${fmt(sent)} trades sent`)
    return {
      offeredPerS: rate,
      medianS: {
        pg_restart: median(runs.pg_restart.map((r) => r.recoveryS)),
        broker_kill: median(runs.broker_kill.map((r) => r.recoveryS)),
      },
      runs,
      sent,
      stored,
    }
  } finally {
    await pipeline.stop().catch(() => undefined)
    await sim.stop()
    await services.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}
