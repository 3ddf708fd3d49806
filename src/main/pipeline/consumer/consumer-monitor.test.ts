import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AlertLevel } from '../../../shared/status'
import { NO_CONSUMER_STATS, type ConsumerStats, type ConsumerWatch } from './consumer'
import { ConsumerMonitor, type MonitoredConsumer, type MonitorOptions } from './consumer-monitor'

class FakeConsumer implements MonitoredConsumer {
  w!: ConsumerWatch
  stopped = false
  failStart: Error | null = null
  /** kafkajs's failed join: run() resolves, the crash is only an event */
  crashInStart: Error | null = null
  counts: ConsumerStats = { ...NO_CONSUMER_STATS }
  act = { inHand: 0, lastActivityAt: Date.now() }
  positions = new Map<number, bigint>()

  async start(): Promise<void> {
    if (this.failStart) throw this.failStart
    if (this.crashInStart) return this.w.crash(this.crashInStart)
    this.act.lastActivityAt = Date.now()
    this.w.join({ t: [0, 1] })
  }
  async stop(): Promise<void> {
    this.stopped = true
  }
  watch(w: ConsumerWatch): void {
    this.w = w
  }
  stats(): ConsumerStats {
    return this.counts
  }
  activity(): { inHand: number; lastActivityAt: number } {
    return this.act
  }
  position(_topic: string, partition: number): bigint | undefined {
    return this.positions.get(partition)
  }
}

let made: FakeConsumer[]
let notices: { level: AlertLevel; message: string }[]
let failures: string[]
let nextFails: Error[]

function monitor(over: Partial<MonitorOptions> = {}): ConsumerMonitor {
  return new ConsumerMonitor({
    topic: 't',
    create: () => {
      const c = new FakeConsumer()
      c.failStart = nextFails.shift() ?? null
      made.push(c)
      return c
    },
    lag: async () => 0,
    committed: async () => new Map(),
    logStart: async () => 0n,
    notice: (level, message) => notices.push({ level, message }),
    onFailure: (why) => failures.push(why),
    stallMs: 30_000,
    ...over,
  })
}

beforeEach(() => {
  vi.useFakeTimers()
  made = []
  notices = []
  failures = []
  nextFails = []
})
afterEach(() => vi.useRealTimers())

describe('ConsumerMonitor', () => {
  it('tells a crash once, in words, and restarts nothing itself', async () => {
    const m = monitor()
    await m.start()
    made[0]!.counts = { ...NO_CONSUMER_STATS, written: 10, batches: 2 }
    made[0]!.w.stop() // kafkajs stops a crashing consumer first, then reports the crash
    made[0]!.w.crash(new Error('boom'))
    await vi.advanceTimersByTimeAsync(5_000)
    // The delayed stop of the crashed consumer is the same failure: told once.
    expect(failures).toEqual(['Kafka consumer crashed (boom)'])
    expect(m.lastFailure()).toBe('Kafka consumer crashed (boom)')
    expect(made).toHaveLength(1)
    expect(m.stats()).toMatchObject({ written: 10, batches: 2 })
    await m.stop()
    expect(made[0]!.stopped).toBe(true)
  })

  it('tells of a consumer that kafkajs stopped without a crash', async () => {
    const m = monitor()
    await m.start()
    made[0]!.w.stop()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(failures).toEqual(['Kafka consumer stopped on its own'])
    await m.stop()
  })

  it('tells of a consumer that has lag but writes nothing for stallMs', async () => {
    let lag = 0
    const m = monitor({ lag: async () => lag })
    await m.start()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(failures).toEqual([]) // idle with no lag is fine
    made[0]!.act.inHand = 1
    lag = 7
    await vi.advanceTimersByTimeAsync(60_000)
    expect(failures).toEqual([]) // a batch in hand (retrying a write) is slow, not stalled
    made[0]!.act.inHand = 0
    made[0]!.w.rebalance()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(failures).toEqual([]) // a rebalance is kafkajs's to finish (or to crash on)
    made[0]!.w.join({ t: [0] })
    await vi.advanceTimersByTimeAsync(5_000)
    expect(failures).toHaveLength(1)
    expect(failures[0]).toMatch(/^Kafka consumer stalled: 7 records wait and nothing was written for \d+ s/)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(failures).toHaveLength(1)
    await m.stop()
  })

  it('names the records an offset reset skipped', async () => {
    const m = monitor({ logStart: async () => 10n, committed: async () => new Map([[1, 4n]]) })
    await m.start()
    made[0]!.positions.set(0, 5n)
    await m.offsetReset({ topic: 't', partition: 0 })
    await m.offsetReset({ topic: 't', partition: 1 }) // not committed in this run: the join's offset
    await m.offsetReset({ topic: 'other', partition: 0 })
    expect(notices).toEqual([
      expect.objectContaining({
        level: 'error',
        message: expect.stringContaining('skipped 5 records of partition 0 of t (offsets 5–9)'),
      }),
      expect.objectContaining({
        level: 'error',
        message: expect.stringContaining('skipped 6 records of partition 1 of t (offsets 4–9)'),
      }),
    ])
    expect(m.lastFailure()).toContain('partition 1')
    await m.stop()
  })

  it('fails its start loudly, and tells no failure after it', async () => {
    nextFails = [new Error('no broker')]
    const m = monitor()
    await expect(m.start()).rejects.toThrow('no broker')
    expect(m.lastFailure()).toBe('no broker')
    expect(made[0]!.stopped).toBe(true)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(made).toHaveLength(1)
    expect(failures).toEqual([])
  })

  it('fails its start when kafkajs crashed the join, though run() returned', async () => {
    const m = monitor({
      create: () => {
        const c = new FakeConsumer()
        c.crashInStart = new Error('coordinator not available')
        made.push(c)
        return c
      },
    })
    await expect(m.start()).rejects.toThrow('coordinator not available')
    await vi.advanceTimersByTimeAsync(5_000)
    expect(failures).toEqual([])
    expect(made[0]!.stopped).toBe(true)
  })
})
