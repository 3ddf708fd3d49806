import { describe, expect, it } from 'vitest'
import { ExportArgError, exportFileName, exportRequestFrom, parseTimeArg } from './export-args'

const T = Date.UTC(2024, 4, 1, 12, 0, 0)

describe('parseTimeArg', () => {
  it.each([
    ['1714564800000', T],
    ['2024-05-01T12:00:00Z', T],
    ['2024-05-01T12:00:00.123Z', T + 123],
    ['2024-05-01T12:00:00.1234567z', T + 123],
    ['2024-05-01T12:00Z', T],
    ['2024-05-01 12:00:00Z', T],
    ['2024-05-01T14:00:00+02:00', T],
    ['2024-05-01T14:00:00+0200', T],
    ['2024-05-01T07:00-05', T],
    ['2024-05-01', Date.UTC(2024, 4, 1)],
    [' 2024-05-01T12:00:00Z ', T],
  ])('reads %s', (text, ms) => {
    expect(parseTimeArg(text, '--from')).toBe(ms)
  })

  it.each([
    'yesterday',
    '2024-05-01T12:00:00',
    '2024-13-01',
    '2024-02-30',
    '2024-05-01T25:00Z',
    '',
    '1.5',
    '-5',
  ])('refuses %j with the argument named', (text) => {
    expect(() => parseTimeArg(text, '--from')).toThrow(ExportArgError)
    expect(() => parseTimeArg(text, '--from')).toThrow(/^--from: .* ISO-8601 time with a zone/)
  })

  it('refuses epochs beyond a safe integer', () => {
    expect(() => parseTimeArg('99999999999999999999', 'from')).toThrow(/too large/)
  })
})

describe('exportRequestFrom', () => {
  it('builds a validated request', () => {
    expect(
      exportRequestFrom({ table: 'trades', from: '0', to: '2024-05-01', symbols: ' AAPL, IC MARKETS:1 ,' }),
    ).toEqual({ table: 'trades', from: 0, to: Date.UTC(2024, 4, 1), symbols: ['AAPL', 'IC MARKETS:1'] })
  })

  it('names the argument that is wrong', () => {
    expect(() => exportRequestFrom({ table: 'trades', to: '5' }, '--')).toThrow('--from is required')
    expect(() => exportRequestFrom({ table: 'trades', from: '5', to: '5' }, '--')).toThrow(
      /end after it starts/,
    )
    expect(() => exportRequestFrom({ table: 'trades', from: '1', to: '5', symbols: 'A;B' }, '--')).toThrow(
      /^--symbols: symbol must be/,
    )
    expect(() => exportRequestFrom({ table: 'latency', from: '0', to: String(401 * 86_400_000) })).toThrow(
      /at most 400 days/,
    )
    expect(exportRequestFrom({ table: 'latency', from: '0', to: String(30 * 86_400_000) })).toMatchObject({
      table: 'latency',
    })
  })
})

describe('exportFileName', () => {
  it('says what and when, in plain ASCII', () => {
    expect(exportFileName({ from: T, to: T + 3_600_000 })).toBe(
      'tickflow-trades-20240501T120000Z-20240501T130000Z.csv',
    )
    expect(exportFileName({ table: 'data-loss', from: T + 5, to: T + 10 })).toBe(
      'tickflow-kpi-data-loss-20240501T120000.005Z-20240501T120000.010Z.csv',
    )
  })
})
