import { describe, expect, it } from 'vitest'
import { exportQuery } from './csv'

const esc = (s: string): string => `'${s.replace(/'/g, "''")}'`

describe('exportQuery', () => {
  it('windows on traded_at and escapes symbols', () => {
    const q = exportQuery({ from: 1000, to: 2000, symbols: ['IC MARKETS:1', "O'BRIEN"] }, esc)
    expect(q).toContain('traded_at >= to_timestamp(1000 / 1000.0)')
    expect(q).toContain('traded_at < to_timestamp(2000 / 1000.0)')
    expect(q).toContain(`symbol IN ('IC MARKETS:1', 'O''BRIEN')`)
    expect(q).toMatch(/TO STDOUT WITH \(FORMAT csv, HEADER true\)$/)
  })

  it('refuses anything but integer ms epochs', () => {
    expect(() => exportQuery({ from: 1.5, to: 2 }, esc)).toThrow(/ms epochs/)
    expect(() => exportQuery({ from: Number('1; DROP TABLE trades'), to: 2 }, esc)).toThrow()
  })
})
