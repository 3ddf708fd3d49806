import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AlertLevel } from '../../shared/status'
import { NO_CONSUMER_STATS, type ConsumerStats, type ConsumerWatch } from './consumer'
import { ConsumerSupervisor, type SupervisedConsumer, type SupervisorOptions } from './consumer-supervisor'

class FakeConsumer implements SupervisedConsumer {
  w!: ConsumerWatch
  stopped = false
  failStart: Error | null = null
  counts: ConsumerStats = { ...NO_CONSUMER_STATS }
  act = { inHand: 0, lastActivityAt: Date.now() }
  positions = new Map<number, bigint>()

  async start(): Promise<void> {
    if (this.failStart) throw this.failStart
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
let nextFails: Error[]

function supervisor(over: Partial<SupervisorOptions> = {}): ConsumerSupervisor {
  return new ConsumerSupervisor({
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
    stallMs: 30_000,
    random: () => 0.999999, // no jitter: the n-th restart waits 1 s × 2^(n-1), at most 30 s
    ...over,
  })
}

beforeEach(() => {
  vi.useFakeTimers()
  made = []
  notices = []
  nextFails = []
})
afterEach(() => vi.useRealTimers())

describe('ConsumerSupervisor', () => {
  it('replaces a crashed consumer after a pause, says so, and keeps the counters', async () => {
    const s = supervisor()
    await s.start()
    expect(s.health()).toMatchObject({ state: 'running', restarts: 0 })
    made[0]!.counts = { ...NO_CONSUMER_STATS, written: 10, batches: 2 }
    made[0]!.w.stop() // kafkajs stops a crashing consumer first, then reports the crash
    made[0]!.w.crash(new Error('boom'))
    await vi.advanceTimersByTimeAsync(0)
    expect(s.health()).toMatchObject({
      state: 'restarting',
      restarts: 1,
      lastError: 'Kafka consumer crashed (boom)',
    })
    expect(made[0]!.stopped).toBe(true)
    expect(notices).toEqual([
      { level: 'warn', message: 'Kafka consumer crashed (boom); restarting it in 1.0 s (restart 1)' },
    ])
    await vi.advanceTimersByTimeAsync(1_000)
    expect(made).toHaveLength(2)
    expect(s.health()).toMatchObject({ state: 'running', restarts: 1 })
    made[1]!.counts = { ...NO_CONSUMER_STATS, written: 5, batches: 1 }
    expect(s.stats()).toMatchObject({ written: 15, batches: 3 })
    // The delayed stop of the replaced consumer is history: no second restart.
    await vi.advanceTimersByTimeAsync(5_000)
    expect(made).toHaveLength(2)
    await s.stop()
    expect(made[1]!.stopped).toBe(true)
    expect(s.health().state).toBe('stopped')
  })

  it('restarts a consumer that kafkajs stopped without a crash', async () => {
    const s = supervisor()
    await s.start()
    made[0]!.w.stop()
    await vi.advanceTimersByTimeAsync(1_000 + 1_000)
    expect(made).toHaveLength(2)
    expect(notices[0]!.message).toMatch(/^Kafka consumer stopped on its own; restarting/)
    await s.stop()
  })

  it('restarts a consumer that has lag but writes nothing for stallMs', async () => {
    let lag = 0
    const s = supervisor({ lag: async () => lag })
    await s.start()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(made).toHaveLength(1) // idle with no lag is fine
    made[0]!.act.inHand = 1
    lag = 7
    await vi.advanceTimersByTimeAsync(60_000)
    expect(made).toHaveLength(1) // a batch in hand (retrying a write) is slow, not stalled
    made[0]!.act.inHand = 0
    made[0]!.w.rebalance()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(made).toHaveLength(1) // a rebalance is kafkajs's to finish (or to crash on)
    made[0]!.w.join({ t: [0] })
    await vi.advanceTimersByTimeAsync(5_000)
    expect(notices[0]!.message).toMatch(
      /^Kafka consumer stalled: 7 records wait and nothing was written for \d+ s/,
    )
    await vi.advanceTimersByTimeAsync(1_000)
    expect(made).toHaveLength(2)
    await s.stop()
  })

  it('backs off between failed restarts up to a cap, and stop() cuts the wait short', async () => {
    const s = supervisor()
    await s.start()
    nextFails = Array.from({ length: 8 }, () => new Error('broker away'))
    made[0]!.w.crash(new Error('boom'))
    await vi.advanceTimersByTimeAsync(200_000)
    const delays = notices.map((n) => /in ([\d.]+) s/.exec(n.message)![1])
    expect(delays.slice(0, 7)).toEqual(['1.0', '2.0', '4.0', '8.0', '16.0', '30.0', '30.0'])
    expect(notices[1]!.message).toMatch(/could not start \(broker away\)/)
    const before = made.length
    const stopped = s.stop()
    await vi.advanceTimersByTimeAsync(0)
    await stopped
    expect(made).toHaveLength(before)
    expect(s.health().state).toBe('stopped')
  })

  it('names the records an offset reset skipped', async () => {
    const s = supervisor({ logStart: async () => 10n, committed: async () => new Map([[1, 4n]]) })
    await s.start()
    made[0]!.positions.set(0, 5n)
    await s.offsetReset({ topic: 't', partition: 0 })
    await s.offsetReset({ topic: 't', partition: 1 }) // not committed in this run: the join's offset
    await s.offsetReset({ topic: 'other', partition: 0 })
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
    expect(s.health().lastError).toContain('partition 1')
    await s.stop()
  })

  it('fails its first start loudly, without retrying', async () => {
    nextFails = [new Error('no broker')]
    const s = supervisor()
    await expect(s.start()).rejects.toThrow('no broker')
    expect(s.health()).toMatchObject({ state: 'failed', lastError: 'no broker' })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(made).toHaveLength(1)
  })
})
