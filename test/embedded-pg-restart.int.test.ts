import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, inject, it } from 'vitest'
import type { Pipeline } from '../src/main/pipeline/pipeline'
import { FinnhubClient } from '../src/main/pipeline/sources/finnhub-client'
import { startSimulator, type Simulator } from '../src/main/pipeline/sources/simulator'
import { missingFrom, storedTradeKeys, tradeKey, waitFor } from './helpers/harness'
import { openManagedRun, tempDataDir, type ManagedRun } from './helpers/services-pipeline'

let run: ManagedRun | null = null
let sim: Simulator | null = null
let dir: string | null = null
afterEach(async () => {
  await sim?.stop()
  await run?.services.close()
  if (dir) await rm(dir, { recursive: true, force: true })
  run = sim = dir = null
})

const written = (p: Pipeline): number => p.status().counters.written
const postmasterPid = async (dataDir: string): Promise<number> =>
  Number((await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0])

describe('embedded PostgreSQL SIGKILLed under a running stream', () => {
  it('is restarted on its port, and no trade is lost or stored twice', async () => {
    dir = await tempDataDir('tickflow-pg-restart-')
    // Our own PostgreSQL (durable settings, as the app runs it); the run's broker.
    run = await openManagedRun({ dataDir: dir, brokers: [inject('kafkaBrokers')] })
    expect(run.services.db.embedded).toBe(true)
    sim = await startSimulator({ seed: 22, tradesPerSecond: 800, tradesPerFrame: [1, 8], retainSent: true })
    const pipeline = run.pipeline(
      new FinnhubClient({ url: sim.url, symbols: ['AAPL', 'BINANCE:BTCUSDT'], kind: 'demo' }),
    )
    await pipeline.start()
    await waitFor(
      'rows before the kill',
      () => written(pipeline),
      (n) => n >= 1_000,
      90_000,
    )

    const pid = await postmasterPid(dir)
    const port = new URL(run.services.db.url).port
    process.kill(pid, 'SIGKILL') // mid-transaction, most likely: the writer commits continuously
    const back = await waitFor(
      'PostgreSQL to be back',
      () => run!.notices.find((n) => /is back on/.test(n.message)),
      (n) => n !== undefined,
      120_000,
    )
    expect(back!.message).toContain(`127.0.0.1:${port}`)
    expect(run.notices[0]!.message).toMatch(
      new RegExp(`^embedded PostgreSQL \\(pid ${pid}\\) was killed by SIGKILL; restarting it in`),
    )
    expect(await postmasterPid(dir)).not.toBe(pid)

    const atBack = written(pipeline)
    await waitFor(
      'writes after the restart',
      () => written(pipeline),
      (n) => n >= atBack + 1_000,
      120_000,
    )

    sim.setRate(0)
    const sent = sim.stats().sentTrades
    await waitFor(
      'every sent trade received',
      () => pipeline.status().counters.received,
      (n) => n >= sent,
    )
    await pipeline.stop()
    expect(pipeline.status().consumer.state).toBe('stopped')

    const stored = await storedTradeKeys(run.services.db)
    const expected = sim.sent.map(tradeKey)
    expect(expected).toHaveLength(sent)
    expect(missingFrom(expected, stored)).toEqual([])
    expect(missingFrom(stored, expected)).toEqual([])
  }, 400_000)
})
