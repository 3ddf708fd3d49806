import { describe, expect, it } from 'vitest'
import type { AlertLevel } from '../../shared/status'
import { ConsumerJoin } from './consumer-join'
import type { ConsumerThread } from './consumer-thread'

/** A consumer thread whose start() fails `failures` times, then joins after `joinMs`. */
function fakeThread(failures: number, joinMs = 0) {
  const calls = { start: 0, stop: 0 }
  let stopped: (() => void) | null = null
  const thread = {
    start: async () => {
      calls.start++
      if (calls.start <= failures) throw new Error('coordinator not available')
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, joinMs)
        stopped = () => {
          clearTimeout(t)
          reject(new Error('the consumer thread exited before it started'))
        }
      })
    },
    stop: async () => {
      calls.stop++
      stopped?.()
    },
  }
  return { thread: thread as unknown as ConsumerThread, calls }
}

describe('ConsumerJoin', () => {
  it('retries a failed join after a pause, in words, until it joins', async () => {
    const { thread, calls } = fakeThread(1)
    const notices: [AlertLevel, string][] = []
    const join = new ConsumerJoin(thread, (l, m) => notices.push([l, m]), 'g1')
    join.start()
    expect(await join.whenJoined(5_000)).toBe(true)
    expect(calls.start).toBe(2)
    expect(notices[0]![0]).toBe('error')
    expect(notices[0]![1]).toMatch(
      /^the writer could not join consumer group g1: coordinator not available; trying again in \d\.\d s/,
    )
    expect(notices[1]).toEqual(['info', 'the writer joined consumer group g1'])
    await join.stop()
  })

  it('reports a join still under way as not joined, and stop() cuts it short', async () => {
    const { thread, calls } = fakeThread(0, 60_000)
    const notices: string[] = []
    const join = new ConsumerJoin(thread, (_, m) => notices.push(m), 'g1')
    join.start()
    expect(await join.whenJoined(50)).toBe(false)
    // A drain waiting for the join is answered by stop(), not by its own 60 s limit.
    const waiting = join.whenJoined(60_000)
    const t0 = Date.now()
    await join.stop()
    expect(await waiting).toBe(false)
    expect(Date.now() - t0).toBeLessThan(1_000)
    expect(await join.whenJoined(50)).toBe(false)
    expect(calls.start).toBe(1)
    expect(notices).toEqual([]) // an attempt ended by stop() is no failure
  })

  it('makes no further attempt once stopped during the pause', async () => {
    const { thread, calls } = fakeThread(1_000)
    const join = new ConsumerJoin(thread, () => undefined, 'g1')
    join.start()
    await new Promise((r) => setTimeout(r, 20))
    await join.stop()
    await new Promise((r) => setTimeout(r, 1_200))
    expect(calls.start).toBe(1)
  })
})
