import { describe, expect, it } from 'vitest'
import type { Alert } from '../../shared/status'
import { AlertBook } from './alert-book'
import { CONDITION_RULES, type AlertCondition } from './rules'

const silent = (symbol: string, secs = 40): AlertCondition => ({
  rule: 'silent_symbol',
  subject: symbol,
  level: 'warn',
  message: `${symbol}: no trades for ${secs} s (window 30 s)`,
})
const drops: AlertCondition = { rule: 'drops', level: 'error', message: 'Dropped 3 trades' }

function recording(book: AlertBook): Alert[] {
  const seen: Alert[] = []
  book.onChange((a) => seen.push(a))
  return seen
}

describe('AlertBook', () => {
  it('raises a new condition once, with its rule:subject id', () => {
    const book = new AlertBook()
    const seen = recording(book)
    book.apply([silent('AAPL'), drops], CONDITION_RULES, 1000)
    book.apply([silent('AAPL'), drops], CONDITION_RULES, 2000)
    expect(seen).toEqual([
      {
        id: 'silent_symbol:AAPL',
        rule: 'silent_symbol',
        level: 'warn',
        message: silent('AAPL').message,
        at: 1000,
        clearedAt: null,
      },
      { id: 'drops', rule: 'drops', level: 'error', message: 'Dropped 3 trades', at: 1000, clearedAt: null },
    ])
    expect(book.list().map((a) => a.id)).toEqual(['silent_symbol:AAPL', 'drops'])
  })

  it('updates a changed message under the same id and raise time', () => {
    const book = new AlertBook()
    const seen = recording(book)
    book.apply([silent('AAPL', 40)], ['silent_symbol'], 1000)
    book.apply([silent('AAPL', 50)], ['silent_symbol'], 11_000)
    expect(seen).toHaveLength(2)
    expect(seen[1]).toEqual({ ...seen[0], message: silent('AAPL', 50).message })
    expect(book.list()).toEqual([seen[1]])
  })

  it('clears absent conditions of the given rules only, and keeps them in the history', () => {
    const book = new AlertBook()
    const seen = recording(book)
    book.apply([silent('AAPL'), silent('AMZN'), drops], CONDITION_RULES, 1000)
    // drops is evaluated elsewhere: a silent_symbol-only pass must not clear it.
    book.apply([silent('AMZN')], ['silent_symbol'], 5000)
    expect(seen.slice(3)).toEqual([
      expect.objectContaining({ id: 'silent_symbol:AAPL', at: 1000, clearedAt: 5000 }),
    ])
    book.apply([], ['drops'], 6000)
    expect(book.list().map((a) => [a.id, a.clearedAt])).toEqual([
      ['silent_symbol:AMZN', null],
      ['drops', 6000],
      ['silent_symbol:AAPL', 5000],
    ])
  })

  it('ignores conditions of rules it was not asked about', () => {
    const book = new AlertBook()
    expect(book.apply([drops], ['feed'], 1000)).toEqual([])
    expect(book.list()).toEqual([])
  })

  it('raises a condition again after it cleared', () => {
    const book = new AlertBook()
    book.apply([drops], ['drops'], 1000)
    book.apply([], ['drops'], 2000)
    const again = book.apply([drops], ['drops'], 3000)
    expect(again).toEqual([expect.objectContaining({ id: 'drops', at: 3000, clearedAt: null })])
  })

  it('adds notices with unique ids that never clear', () => {
    const book = new AlertBook()
    const seen = recording(book)
    const a = book.notice('error', 'cannot reach Kafka', 1000)
    const b = book.notice('warn', 'recording stopped', 1000)
    expect(a).toMatchObject({
      rule: 'notice',
      level: 'error',
      message: 'cannot reach Kafka',
      at: 1000,
      clearedAt: null,
    })
    expect(a.id).not.toBe(b.id)
    expect(seen).toEqual([a, b])
    book.apply([], CONDITION_RULES, 2000)
    expect(book.list()).toEqual([b, a])
  })

  it('bounds the history and lists active alerts first, newest first', () => {
    const book = new AlertBook(3)
    for (let i = 0; i < 5; i++) book.notice('info', `n${i}`, i)
    book.apply([silent('AAPL')], ['silent_symbol'], 10)
    book.apply([silent('AAPL'), drops], CONDITION_RULES, 20)
    expect(book.list().map((a) => a.message)).toEqual([
      'Dropped 3 trades',
      silent('AAPL').message,
      'n4',
      'n3',
      'n2',
    ])
  })

  it('keeps a throwing listener from breaking the book or the other listeners', () => {
    const book = new AlertBook()
    book.onChange(() => {
      throw new Error('closed socket')
    })
    const seen = recording(book)
    expect(() => book.apply([drops], ['drops'], 1000)).not.toThrow()
    expect(seen).toHaveLength(1)
    const off = book.onChange(() => seen.push(seen[0] as Alert))
    off()
    book.notice('info', 'x', 2000)
    expect(seen).toHaveLength(2)
  })
})
