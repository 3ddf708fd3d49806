import { afterEach, describe, expect, it } from 'vitest'
import { FinnhubClient } from '../src/main/pipeline/sources/finnhub-client'
import type { Pipeline } from '../src/main/pipeline/pipeline'
import type { TradeSource } from '../src/main/pipeline/sources/source'
import { startSimulator, type Simulator } from '../src/main/pipeline/sources/simulator'
import { missingFrom, openHarness, storedTradeKeys, tradeKey, waitFor, type Harness } from './helpers/harness'

// Symbols with colons, underscores and spaces must round-trip through Kafka keys and Postgres.
const SYMBOLS = ['AAPL', 'BINANCE:BTCUSDT', 'IC MARKETS:1', 'OANDA:EUR_USD']

/** Stops the simulator's feed, lets the client take in what is already on the wire, then drains. */
async function stopFeedAndDrain(sim: Simulator, pipeline: Pipeline): Promise<number> {
  sim.setRate(0)
  const sent = sim.stats().sentTrades
  await waitFor(
    'every sent trade received',
    () => pipeline.status().counters.received,
    (n) => n >= sent,
  )
  await pipeline.stop()
  return sent
}

let h: Harness | null = null
let sim: Simulator | null = null
afterEach(async () => {
  await sim?.stop()
  await h?.close()
  sim = null
  h = null
})

describe('simulator → Kafka → PostgreSQL', () => {
  it('stores every valid trade the simulator sends exactly once, across a dropped connection', async () => {
    h = await openHarness()
    sim = await startSimulator({
      seed: 11,
      tradesPerSecond: 3_000,
      tradesPerFrame: [1, 12],
      retainSent: true,
    })
    const source = new FinnhubClient({
      url: sim.url,
      symbols: SYMBOLS,
      kind: 'demo',
      backoff: { initialMs: 50 },
    })
    const pipeline = h.pipeline(source)
    await pipeline.start()

    await waitFor(
      '1,000 trades sent',
      () => sim!.stats().sentTrades,
      (n) => n >= 1_000,
    )
    // The real server drops connections now and then: the client must reconnect and resubscribe.
    expect(sim.dropConnections()).toBe(1)
    await waitFor(
      'a reconnect',
      () => source.status().reconnects,
      (n) => n >= 1,
    )
    const before = sim.stats().sentTrades
    await waitFor(
      'trades after the reconnect',
      () => sim!.stats().sentTrades,
      (n) => n >= before + 1_000,
    )

    const sent = await stopFeedAndDrain(sim, pipeline)

    const stored = await storedTradeKeys(h.db)
    const expected = sim.sent.map(tradeKey)
    expect(expected).toHaveLength(sent)
    expect(missingFrom(expected, stored)).toEqual([])
    expect(missingFrom(stored, expected)).toEqual([])
    expect(stored).toHaveLength(sent)
    const symbols = await h.db.pool.query<{ symbol: string }>('SELECT DISTINCT symbol FROM trades ORDER BY 1')
    expect(symbols.rows.map((r) => r.symbol)).toEqual([...SYMBOLS].sort())
    const st = pipeline.status().counters
    expect(st).toMatchObject({ received: sent, produced: sent, written: sent, dropped: 0, rejected: 0 })
    // The backlog against the topic's size (the kafka_backlog alert's input): none left, the
    // default budget's 1 GiB per partition, and a record's size in the log from what was read.
    expect(pipeline.status().backlog).toEqual({
      partitionLag: 0,
      recordBytes: expect.closeTo(130, -2) as number,
      retentionBytes: 1024 ** 3,
    })
  })

  it('stores malformed frames in rejects with their raw text while the stream goes on', async () => {
    h = await openHarness()
    sim = await startSimulator({ seed: 5, tradesPerSecond: 500, retainSent: true })
    const source = new FinnhubClient({ url: sim.url, symbols: ['AAPL', 'AMZN'], kind: 'demo' })
    const pipeline = h.pipeline(source)
    await pipeline.start()
    await waitFor(
      'trades flowing',
      () => sim!.stats().sentTrades,
      (n) => n >= 100,
    )

    const bad = [
      '{"type":"trade","data":[{"s":"AAPL"', // bad JSON
      JSON.stringify({ type: 'trade', data: [{ s: 'AAPL', p: 171.5, v: 1 }] }), // missing t
      JSON.stringify({ type: 'trade', data: [{ s: 'AAPL', p: '171.5', t: 1714000000000, v: 1 }] }), // wrong type
      JSON.stringify({ type: 'news', data: [] }), // unknown frame type
    ]
    for (const raw of bad) expect(sim.injectRaw(raw)).toBe(1)
    const sentAtInjection = sim.stats().sentTrades
    await waitFor(
      'more trades after the bad frames',
      () => sim!.stats().sentTrades,
      (n) => n >= sentAtInjection + 100,
    )
    const sent = await stopFeedAndDrain(sim, pipeline)

    const { rows } = await h.db.pool.query<{ raw: string; reason: string; stage: string }>(
      'SELECT raw, reason, stage FROM rejects ORDER BY id',
    )
    // A frame whose only item is bad stores that item, as the item is what failed validation.
    expect(rows.map((r) => r.raw)).toEqual([
      bad[0],
      JSON.stringify({ s: 'AAPL', p: 171.5, v: 1 }),
      JSON.stringify({ s: 'AAPL', p: '171.5', t: 1714000000000, v: 1 }),
      bad[3],
    ])
    expect(rows.every((r) => r.stage === 'source' && r.reason.length > 0)).toBe(true)
    expect(rows[1]!.reason).toMatch(/\bt\b/)
    expect(rows[2]!.reason).toMatch(/\bp\b/)
    expect(await storedTradeKeys(h.db)).toHaveLength(sent)
    expect(pipeline.status().counters.rejected).toBe(4)
  })
})

describe('a burst larger than the producer buffer', () => {
  it('counts every dropped trade, shows it, and writes the rest', async () => {
    h = await openHarness()
    const frame = (i: number): string =>
      JSON.stringify({
        type: 'trade',
        data: Array.from({ length: 1_000 }, (_, j) => ({
          s: 'AAPL',
          p: 171,
          t: 1714000000000 + i * 1000 + j,
          v: 1,
        })),
      })
    // A source that delivers 10 frames of 1,000 trades in one go, faster than any send can drain.
    const burst: TradeSource = {
      kind: 'demo',
      start: async (sink) => {
        for (let i = 0; i < 10; i++) sink.frame(frame(i), Date.now())
      },
      stop: async () => undefined,
      subscribe: () => undefined,
      unsubscribe: () => undefined,
      symbols: () => ['AAPL'],
      status: () => ({ kind: 'demo', state: 'open', reconnects: 0, symbols: ['AAPL'], frames: 10 }),
      onStatus: () => () => undefined,
    }
    const pipeline = h.pipeline(burst, { bufferCapacity: 1_000 })
    await pipeline.start()
    await waitFor(
      'the buffer to drain',
      () => pipeline.status().counters.produced,
      (n) => n >= 1_000,
    )
    await pipeline.stop()
    expect(pipeline.status().counters).toMatchObject({
      received: 10_000,
      dropped: 9_000,
      produced: 1_000,
      written: 1_000,
    })
    // The drops alert is a rule over these counters (src/main/alerts/rules.test.ts).
    expect(await storedTradeKeys(h.db)).toHaveLength(1_000)
  })
})
