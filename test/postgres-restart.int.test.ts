import { afterEach, describe, expect, it } from 'vitest'
import { writerApplicationName } from '../src/main/pipeline/consumer-thread'
import type { Notice, Pipeline } from '../src/main/pipeline/pipeline'
import { FinnhubClient } from '../src/main/pipeline/sources/finnhub-client'
import { startSimulator, type Simulator } from '../src/main/pipeline/sources/simulator'
import { missingFrom, openHarness, storedTradeKeys, tradeKey, waitFor, type Harness } from './helpers/harness'

let h: Harness | null = null
let sim: Simulator | null = null
afterEach(async () => {
  await sim?.stop()
  await h?.close()
  sim = null
  h = null
})

/**
 * What a PostgreSQL restart does to a client, aimed at this test's writer only: the server is
 * shared (other schemas, other runs), so only sessions with the writer's application_name go.
 * Returns how many sessions were ended.
 */
async function terminateWriter(h: Harness): Promise<number> {
  const { rows } = await h.db.pool.query<{ n: number }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity
      WHERE application_name = $1 AND datname = current_database() AND pid <> pg_backend_pid()`,
    [writerApplicationName(h.db.schema)],
  )
  return rows[0]!.n
}

const written = (p: Pipeline): number => p.status().counters.written

describe('PostgreSQL restarted under a running stream', () => {
  it('loses no trade, stores none twice, keeps its writer thread, and still stops', async () => {
    h = await openHarness()
    sim = await startSimulator({ seed: 8, tradesPerSecond: 2_000, tradesPerFrame: [1, 10], retainSent: true })
    const source = new FinnhubClient({
      url: sim.url,
      symbols: ['AAPL', 'AMZN', 'BINANCE:BTCUSDT'],
      kind: 'demo',
    })
    const pipeline = h.pipeline(source)
    const notices: Notice[] = []
    pipeline.onAlert((n) => notices.push(n))
    await pipeline.start()

    // Three times: end every writer session (idle or mid-transaction), then see writes resume.
    for (let round = 1; round <= 3; round++) {
      const before = await waitFor(
        `rows written before cut ${round}`,
        () => written(pipeline),
        (n) => n >= round * 2_000,
      )
      await waitFor(
        `writer sessions to end (cut ${round})`,
        () => terminateWriter(h!),
        (n) => n > 0,
      )
      await waitFor(
        `writes to resume after cut ${round}`,
        () => written(pipeline),
        (n) => n >= before + 1_000,
      )
    }

    sim.setRate(0)
    const sent = sim.stats().sentTrades
    await waitFor(
      'every sent trade received',
      () => pipeline.status().counters.received,
      (n) => n >= sent,
    )
    expect(pipeline.status().consumer.state).toBe('running')
    const t0 = Date.now()
    await pipeline.stop()
    expect(Date.now() - t0).toBeLessThan(60_000)
    expect(pipeline.status().consumer.state).toBe('stopped')

    const stored = await storedTradeKeys(h.db)
    const expected = sim.sent.map(tradeKey)
    expect(expected).toHaveLength(sent)
    expect(missingFrom(expected, stored)).toEqual([])
    expect(missingFrom(stored, expected)).toEqual([])
    // The outage was told in words, and the writer thread lived through it: without error
    // listeners on the pool and its clients the thread died (and was replaced) on every cut.
    const texts = notices.map((n) => n.message)
    expect(texts.some((m) => /PostgreSQL (write failed|connection lost)/.test(m))).toBe(true)
    expect(texts.filter((m) => /consumer thread/.test(m))).toEqual([])
  })
})
