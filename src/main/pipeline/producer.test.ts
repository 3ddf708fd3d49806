import type { Kafka, Message, ProducerRecord } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import type { FinnhubTrade } from '../../shared/trade'
import { TradeProducer } from './producer'

/** A Kafka whose producer hands every send to `send`: no broker, just what TradeProducer sends. */
function fakeKafka(send: (r: ProducerRecord) => Promise<void>): Kafka {
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    send: async (r: ProducerRecord) => {
      await send(r)
      return []
    },
  }
  return { producer: () => producer } as unknown as Kafka
}

const idOf = (m: Message): string => (JSON.parse(String(m.value)) as { tf_id: string }).tf_id
const trade: FinnhubTrade = { s: 'AAPL', p: 171.46, t: 1700000000000, v: 10, c: null }

describe('TradeProducer ids', () => {
  it('gives each trade of a frame its own id, identical trades included, in frame order', async () => {
    const sent: Message[] = []
    const p = new TradeProducer(
      fakeKafka(async (r) => void sent.push(...r.messages)),
      { topic: 't', capacity: 100, idSession: 'sess' },
    )
    await p.start()
    p.enqueue([trade, trade, trade], 1700000000999)
    p.enqueue([trade], 1700000001000)
    expect(await p.flush(5_000)).toBe(true)
    await p.stop()
    expect(sent.map(idOf)).toEqual([
      'sess.00000001.0',
      'sess.00000001.1',
      'sess.00000001.2',
      'sess.00000002.0',
    ])
  })

  it('resends a batch whose ack was lost with the ids it had, so the writer stores it once', async () => {
    const attempts: string[][] = []
    const p = new TradeProducer(
      fakeKafka(async (r) => {
        attempts.push(r.messages.map(idOf))
        // The broker stored the records, but the ack never came: the first send fails.
        if (attempts.length === 1) throw new Error('Request Produce(key: 0, version: 7) timed out')
      }),
      { topic: 't', capacity: 100, retryDelayMs: 1, idSession: 'sess' },
    )
    await p.start()
    p.enqueue([trade, { ...trade, p: 171.47 }], 1700000000999)
    expect(await p.flush(5_000)).toBe(true)
    await p.stop()
    expect(attempts).toHaveLength(2)
    expect(attempts[1]).toEqual(attempts[0])
    expect(attempts[0]).toEqual(['sess.00000001.0', 'sess.00000001.1'])
    expect(p.stats()).toMatchObject({ produced: 2, sendErrors: 1, dropped: 0 })
  })

  it('draws a new session per producer: a restarted process never reuses an id', async () => {
    const sent: Message[] = []
    for (let run = 0; run < 2; run++) {
      const p = new TradeProducer(
        fakeKafka(async (r) => void sent.push(...r.messages)),
        { topic: 't', capacity: 100 },
      )
      await p.start()
      p.enqueue([trade], 1700000000999)
      await p.flush(5_000)
      await p.stop()
    }
    const [a, b] = sent.map(idOf)
    expect(a).toMatch(/^[A-Za-z0-9_-]{11}\.00000001\.0$/)
    expect(b).toMatch(/^[A-Za-z0-9_-]{11}\.00000001\.0$/)
    expect(a).not.toBe(b)
  })
})
