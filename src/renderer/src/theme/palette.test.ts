import { describe, expect, it } from 'vitest'
import { DEFAULT_SYMBOLS } from '@shared/symbols'
import { colorFor, PALETTE, preferredSlot } from './palette'

describe('colorFor', () => {
  it('is stable: the same list gives the same colours on every call', () => {
    const a = colorFor(DEFAULT_SYMBOLS)
    const b = colorFor([...DEFAULT_SYMBOLS])
    for (const s of DEFAULT_SYMBOLS) {
      expect(a(s)).toBe(b(s))
      expect(a(s)).toBe(a(s))
    }
  })

  it('gives the four default symbols four different palette colours', () => {
    const color = colorFor(DEFAULT_SYMBOLS)
    const colors = DEFAULT_SYMBOLS.map(color)
    expect(new Set(colors).size).toBe(4)
    for (const c of colors) expect(PALETTE).toContain(c)
    expect(colors).toEqual(['#5794f2', '#56a64b', '#ff9830', '#b877d9'])
  })

  it('keeps earlier colours when a symbol is appended', () => {
    const before = colorFor(DEFAULT_SYMBOLS)
    const after = colorFor([...DEFAULT_SYMBOLS, 'OANDA:EUR_USD', 'BRK.B'])
    for (const s of DEFAULT_SYMBOLS) expect(after(s)).toBe(before(s))
  })

  it('probes past a taken slot on a hash collision', () => {
    const first = 'AAPL'
    // find another symbol hashing to AAPL's slot
    let other = ''
    for (let i = 0; !other; i++) if (preferredSlot(`S${i}`) === preferredSlot(first)) other = `S${i}`
    const color = colorFor([first, other])
    expect(color(first)).toBe(PALETTE[preferredSlot(first)])
    expect(color(other)).toBe(PALETTE[(preferredSlot(first) + 1) % PALETTE.length])
  })

  it('keeps all colours distinct for up to ten symbols, then reuses evenly', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `SYM${i}`)
    expect(new Set(ten.map(colorFor(ten))).size).toBe(10)
    const twenty = Array.from({ length: 20 }, (_, i) => `SYM${i}`)
    const counts = new Map<string, number>()
    for (const c of twenty.map(colorFor(twenty))) counts.set(c, (counts.get(c) ?? 0) + 1)
    expect([...counts.values()].every((n) => n === 2)).toBe(true)
  })

  it('colours an unlisted symbol by its hash', () => {
    expect(colorFor([])('AAPL')).toBe(PALETTE[preferredSlot('AAPL')])
  })
})
