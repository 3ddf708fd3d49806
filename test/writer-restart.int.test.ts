import { afterEach, describe, expect, inject, it } from 'vitest'
import { ConsumerThread } from '../src/main/pipeline/consumer/consumer-thread'
import type { Notice } from '../src/main/pipeline/pipeline'
import { TradeProducer } from '../src/main/pipeline/producer'
import { sampleFrames } from '../src/main/pipeline/sources/sample-frames'
import type { FinnhubTrade } from '../src/shared/trade'
import { missingFrom, openHarness, storedTradeKeys, tradeKey, waitFor, type Harness } from './helpers/harness'

let h: Harness | null = null
let writer: ConsumerThread | null = null
afterEach(async () => {
  await writer?.stop()
  writer = null
  await h?.close()
  h = null
})

describe('a writer whose consumer fails', () => {
  // A stall is the one failure a test can bring about on a healthy broker: with stallMs at 1 ms, a
  // consumer waiting for its next fetch while fresh records wait counts as stalled. Its thread ends,
  // and ConsumerThread (the one restart layer) starts a new one, which resumes at the last commit.
  it('is restarted in a new thread, counted once, and loses or doubles no trade', async () => {
    h = await openHarness(1)
    const TOTAL = 20_000
    const frames = [...sampleFrames({ trades: TOTAL, seed: 5, tradesPerFrame: [1, 10] })]
    const trades = frames.flatMap((f) => (JSON.parse(f.raw) as { data: FinnhubTrade[] }).data)
    const producer = new TradeProducer(h.kafka, { topic: h.topic, capacity: TOTAL })
    await producer.start()
    // A steady trickle, so that records keep arriving while the writer waits between batches.
    const feeding = (async () => {
      for (const f of frames) {
        producer.enqueue((JSON.parse(f.raw) as { data: FinnhubTrade[] }).data, f.receivedAt)
        await new Promise((r) => setTimeout(r, 5))
      }
      expect(await producer.flush(60_000)).toBe(true)
      await producer.stop()
    })()

    const notices: Notice[] = []
    const harness = h
    writer = new ConsumerThread(
      {
        connection: { brokers: [inject('kafkaBrokers')], clientId: `${h.groupId}-writer` },
        database: { url: h.db.url, schema: h.db.schema },
        options: { topic: h.topic, groupId: h.groupId, concurrency: 1 },
        stallMs: 1,
      },
      { onNotice: (level, message) => notices.push({ level, message, at: Date.now() }) },
    )
    const w = writer
    expect(await w.start()).toBe(true)
    await waitFor(
      'a restart after a stall',
      () => ({ health: w.health(), notices: notices.map((n) => `${n.level}: ${n.message}`) }),
      (v) => v.health.restarts > 0,
      60_000,
    )
    expect(notices.map((n) => `${n.level}: ${n.message}`)).toContainEqual(
      expect.stringMatching(
        /^warn: Kafka consumer stalled: \d+ records wait and nothing was written for \d+ s; restarting it in \d+\.\d s \(restart 1\)$/,
      ),
    )
    await feeding
    await waitFor(
      'every trade stored',
      async () => ({ rows: (await storedTradeKeys(harness.db)).length, health: w.health() }),
      (v) => v.rows >= TOTAL,
      120_000,
    )
    await w.stop()
    // One count of restarts, and the counters of every thread kept.
    const { restarts } = w.health()
    expect(notices.filter((n) => /restarting it in/.test(n.message))).toHaveLength(restarts)
    expect(w.stats().written + w.stats().duplicates).toBeGreaterThanOrEqual(TOTAL)

    const stored = await storedTradeKeys(h.db)
    expect(stored).toHaveLength(TOTAL)
    expect(missingFrom(trades.map(tradeKey), stored)).toEqual([])
  })
})
