import { describe, expect, it } from 'vitest'
import { BoundedBuffer } from './trade-buffer'

describe('BoundedBuffer', () => {
  it('keeps order, counts what overflows, and reports the high-water mark', () => {
    const b = new BoundedBuffer<number>(5, 3)
    expect(b.push([1, 2])).toBe(true)
    expect(b.push([3, 4, 5, 6, 7])).toBe(false)
    expect(b.length).toBe(5)
    expect(b.dropped).toBe(2)
    expect(b.take(2)).toEqual([1, 2])
    expect(b.take(10)).toEqual([3, 4, 5])
    expect(b.length).toBe(0)
  })

  it('puts a failed batch back at the front, dropping what no longer fits', () => {
    const b = new BoundedBuffer<number>(4)
    b.push([1, 2, 3, 4])
    const sent = b.take(3)
    b.push([5, 6])
    b.unshift(sent)
    expect(b.take(10)).toEqual([1, 4, 5, 6])
    expect(b.dropped).toBe(2)
  })

  it('resolves drain() once the buffer falls below the high-water mark', async () => {
    const b = new BoundedBuffer<number>(10, 4)
    b.push([1, 2, 3, 4, 5])
    let drained = false
    const p = b.drain().then(() => (drained = true))
    await Promise.resolve()
    expect(drained).toBe(false)
    b.take(1)
    await Promise.resolve()
    expect(drained).toBe(false)
    b.take(1)
    await p
    expect(drained).toBe(true)
  })

  it('wakes a waiting taker when data arrives', async () => {
    const b = new BoundedBuffer<string>(3)
    const p = b.whenData()
    b.push(['x'])
    await p
    expect(b.take(1)).toEqual(['x'])
  })

  it('stays correct across compaction of a long-running buffer', () => {
    const b = new BoundedBuffer<number>(200_000)
    let next = 0
    let expected = 0
    let outOfOrder = 0
    for (let round = 0; round < 5; round++) {
      b.push(Array.from({ length: 100_000 }, () => next++))
      for (const x of b.take(100_000)) if (x !== expected++) outOfOrder++
    }
    expect(expected).toBe(500_000)
    expect(outOfOrder).toBe(0)
    expect(b.dropped).toBe(0)
  })
})
