import { describe, expect, it } from 'vitest'
import { parseFrame } from './frame-parser'

const T = 1_714_000_000_123
const trade = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  s: 'AAPL',
  p: 171.46,
  t: T,
  v: 100,
  c: ['1', '12'],
  ...over,
})
const tradeFrame = (data: unknown): string => JSON.stringify({ type: 'trade', data })

function expectReject(raw: string, reason: RegExp): void {
  const parsed = parseFrame(raw)
  expect(parsed.type).toBe('reject')
  if (parsed.type === 'reject') expect(parsed.reason).toMatch(reason)
}

function expectOneItemReject(item: unknown, reason: RegExp): void {
  const parsed = parseFrame(tradeFrame([item]))
  if (parsed.type !== 'trades') throw new Error(`expected trades, got ${parsed.type}`)
  expect(parsed.trades).toEqual([])
  expect(parsed.rejects).toHaveLength(1)
  expect(parsed.rejects[0]?.raw).toBe(JSON.stringify(item))
  expect(parsed.rejects[0]?.reason).toMatch(reason)
}

describe('parseFrame: good frames', () => {
  it('parses a trade frame', () => {
    const parsed = parseFrame(
      tradeFrame([trade(), trade({ s: 'BINANCE:BTCUSDT', p: 60000.5, v: 0.0001, c: null })]),
    )
    expect(parsed).toEqual({
      type: 'trades',
      trades: [trade(), { s: 'BINANCE:BTCUSDT', p: 60000.5, t: T, v: 0.0001, c: null }],
      rejects: [],
    })
  })

  it('keeps identical trades in one frame', () => {
    const parsed = parseFrame(tradeFrame([trade(), trade(), trade()]))
    expect(parsed.type === 'trades' && parsed.trades).toHaveLength(3)
  })

  it('accepts volume 0, a missing c, symbols with colons and spaces, and ignores extra fields', () => {
    const parsed = parseFrame(tradeFrame([{ s: 'IC MARKETS:1', p: 1.08512, t: T, v: 0, x: 'extra' }]))
    expect(parsed).toEqual({
      type: 'trades',
      trades: [{ s: 'IC MARKETS:1', p: 1.08512, t: T, v: 0 }],
      rejects: [],
    })
  })

  it('accepts an empty data array', () => {
    expect(parseFrame(tradeFrame([]))).toEqual({ type: 'trades', trades: [], rejects: [] })
  })

  it('parses ping and error frames', () => {
    expect(parseFrame('{"type":"ping"}')).toEqual({ type: 'ping' })
    expect(parseFrame(' {"type":"ping","extra":1}\n')).toEqual({ type: 'ping' })
    expect(parseFrame('{"type":"error","msg":"Subscribing to too many symbols"}')).toEqual({
      type: 'error',
      msg: 'Subscribing to too many symbols',
    })
  })

  it('keeps an error frame without msg as an error that shows its raw text', () => {
    const parsed = parseFrame('{"type":"error","code":7}')
    expect(parsed.type).toBe('error')
    if (parsed.type === 'error') expect(parsed.msg).toContain('"code":7')
  })
})

describe('parseFrame: per-item rejects', () => {
  it('splits 5 good trades and 1 bad one into 5 trades and 1 reject, in order', () => {
    const items = [
      trade({ v: 1 }),
      trade({ v: 2 }),
      trade({ p: 'x' }),
      trade({ v: 3 }),
      trade({ v: 4 }),
      trade({ v: 5 }),
    ]
    const parsed = parseFrame(tradeFrame(items))
    if (parsed.type !== 'trades') throw new Error('expected trades')
    expect(parsed.trades.map((t) => t.v)).toEqual([1, 2, 3, 4, 5])
    expect(parsed.rejects).toEqual([
      { raw: JSON.stringify(items[2]), reason: expect.stringMatching(/^trade 2: p: /) },
    ])
  })

  it.each([
    ['price as a string', trade({ p: '171.46' }), /p: .*expected number/],
    ['negative price', trade({ p: -1 }), /p: /],
    ['missing price', { s: 'AAPL', t: T, v: 1 }, /p: /],
    ['missing symbol', { p: 1, t: T, v: 1 }, /s: /],
    ['empty symbol', trade({ s: '' }), /s: symbol must be/],
    ['symbol with a trailing space', trade({ s: 'AAPL ' }), /s: symbol must be/],
    ['symbol with a newline', trade({ s: 'AA\nPL' }), /s: symbol must be/],
    ['numeric symbol', trade({ s: 42 }), /s: /],
    ['time in seconds', trade({ t: 1_714_000_000 }), /t: t must be a millisecond epoch/],
    ['fractional time', trade({ t: T + 0.5 }), /t: /],
    ['time as an ISO string', trade({ t: '2024-04-25T00:00:00Z' }), /t: /],
    ['negative volume', trade({ v: -0.5 }), /v: /],
    ['null volume', trade({ v: null }), /v: /],
    ['conditions not an array', trade({ c: '1' }), /c: /],
    ['conditions holding numbers', trade({ c: [1, 12] }), /c\.0: /],
    ['null item', null, /expected object/],
    ['number item', 5, /expected object/],
    ['array item', [1, 2], /expected object/],
    ['string item', 'AAPL', /expected object/],
  ])('rejects an item with %s', (_name, item, reason) => {
    expectOneItemReject(item, reason)
  })

  it('reports every failing field of an item', () => {
    const parsed = parseFrame(tradeFrame([{ s: 'AAPL', p: 'x', t: 5, v: -1 }]))
    if (parsed.type !== 'trades') throw new Error('expected trades')
    expect(parsed.rejects[0]?.reason).toMatch(/p: .*; t: .*; v: /)
  })

  it('keeps reasons short for huge items', () => {
    const parsed = parseFrame(tradeFrame([trade({ s: 'A'.repeat(100_000) })]))
    if (parsed.type !== 'trades') throw new Error('expected trades')
    expect(parsed.rejects[0]?.reason.length).toBeLessThanOrEqual(300)
    expect(parsed.rejects[0]?.raw.length).toBeGreaterThan(100_000)
  })
})

describe('parseFrame: whole-frame rejects', () => {
  it.each([
    ['empty string', '', /empty frame/],
    ['whitespace', '  \n', /empty frame/],
    ['truncated JSON', '{"type":"trade","data":[{"s":"AAPL"', /not JSON/],
    ['plain text', 'hello', /not JSON/],
    ['single quotes', "{'type':'ping'}", /not JSON/],
    ['trailing garbage', '{"type":"ping"}x', /not JSON/],
    ['JSON null', 'null', /frame is null, not a JSON object/],
    ['JSON number', '42', /frame is number 42/],
    ['JSON string', '"ping"', /frame is string/],
    ['JSON array', '[{"type":"ping"}]', /frame is an array/],
    ['no type', '{"data":[]}', /frame has no type/],
    ['unknown type', '{"type":"news","data":[]}', /unknown frame type "news"/],
    ['type in other case', '{"type":"Trade","data":[]}', /unknown frame type "Trade"/],
    ['numeric type', '{"type":1}', /unknown frame type 1/],
    ['trade without data', '{"type":"trade"}', /trade frame has no data/],
    ['trade data null', '{"type":"trade","data":null}', /data is null, not an array/],
    ['trade data object', '{"type":"trade","data":{"s":"AAPL"}}', /data is an object, not an array/],
    ['trade data string', '{"type":"trade","data":"[]"}', /data is string/],
  ])('rejects %s', (_name, raw, reason) => {
    expectReject(raw, reason)
  })

  it('never throws on arbitrary input and keeps reasons short', () => {
    const inputs = [
      '{',
      '}',
      '[',
      '\u0000',
      '{"type":"trade","data":[' + '1,'.repeat(10_000) + '1]}',
      'x'.repeat(1e5),
    ]
    for (const raw of inputs) {
      const parsed = parseFrame(raw)
      if (parsed.type === 'reject') expect(parsed.reason.length).toBeLessThanOrEqual(300)
      else expect(parsed.type).toBe('trades')
    }
  })
})
