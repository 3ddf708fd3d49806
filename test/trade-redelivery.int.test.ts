import type { Kafka, Producer, ProducerConfig, ProducerRecord } from 'kafkajs'
import { afterEach, describe, expect, it } from 'vitest'
import { NO_MISMATCHES, rollupMismatches } from './helpers/rollup-checks'
import { TradeProducer } from '../src/main/pipeline/producer'
import { missingFrom, openHarness, storedTradeKeys, tradeKey, type Harness } from './helpers/harness'
import { counts, produceForeign, produceFrames, recordsIn, tradeFrames, writeAll } from './helpers/identity'

// Issue 8: a producer retry and a redelivery store nothing twice. A recreated topic and identical
// trades in one frame: trade-identity.int.test.ts.

let h: Harness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

/**
 * A Kafka whose producer loses every other ack: the broker stores the records, and send() fails
 * as on an ack timeout. TradeProducer then sends the same records again, which Kafka stores again
 * under new offsets. Counts every record that reached the broker.
 */
function lossyAcks(kafka: Kafka): { kafka: Kafka; stored: () => number } {
  let sends = 0
  let stored = 0
  const producer = (config?: ProducerConfig): Producer => {
    const real = kafka.producer(config)
    const send = real.send.bind(real)
    real.send = async (r: ProducerRecord) => {
      const res = await send(r)
      stored += r.messages.length
      if (++sends % 2 === 1) throw new Error('Request Produce timed out (simulated lost ack)')
      return res
    }
    return real
  }
  return { kafka: { producer } as unknown as Kafka, stored: () => stored }
}

describe('a producer retry after a lost ack', () => {
  it('stores every trade once although Kafka holds some twice, and counts them once in the rollups', async () => {
    h = await openHarness(3)
    const lossy = lossyAcks(h.kafka)
    const producer = new TradeProducer(lossy.kafka, {
      topic: h.topic,
      capacity: 10_000,
      maxBatch: 40,
      retryDelayMs: 10,
    })
    await producer.start()
    const frames = tradeFrames(120, 3)
    for (const f of frames) producer.enqueue(f, Date.now())
    expect(await producer.flush(60_000)).toBe(true)
    await producer.stop()
    const trades = frames.flat()
    expect(producer.stats()).toMatchObject({ produced: trades.length, dropped: 0 })
    expect(producer.stats().sendErrors).toBeGreaterThan(0)
    // The retries really put records into Kafka twice, under new offsets (and kafkajs's own
    // retries of a fresh topic's "not the leader" may add more).
    const records = await recordsIn(h.kafka, h.topic)
    expect(lossy.stored()).toBeGreaterThan(trades.length)
    expect(records).toBeGreaterThanOrEqual(lossy.stored())

    const st = await writeAll(h)
    expect(st).toMatchObject({ written: trades.length, duplicates: records - trades.length })
    const stored = await storedTradeKeys(h.db)
    const expected = trades.map(tradeKey)
    expect(missingFrom(expected, stored)).toEqual([])
    expect(missingFrom(stored, expected)).toEqual([])
    expect(await counts(h)).toEqual({ rows: trades.length, rolledUp: trades.length })
    expect(await rollupMismatches(h.db.pool)).toEqual(NO_MISMATCHES)
  })
})

describe('a redelivery', () => {
  it('of every record, ours and another producer’s, adds no row and changes no rollup', async () => {
    h = await openHarness(3)
    const stamp0 = Date.now() - 20_000
    const foreign = Array.from({ length: 30 }, (_, i) => ({
      trade: { s: i % 2 ? 'OANDA:EUR_USD' : 'AAPL', p: 1.07 + i / 1000, t: stamp0 + i * 3, v: 0, c: null },
      stamp: stamp0 + i * 3 + 1,
      partition: i % 3,
    }))
    const frames = tradeFrames(80, 4)
    await produceForeign(h.kafka, h.topic, foreign)
    await produceFrames(h.kafka, h.topic, frames)
    const total = foreign.length + frames.flat().length
    expect((await writeAll(h)).written).toBe(total)
    const before = await counts(h)
    expect(before).toEqual({ rows: total, rolledUp: total })

    // Everything is written and committed; now the group reads it all again from offset 0.
    const admin = h.kafka.admin()
    await admin.connect()
    try {
      await admin.resetOffsets({ groupId: h.groupId, topic: h.topic, earliest: true })
    } finally {
      await admin.disconnect()
    }
    const records = await recordsIn(h.kafka, h.topic)
    expect(await writeAll(h)).toMatchObject({ consumed: records, written: 0, duplicates: records })

    expect(await counts(h)).toEqual(before)
    expect(await rollupMismatches(h.db.pool)).toEqual(NO_MISMATCHES)
    // Both kinds of identity were in play: ours (tf_id) and another producer's (sql/007), each once.
    const expected = [...foreign.map((r) => tradeKey(r.trade)), ...frames.flat().map(tradeKey)]
    const stored = await storedTradeKeys(h.db)
    expect(missingFrom(expected, stored)).toEqual([])
    expect(missingFrom(stored, expected)).toEqual([])
  })
})
