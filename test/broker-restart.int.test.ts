import { rm } from 'node:fs/promises'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { freePort } from '../src/main/kafka/broker-launch'
import { brokerStatus } from '../src/main/kafka/local-broker'
import type { Notice, Pipeline } from '../src/main/pipeline/pipeline'
import { FinnhubClient } from '../src/main/pipeline/sources/finnhub-client'
import { startSimulator, type Simulator } from '../src/main/pipeline/sources/simulator'
import { missingFrom, storedTradeKeys, tradeKey, waitFor } from './helpers/harness'
import { openManagedRun, tempDataDir, type ManagedRun } from './helpers/services-pipeline'
import { dropTestSchema, uniqueSchemaName } from './setup/test-database'

let run: ManagedRun | null = null
let sim: Simulator | null = null
let dir: string | null = null
let schema: string | null = null
afterEach(async () => {
  await sim?.stop()
  await run?.services.close()
  if (schema) await dropTestSchema(schema)
  if (dir) await rm(dir, { recursive: true, force: true })
  run = sim = dir = schema = null
})

const written = (p: Pipeline): number => p.status().counters.written

describe('the managed broker SIGKILLed under a running stream', () => {
  it('is restarted on its port, and the pipeline carries on without losing or doubling a trade', async () => {
    dir = await tempDataDir('tickflow-broker-restart-')
    schema = uniqueSchemaName('brk')
    // Our own broker (on a free port: never a developer's 9092); the run's PostgreSQL.
    run = await openManagedRun({
      dataDir: dir,
      kafkaPort: await freePort(),
      databaseUrl: inject('databaseUrl'),
      pgSchema: schema,
    })
    expect(run.services.kafkaConnection.clusterId).toBeTruthy()
    sim = await startSimulator({ seed: 21, tradesPerSecond: 400, tradesPerFrame: [1, 6], retainSent: true })
    const pipeline = run.pipeline(
      new FinnhubClient({ url: sim.url, symbols: ['AAPL', 'AMZN'], kind: 'demo' }),
    )
    const alerts: Notice[] = []
    pipeline.onAlert((a) => alerts.push(a))
    await pipeline.start()
    await waitFor(
      'rows before the kill',
      () => written(pipeline),
      (n) => n >= 500,
      90_000,
    )

    const before = await brokerStatus(dir)
    if (!before.running) throw new Error('no broker recorded for the data dir')
    process.kill(before.pid, 'SIGKILL')
    const back = await waitFor(
      'the broker to be back',
      () => run!.notices.find((n) => /is back on/.test(n.message)),
      (n) => n !== undefined,
      120_000,
    )
    expect(back!.message).toContain(`127.0.0.1:${before.port}`)
    const after = await brokerStatus(dir)
    expect(after).toMatchObject({ running: true, port: before.port })
    expect(after.running && after.pid).not.toBe(before.pid)
    const texts = run.notices.map((n) => n.message)
    expect(texts[0]).toMatch(
      new RegExp(`^Kafka broker \\(pid ${before.pid}\\) was killed by SIGKILL; restarting it in`),
    )

    // The stream goes on through the restarted broker (the writer may first wait out its old session).
    const atBack = written(pipeline)
    await waitFor(
      'writes after the restart',
      () => written(pipeline),
      (n) => n >= atBack + 500,
      120_000,
    )
    expect(pipeline.status().state).toBe('running')

    sim.setRate(0)
    const sent = sim.stats().sentTrades
    await waitFor(
      'every sent trade received',
      () => pipeline.status().counters.received,
      (n) => n >= sent,
    )
    await pipeline.stop()
    expect(pipeline.status().counters.dropped).toBe(0)

    const stored = await storedTradeKeys(run.services.db)
    const expected = sim.sent.map(tradeKey)
    expect(expected).toHaveLength(sent)
    expect(missingFrom(expected, stored)).toEqual([])
    expect(missingFrom(stored, expected)).toEqual([])
    // No failure in words but the producer's and consumer's reports of the outage.
    expect(alerts.filter((a) => /cluster/.test(a.message))).toEqual([])
  }, 400_000)
})
