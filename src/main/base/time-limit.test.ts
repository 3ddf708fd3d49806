import { describe, expect, it } from 'vitest'
import { settlesWithin, Sleeper } from './time-limit'

describe('settlesWithin', () => {
  it('is true for work that resolves or rejects in time', async () => {
    expect(await settlesWithin(Promise.resolve(1), 1_000)).toBe(true)
    expect(await settlesWithin(Promise.reject(new Error('no')), 1_000)).toBe(true)
  })

  it('is false when the time runs out, without waiting for the work', async () => {
    const t0 = Date.now()
    expect(await settlesWithin(new Promise(() => undefined), 30)).toBe(false)
    expect(Date.now() - t0).toBeLessThan(1_000)
  })
})

describe('Sleeper', () => {
  it('sleeps, and wake() cuts every sleep short', async () => {
    const s = new Sleeper()
    const t0 = Date.now()
    const a = s.sleep(60_000)
    const b = s.sleep(60_000)
    s.wake()
    await Promise.all([a, b])
    expect(Date.now() - t0).toBeLessThan(1_000)
    await s.sleep(5) // a finished sleep is forgotten; a new one still works
  })
})
