import { describe, expect, it } from 'vitest'
import type { FinnhubTrade, Reject } from '../../shared/trade'
import { Ingest } from './ingest'

function setup(accept = true) {
  const enqueued: { trades: readonly FinnhubTrade[]; at: number }[] = []
  const rejects: Reject[] = []
  const errors: string[] = []
  const producer = {
    enqueue: (trades: readonly FinnhubTrade[], at: number) => {
      enqueued.push({ trades, at })
      return accept
    },
    drain: () => Promise.resolve(),
  }
  const ingest = new Ingest(
    producer,
    (r) => rejects.push(r),
    (m) => errors.push(m),
  )
  return { ingest, enqueued, rejects, errors }
}

const trade = { s: 'AAPL', p: 171.46, t: 1700000000000, v: 10, c: ['1'] }

describe('Ingest', () => {
  it('sends every valid trade of a frame, identical ones included, with the receive time', () => {
    const { ingest, enqueued, rejects } = setup()
    ingest.frame(
      JSON.stringify({ type: 'trade', data: [trade, trade, { ...trade, p: 171.47 }] }),
      1700000000999,
    )
    expect(enqueued).toHaveLength(1)
    expect(enqueued[0]!.trades).toHaveLength(3)
    expect(enqueued[0]!.at).toBe(1700000000999)
    expect(rejects).toHaveLength(0)
    expect(ingest.counters).toMatchObject({ frames: 1, trades: 3, rejected: 0 })
  })

  it('stores malformed frames and bad items as source rejects and keeps the good items', () => {
    const { ingest, enqueued, rejects } = setup()
    ingest.frame('{not json', 5)
    ingest.frame('{"type":"news","data":[]}', 6)
    ingest.frame(JSON.stringify({ type: 'trade', data: [trade, { ...trade, p: 'x' }] }), 7)
    expect(enqueued.map((e) => e.trades.length)).toEqual([1])
    expect(rejects.map((r) => r.raw)).toEqual([
      '{not json',
      '{"type":"news","data":[]}',
      JSON.stringify({ ...trade, p: 'x' }),
    ])
    expect(rejects.every((r) => r.stage === 'source' && r.reason.length > 0)).toBe(true)
    expect(ingest.counters.rejected).toBe(3)
  })

  it('turns Finnhub error frames into feed errors and counts pings', () => {
    const { ingest, errors, enqueued } = setup()
    ingest.frame('{"type":"ping"}', 1)
    ingest.frame('{"type":"error","msg":"Subscribing to too many symbols"}', 2)
    expect(errors).toEqual(['Subscribing to too many symbols'])
    expect(enqueued).toHaveLength(0)
    expect(ingest.counters.pings).toBe(1)
  })

  it("passes the producer's backpressure signal on to the source", () => {
    const { ingest } = setup(false)
    expect(ingest.frame(JSON.stringify({ type: 'trade', data: [trade] }), 1)).toBe(false)
    expect(ingest.frame('{"type":"ping"}', 1)).toBe(true)
  })
})
