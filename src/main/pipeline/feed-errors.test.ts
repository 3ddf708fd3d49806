import { describe, expect, it } from 'vitest'
import { addFeedError, FEED_ERRORS_KEPT, feedErrorOf } from './feed-errors'

describe('Finnhub error frames', () => {
  it('names the symbol of an invalid-symbol message, spaces and colons included', () => {
    expect(feedErrorOf('Invalid symbol NOPE', 5)).toEqual({
      symbol: 'NOPE',
      message: 'Invalid symbol NOPE',
      at: 5,
    })
    expect(feedErrorOf('Invalid symbol IC MARKETS:9 ', 6).symbol).toBe('IC MARKETS:9')
  })

  it('keeps other messages for the whole feed', () => {
    expect(feedErrorOf('Subscribing to too many symbols', 7)).toEqual({
      symbol: null,
      message: 'Subscribing to too many symbols',
      at: 7,
    })
  })

  it('keeps the newest few and folds an immediate repeat', () => {
    let list = [feedErrorOf('Invalid symbol A', 1)]
    list = addFeedError(list, feedErrorOf('Invalid symbol A', 2))
    expect(list).toEqual([{ symbol: 'A', message: 'Invalid symbol A', at: 2 }])
    for (let i = 0; i < FEED_ERRORS_KEPT + 5; i++)
      list = addFeedError(list, feedErrorOf(`Invalid symbol S${i}`, i))
    expect(list).toHaveLength(FEED_ERRORS_KEPT)
    expect(list[list.length - 1]!.symbol).toBe(`S${FEED_ERRORS_KEPT + 4}`)
  })
})
