import { describe, expect, it } from 'vitest'
import { TRADE_COLUMNS, tradeRecord, tradesCopyQuery } from './trades-csv'

const esc = (s: string): string => `'${s.replace(/'/g, "''")}'`

describe('the trades COPY', () => {
  it('windows on traded_at in exact milliseconds and escapes symbols', () => {
    const q = tradesCopyQuery({ from: 1000, to: 2001, symbols: ['IC MARKETS:1', "O'BRIEN"] }, esc)
    expect(q).toMatch(/^COPY \(SELECT .* FROM trades WHERE .* ORDER BY traded_at, trade_key\) TO STDOUT$/)
    expect(q).toContain(`traded_at >= timestamptz 'epoch' + 1000 * interval '1 millisecond'`)
    expect(q).toContain(`traded_at < timestamptz 'epoch' + 2001 * interval '1 millisecond'`)
    expect(q).toContain(`symbol IN ('IC MARKETS:1', 'O''BRIEN')`)
    expect(q).toContain(`to_char(written_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)
  })

  it('takes every symbol without a list', () => {
    expect(tradesCopyQuery({ from: 0, to: 1, symbols: [] }, esc)).not.toContain('symbol IN')
  })

  it('refuses anything but integer ms epochs, since COPY cannot take parameters', () => {
    expect(() => tradesCopyQuery({ from: 1.5, to: 2 }, esc)).toThrow(/ms epochs/)
    expect(() => tradesCopyQuery({ from: Number('1; DROP TABLE trades'), to: 2 }, esc)).toThrow()
  })

  it('types price and volume as numbers and keeps the text columns as text', () => {
    const stamp = '2024-05-01T12:00:00.000Z'
    const rec = tradeRecord(['=X', '-1.5', '0', null, stamp, stamp, stamp, stamp])
    expect(rec).toEqual(['=X', -1.5, 0, null, stamp, stamp, stamp, stamp])
    expect(rec).toHaveLength(TRADE_COLUMNS.length)
  })
})
