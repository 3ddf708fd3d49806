import { describe, expect, it } from 'vitest'
import { parseFrame } from './frame-parser'
import { MALFORMED_FRAMES, sampleFrames } from './sample-frames'

describe('sampleFrames', () => {
  it('yields exactly the asked trades, pings and malformed frames, deterministically', () => {
    const frames = [...sampleFrames({ trades: 1_000, pingEvery: 10, malformedEvery: 7, seed: 3 })]
    expect(frames).toEqual([...sampleFrames({ trades: 1_000, pingEvery: 10, malformedEvery: 7, seed: 3 })])
    let trades = 0
    let pings = 0
    let rejects = 0
    for (const f of frames) {
      const parsed = parseFrame(f.raw)
      if (parsed.type === 'trades') {
        trades += parsed.trades.length
        expect(parsed.rejects).toEqual([])
      } else if (parsed.type === 'ping') pings++
      else if (parsed.type === 'reject') rejects++
    }
    const tradeFrames = frames.length - pings - rejects
    expect(trades).toBe(1_000)
    expect(pings).toBe(Math.floor(tradeFrames / 10))
    expect(rejects).toBe(Math.floor(tradeFrames / 7))
    expect(frames.filter((f) => MALFORMED_FRAMES.includes(f.raw))).toHaveLength(rejects)
  })

  it('paces receivedAt at the asked rate', () => {
    const frames = [...sampleFrames({ trades: 10_000, tradesPerSecond: 1_000, startAt: 0 })]
    const last = frames[frames.length - 1]?.receivedAt ?? 0
    expect(last).toBeGreaterThan(9_900)
    expect(last).toBeLessThan(10_100)
    for (let i = 1; i < frames.length; i++) {
      expect(frames[i]?.receivedAt).toBeGreaterThanOrEqual(frames[i - 1]?.receivedAt ?? 0)
    }
  })
})
