import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AlertLevel } from '../../../shared/status'
import { NO_CONSUMER_STATS, type ConsumerStats } from './consumer'
import { ConsumerThread } from './consumer-thread'
import type { ConsumerThreadInit, RunEnd, ThreadRun } from './consumer-thread-run'

/** One run of the writer that joins, fails or ends when the test says so. */
class FakeRun implements ThreadRun {
  readonly started: Promise<void>
  readonly ended: Promise<RunEnd | null>
  counts: ConsumerStats = { ...NO_CONSUMER_STATS }
  error: string | null = null
  stopped = false
  join!: () => void
  failStart!: (err: Error) => void
  end!: (e: RunEnd | null) => void

  constructor() {
    this.started = new Promise((resolve, reject) => {
      this.join = resolve
      this.failStart = reject
    })
    this.started.catch(() => undefined)
    this.ended = new Promise((resolve) => (this.end = resolve))
  }
  async stop(): Promise<void> {
    this.stopped = true
    this.failStart(new Error('the consumer thread exited (code 1) before it started'))
    this.end(null)
  }
  stats(): ConsumerStats {
    return this.counts
  }
  lastError(): string | null {
    return this.error
  }
}

const init: ConsumerThreadInit = {
  connection: { brokers: ['127.0.0.1:9'], clientId: 'c' },
  database: { url: 'postgres://nowhere', schema: 's' },
  options: { topic: 't', groupId: 'g1', concurrency: 1 },
}

let runs: FakeRun[]
let notices: [AlertLevel, string][]

function writer(): ConsumerThread {
  return new ConsumerThread(init, {
    onNotice: (level, message) => notices.push([level, message]),
    random: () => 0.999999, // no jitter: the n-th retry waits 1 s × 2^(n-1), at most 30 s
    launch: () => {
      const r = new FakeRun()
      runs.push(r)
      return r
    },
  })
}

const tick = (ms = 0): Promise<unknown> => vi.advanceTimersByTimeAsync(ms)
const delays = (): string[] => notices.flatMap(([, m]) => /in ([\d.]+) s/.exec(m)?.[1] ?? [])

beforeEach(() => {
  vi.useFakeTimers()
  runs = []
  notices = []
})
afterEach(() => vi.useRealTimers())

describe('ConsumerThread, the one layer that restarts the writer', () => {
  it('retries a failed join after a pause, in words, until it joins; no restart is counted', async () => {
    const w = writer()
    const joined = w.start()
    await tick()
    expect(w.health()).toMatchObject({ state: 'starting', restarts: 0 })
    runs[0]!.failStart(new Error('coordinator not available'))
    await tick()
    expect(notices[0]![0]).toBe('error')
    expect(notices[0]![1]).toMatch(
      /^the writer could not join consumer group g1: coordinator not available; trying again in \d\.\d s/,
    )
    expect(w.health()).toMatchObject({ state: 'failed', lastError: 'coordinator not available' })
    await tick(1_000)
    runs[1]!.join()
    expect(await joined).toBe(true)
    expect(await w.whenJoined(0)).toBe(true)
    expect(notices[1]).toEqual(['info', 'the writer joined consumer group g1'])
    expect(w.health()).toMatchObject({ state: 'running', restarts: 0 })
    await w.stop()
    expect(runs[1]!.stopped).toBe(true)
  })

  it('reports a join still under way as not joined, and stop() cuts it short', async () => {
    const w = writer()
    void w.start()
    const early = w.whenJoined(50)
    await tick(50)
    expect(await early).toBe(false)
    // A drain waiting for the join is answered by stop(), not by its own 60 s limit.
    const waiting = w.whenJoined(60_000)
    await w.stop()
    expect(await waiting).toBe(false)
    expect(await w.whenJoined(50)).toBe(false)
    expect(runs).toHaveLength(1)
    expect(notices).toEqual([]) // a start ended by stop() is no failure
    expect(w.health().state).toBe('stopped')
  })

  it('restarts a run that ended, says so, counts it, and keeps the counters', async () => {
    const w = writer()
    void w.start()
    runs[0]!.join()
    await tick()
    runs[0]!.counts = { ...NO_CONSUMER_STATS, written: 10, batches: 2 }
    runs[0]!.end({ why: 'Kafka consumer crashed (boom)', level: 'warn' })
    await tick()
    expect(w.health()).toMatchObject({
      state: 'restarting',
      restarts: 1,
      lastError: 'Kafka consumer crashed (boom)',
    })
    expect(notices).toEqual([['warn', 'Kafka consumer crashed (boom); restarting it in 1.0 s (restart 1)']])
    await tick(1_000)
    expect(runs).toHaveLength(2)
    runs[1]!.join()
    await tick()
    expect(w.health()).toMatchObject({ state: 'running', restarts: 1 })
    runs[1]!.counts = { ...NO_CONSUMER_STATS, written: 5, batches: 1 }
    expect(w.stats()).toMatchObject({ written: 15, batches: 3 })
    await w.stop()
    expect(runs[1]!.stopped).toBe(true)
    expect(w.health()).toMatchObject({ state: 'stopped', restarts: 1 })
    expect(w.stats()).toMatchObject({ written: 15, batches: 3 })
  })

  it('says a dead thread out loud', async () => {
    const w = writer()
    void w.start()
    runs[0]!.join()
    await tick()
    runs[0]!.end({ why: 'the consumer thread stopped (exit code 1: out of memory)', level: 'error' })
    await tick()
    expect(notices).toEqual([
      [
        'error',
        'the consumer thread stopped (exit code 1: out of memory); restarting it in 1.0 s (restart 1)',
      ],
    ])
    await w.stop()
  })

  it('backs off between failed restarts up to a cap, and stop() cuts the wait short', async () => {
    const w = writer()
    void w.start()
    runs[0]!.join()
    await tick()
    runs[0]!.end({ why: 'Kafka consumer crashed (boom)', level: 'warn' })
    for (let i = 1; i <= 7; i++) {
      await tick(30_000)
      runs[i]!.failStart(new Error('broker away'))
    }
    await tick()
    expect(delays()).toEqual(['1.0', '2.0', '4.0', '8.0', '16.0', '30.0', '30.0', '30.0'])
    expect(notices[1]).toEqual([
      'warn',
      'Kafka consumer could not start (broker away); restarting it in 2.0 s (restart 2)',
    ])
    expect(w.health().restarts).toBe(8)
    const before = runs.length
    await w.stop()
    await tick(60_000)
    expect(runs).toHaveLength(before)
    expect(w.health().state).toBe('stopped')
  })

  it('starts the count over after a run of a minute', async () => {
    const w = writer()
    void w.start()
    for (const ranMs of [1_000, 1_000, 60_000]) {
      runs.at(-1)!.join()
      await tick(ranMs)
      runs.at(-1)!.end({ why: 'Kafka consumer stopped on its own', level: 'warn' })
      await tick(30_000)
    }
    expect(delays()).toEqual(['1.0', '2.0', '1.0'])
    await w.stop()
  })
})
