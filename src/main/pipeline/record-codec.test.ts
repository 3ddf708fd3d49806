import { describe, expect, it } from 'vitest'
import { decodeRecord, encodeTrade } from './record-codec'

const msg = (value: string | null, timestamp = '1700000000500', offset = '7') => ({
  value: value === null ? null : Buffer.from(value),
  timestamp,
  offset,
})

describe('record codec', () => {
  it('round-trips a trade with Finnhub field names, its id as tf_id and the receive time as stamp', () => {
    const m = encodeTrade(
      { s: 'IC MARKETS:1', p: 1.0712, t: 1700000000123, v: 0, c: ['1', '12'] },
      1700000000456,
      'sess.00000001.3',
    )
    expect(m.key).toBe('IC MARKETS:1')
    expect(JSON.parse(String(m.value))).toEqual({
      s: 'IC MARKETS:1',
      p: 1.0712,
      t: 1700000000123,
      v: 0,
      c: ['1', '12'],
      tf_id: 'sess.00000001.3',
    })
    expect(m.timestamp).toBe('1700000000456')
    expect(m.headers).toBeUndefined()
    const d = decodeRecord('trades', 2, msg(String(m.value), String(m.timestamp)), 1700000000999)
    expect(d).toEqual({
      ok: true,
      row: {
        tradeId: 'sess.00000001.3',
        recordStamp: 1700000000456,
        symbol: 'IC MARKETS:1',
        price: 1.0712,
        volume: 0,
        conditions: ['1', '12'],
        tradedAt: 1700000000123,
        receivedAt: 1700000000456,
        consumedAt: 1700000000999,
        topic: 'trades',
        partition: 2,
        offset: '7',
      },
    })
  })

  it('encodes a trade without an id as plain Finnhub fields, and decodes it with tradeId null', () => {
    const m = encodeTrade({ s: 'AAPL', p: 171.46, t: 1700000000123, v: 5 }, 1700000000456)
    expect(String(m.value)).toBe('{"s":"AAPL","p":171.46,"t":1700000000123,"v":5,"c":null}')
    const d = decodeRecord('trades', 0, msg(String(m.value), String(m.timestamp), '9'), 1700000000999)
    expect(d.ok && d.row).toMatchObject({ tradeId: null, recordStamp: 1700000000456, offset: '9' })
  })

  it('takes a malformed tf_id as none: the record is named by its coordinates instead', () => {
    for (const bad of ['42', '""', '"kafka/x"', '"a b"', '{"x":1}']) {
      const d = decodeRecord('t', 0, msg(`{"s":"AAPL","p":1,"t":1700000000000,"v":1,"tf_id":${bad}}`), 1)
      expect(d.ok && d.row.tradeId).toBeNull()
    }
  })

  it('keeps a record stamp PostgreSQL can hold, else -1', () => {
    const value = '{"s":"A","p":1,"t":1700000000000,"v":1}'
    const stampOf = (ts: string): number | false => {
      const d = decodeRecord('t', 0, msg(value, ts), 1700000009999)
      return d.ok && d.row.recordStamp
    }
    expect(stampOf('0')).toBe(0)
    expect(stampOf('-1')).toBe(-1)
    expect(stampOf('99999999999999999999')).toBe(-1)
    expect(stampOf('x')).toBe(-1)
  })

  it('accepts records from other producers: extra fields, no conditions', () => {
    const d = decodeRecord('t', 0, msg('{"s":"AAPL","p":171.46,"t":1700000000000,"v":5,"x":"extra"}'), 1)
    expect(d.ok && d.row.conditions).toBeNull()
    expect(d.ok && d.row.tradeId).toBeNull()
    expect(d.ok && d.row.symbol).toBe('AAPL')
  })

  it('falls back to the consume time when the record carries no timestamp', () => {
    const d = decodeRecord('t', 0, msg('{"s":"A","p":1,"t":1700000000000,"v":1}', '-1'), 1700000009999)
    expect(d.ok && d.row.receivedAt).toBe(1700000009999)
  })

  it.each([
    ['not json', 'value is not JSON'],
    ['{"s":"AAPL","p":"171","t":1700000000000,"v":1}', 'p'],
    ['{"s":"AAPL","p":171,"v":1}', 't'],
    ['{"s":"AAPL","p":171,"t":1700000000,"v":1}', 'millisecond'],
    ['{"s":"","p":171,"t":1700000000000,"v":1}', 's'],
    ['{"s":"AAPL","p":171,"t":1700000000000,"v":-1}', 'v'],
    ['{"s":"AAPL","p":171,"t":99999999999999,"v":1}', 'after 2100'],
    ['{"s":"AAPL","p":171,"t":1700000000000,"v":1,"c":["1\\u0000"]}', 'NUL'],
    // conditions are stored as one space-separated text (sql/013): a code must be one word
    ['{"s":"AAPL","p":171,"t":1700000000000,"v":1,"c":["1 2"]}', 'one word'],
    ['{"s":"AAPL","p":171,"t":1700000000000,"v":1,"c":["12",""]}', 'one word'],
  ])('rejects %s with a reason and its Kafka coordinates', (value, reasonPart) => {
    const d = decodeRecord('trades', 1, msg(value, '1', '42'), 5)
    expect(d.ok).toBe(false)
    if (d.ok) return
    expect(d.reject.raw).toBe(value)
    expect(d.reject.reason).toContain(reasonPart)
    expect(d.reject.kafka).toEqual({ topic: 'trades', partition: 1, offset: '42' })
    expect(d.reject.stage).toBe('consumer')
  })

  it('rejects a tombstone', () => {
    const d = decodeRecord('trades', 0, msg(null), 5)
    expect(d.ok).toBe(false)
  })
})
