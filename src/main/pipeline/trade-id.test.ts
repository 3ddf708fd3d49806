import { describe, expect, it } from 'vitest'
import { TRADE_ID_FIELD, TradeIds, tradeIdOf } from './trade-id'

describe('TradeIds', () => {
  it('names the trades of a frame <session>.<frame>.<index>, the same for the same session and frame', () => {
    const a = new TradeIds('sess-1')
    const b = new TradeIds('sess-1')
    const first = a.nextFrame()
    expect(first).toBe('sess-1.00000001.')
    expect(b.nextFrame()).toBe(first)
    expect(a.nextFrame()).toBe('sess-1.00000002.')
    expect(b.nextFrame()).toBe('sess-1.00000002.')
  })

  it('gives identical trades of one frame distinct ids, and never repeats one across frames', () => {
    const ids = new TradeIds('s')
    const seen = new Set<string>()
    for (let f = 0; f < 50; f++) {
      const prefix = ids.nextFrame()
      for (let i = 0; i < 12; i++) seen.add(prefix + i)
    }
    expect(seen.size).toBe(50 * 12)
    for (const id of seen) expect(tradeIdOf({ [TRADE_ID_FIELD]: id })).toBe(id)
  })

  it('numbers frames in a fixed width, so a session’s ids ascend (the unique index grows at one end)', () => {
    const ids = new TradeIds('s')
    const prefixes = Array.from({ length: 2_000 }, () => ids.nextFrame())
    expect(prefixes[1_999]).toBe(`s.${(2_000).toString(36).padStart(8, '0')}.`)
    expect([...prefixes].sort()).toEqual(prefixes)
  })

  it('draws a random session per instance, usable in an id', () => {
    const a = new TradeIds()
    const b = new TradeIds()
    expect(a.session).toMatch(/^[A-Za-z0-9_-]{11}$/)
    expect(a.session).not.toBe(b.session)
    expect(a.nextFrame()).not.toBe(b.nextFrame())
  })

  it('refuses a session that would make ids it cannot read back', () => {
    expect(() => new TradeIds('a.b')).toThrow(/session/)
    expect(() => new TradeIds('')).toThrow(/session/)
  })
})

describe('tradeIdOf', () => {
  it('reads tf_id, and takes a missing or malformed one as none', () => {
    expect(TRADE_ID_FIELD).toBe('tf_id')
    expect(tradeIdOf({ s: 'AAPL', tf_id: 'abc.00000001.0' })).toBe('abc.00000001.0')
    expect(tradeIdOf({ s: 'AAPL', tf_id: '6f1c2d3e-aaaa-bbbb-cccc-0123456789ab' })).toBe(
      '6f1c2d3e-aaaa-bbbb-cccc-0123456789ab',
    )
    expect(tradeIdOf({ s: 'AAPL' })).toBeNull()
    expect(tradeIdOf({ tf_id: 42 })).toBeNull()
    expect(tradeIdOf({ tf_id: '' })).toBeNull()
    expect(tradeIdOf({ tf_id: 'x'.repeat(101) })).toBeNull()
    // '/' is kept for the ids PostgreSQL makes (sql/007); NUL and spaces are no ids either
    expect(tradeIdOf({ tf_id: 'kafka/0123' })).toBeNull()
    expect(tradeIdOf({ tf_id: 'sql/1' })).toBeNull()
    expect(tradeIdOf({ tf_id: 'a\u0000b' })).toBeNull()
    expect(tradeIdOf({ tf_id: 'a b' })).toBeNull()
  })
})
