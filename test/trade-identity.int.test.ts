import { afterEach, describe, expect, it } from 'vitest'
import { Ingest } from '../src/main/pipeline/ingest'
import { TradeProducer } from '../src/main/pipeline/producer'
import type { FinnhubTrade, Reject } from '../src/shared/trade'
import { missingFrom, openHarness, storedTradeKeys, tradeKey, type Harness } from './helpers/harness'
import {
  counts,
  produceForeign,
  produceFrames,
  recordsIn,
  recreateTopic,
  tradeFrames,
  writeAll,
} from './helpers/identity'

// Issue 8: a trade is stored once by its identity, not by its Kafka coordinates, which a
// recreated topic reuses. Redeliveries and producer retries: trade-redelivery.int.test.ts.

let h: Harness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

describe('a recreated topic (a wiped broker, or another cluster)', () => {
  it('stores the new trades at reused offsets, ours and another producer’s, and drops none', async () => {
    h = await openHarness(3)
    const stamp0 = Date.now() - 30_000
    // Another producer's records first, on partition 0, so both topics hold them at offsets 0–19.
    const foreignA = Array.from({ length: 20 }, (_, i) => ({
      trade: { s: 'AMZN', p: 181 + i / 100, t: stamp0 + i, v: 1, c: null },
      stamp: stamp0 + i,
      partition: 0,
    }))
    const oursA = tradeFrames(60, 1)
    await produceForeign(h.kafka, h.topic, foreignA)
    await produceFrames(h.kafka, h.topic, oursA)
    // (Kafka may hold some of ours twice: kafkajs retries a fresh topic's "not the leader".)
    const before = 20 + oursA.flat().length
    expect((await writeAll(h)).written).toBe(before)

    await recreateTopic(h)
    expect(await recordsIn(h.kafka, h.topic)).toBe(0)
    // The hard case for a record without a tf_id: the same coordinates and even the same stamps
    // (a replay keeping recorded stamps), but other trades. Ours come from a new producer session.
    const foreignB = foreignA.map((r) => ({ ...r, trade: { ...r.trade, p: r.trade.p + 1 } }))
    const oursB = tradeFrames(50, 2)
    await produceForeign(h.kafka, h.topic, foreignB)
    await produceFrames(h.kafka, h.topic, oursB)
    const after = 20 + oursB.flat().length
    // Under a unique key on (topic, partition, offset) these were "duplicates" and never stored.
    expect((await writeAll(h)).written).toBe(after)

    const expected = [...foreignA, ...foreignB].map((r) => tradeKey(r.trade))
    expected.push(...[...oursA, ...oursB].flat().map(tradeKey))
    const stored = await storedTradeKeys(h.db)
    expect(missingFrom(expected, stored)).toEqual([])
    expect(missingFrom(stored, expected)).toEqual([])
    expect(await counts(h)).toEqual({ rows: before + after, rolledUp: before + after })
    // The other producer's old and new trades share partition, offsets and stamps (the topic was
    // empty again), and differ only in price: all 40 are stored, 2 at each stamp.
    const shared = await h.db.pool.query<{ n: number; stamps: number }>(
      `SELECT count(*) AS n, count(DISTINCT traded_at) AS stamps FROM trades
       WHERE symbol = 'AMZN' AND price >= 181 AND kafka_partition = 0 AND traded_at >= $1 AND traded_at < $2`,
      [new Date(stamp0), new Date(stamp0 + 20)],
    )
    expect(shared.rows[0]).toEqual({ n: 40, stamps: 20 })
  })
})

describe('identical trades in one frame', () => {
  it('are distinct trades: every copy is stored, through Ingest, Kafka and the writer', async () => {
    h = await openHarness(2)
    const t = Date.now() - 5_000
    const same: FinnhubTrade = { s: 'AAPL', p: 171.46, t, v: 5, c: ['1'] }
    const other: FinnhubTrade = { ...same, v: 6 }
    const frame = JSON.stringify({ type: 'trade', data: [same, same, same, other] })
    const rejects: Reject[] = []
    const producer = new TradeProducer(h.kafka, { topic: h.topic, capacity: 1_000 })
    await producer.start()
    const ingest = new Ingest(
      producer,
      (r) => rejects.push(r),
      () => undefined,
    )
    // The same frame twice, too: Finnhub sends bursts of equal trades, and they are all trades.
    ingest.frame(frame, t + 100)
    ingest.frame(frame, t + 100)
    expect(await producer.flush(30_000)).toBe(true)
    await producer.stop()
    expect(rejects).toEqual([])

    expect((await writeAll(h)).written).toBe(8)
    const stored = await storedTradeKeys(h.db)
    const expected = [same, same, same, other, same, same, same, other].map(tradeKey)
    expect(missingFrom(expected, stored)).toEqual([])
    expect(missingFrom(stored, expected)).toEqual([])
    // Eight keys: the producer named each copy apart (<session>.<frame>.<index>, see trade-id.ts).
    const ids = await h.db.pool.query<{ n: number }>('SELECT count(DISTINCT trade_key) AS n FROM trades')
    expect(ids.rows[0]!.n).toBe(8)
    expect(await counts(h)).toEqual({ rows: 8, rolledUp: 8 })
  })
})
