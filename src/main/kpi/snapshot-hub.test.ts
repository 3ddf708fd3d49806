import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { WindowSnapshot } from '../../shared/contract'
import type { KpiSnapshot, KpiSnapshotRequest } from '../../shared/kpi'
import type { WatchRequest } from '../../shared/windows'
import { LagHistory } from './lag-history'
import { SnapshotHub, type SnapshotHubOptions } from './snapshot-hub'

const T0 = Date.UTC(2025, 0, 6, 14, 0, 0)
const FIVE: WatchRequest = { window: { preset: '5m' } }
const HOUR: WatchRequest = { window: { preset: '1h' } }

/** Just enough of a KpiSnapshot for scheduling: it echoes the request. */
function fakeSnapshot(req: KpiSnapshotRequest): KpiSnapshot {
  return {
    from: req.from,
    to: req.to,
    rateIntervalS: 1,
    bucketS: req.bucketS ?? 1,
    dataLossWindowS: 30,
    symbolsSubscribed: req.symbols?.length ?? 0,
    totalTrades: 0,
    rejects: 0,
    symbols: [],
    tradesPerSecond: { average: 0, buckets: [], bySymbol: [] },
    dataLoss: { lossWindows: 0, buckets: [] },
    volumeTrend: { symbol: req.symbol ?? null, buckets: [] },
    latency: [],
    latencyTrend: { start: [], stages: [] },
    candles: { symbol: req.symbol ?? null, bucketS: req.bucketS ?? 1, buckets: [] },
  }
}

interface Call {
  req: KpiSnapshotRequest
  resolve(): void
  reject(err: Error): void
}

/** A hub whose queries wait until the test settles them (or settle at once with `auto`). */
function setup(over: Partial<SnapshotHubOptions> = {}, auto = true) {
  const calls: Call[] = []
  const pushes: [string[], WindowSnapshot][] = []
  const errors: Error[] = []
  let rate = 1
  const lag = new LagHistory()
  const hub = new SnapshotHub({
    query: (req) =>
      new Promise<KpiSnapshot>((res, rej) => {
        const call = { req, resolve: () => res(fakeSnapshot(req)), reject: rej }
        calls.push(call)
        if (auto) call.resolve()
      }),
    rateIntervalS: () => rate,
    symbols: () => ['AAPL', 'AMZN'],
    run: () => null,
    lag,
    onError: (e) => errors.push(e),
    ...over,
  })
  hub.onSnapshot((ids, snap) => pushes.push([ids, snap]))
  const setRate = (r: number): void => {
    rate = r
  }
  return { hub, calls, pushes, errors, lag, setRate }
}

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(T0)
})
afterEach(() => {
  vi.useRealTimers()
})

describe('SnapshotHub', () => {
  it('answers a watch at once and serves two clients of one key with one query per tick', async () => {
    const { hub, calls, pushes } = setup({}, false)
    const a = hub.watch('a', FIVE)
    const b = hub.watch('b', { window: { preset: '5m' } })
    expect(calls).toHaveLength(1) // b reuses a's in-flight query
    calls[0]?.resolve()
    expect(await a).toBe(await b)
    expect(pushes).toEqual([]) // the watchers got it as their reply, not a push as well
    hub.start()
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls).toHaveLength(2)
    calls[1]?.resolve()
    await vi.advanceTimersByTimeAsync(0)
    expect(pushes.map(([ids]) => ids)).toEqual([['a', 'b']])
    expect(calls[1]?.req).toEqual({
      from: T0 + 2000 - 300_000,
      to: T0 + 2000,
      bucketS: 1,
      symbols: ['AAPL', 'AMZN'],
    })
    hub.stop()
  })

  it('runs one query per distinct key', async () => {
    const { hub, calls, pushes } = setup()
    await hub.watch('a', FIVE)
    await hub.watch('b', HOUR)
    await hub.watch('c', { window: { preset: '5m' }, symbol: 'AAPL' })
    hub.start()
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls).toHaveLength(6)
    expect(pushes.map(([ids]) => ids).sort()).toEqual([['a'], ['b'], ['c']])
    expect(calls.slice(3).map((c) => [c.req.bucketS, c.req.symbol])).toEqual([
      [1, undefined],
      [60, undefined],
      [1, 'AAPL'],
    ])
    hub.stop()
  })

  it('skips a key whose query is still running instead of queueing another', async () => {
    const { hub, calls, pushes } = setup({}, false)
    const first = hub.watch('a', FIVE)
    calls[0]?.resolve()
    await first
    hub.start()
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(2000) // two ticks while the query hangs
    expect(calls).toHaveLength(2)
    expect(hub.skipped()).toBe(2)
    calls[1]?.resolve()
    await vi.advanceTimersByTimeAsync(0)
    expect(pushes).toHaveLength(1)
    expect(hub.costs()).toEqual([2000])
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls).toHaveLength(3)
    hub.stop()
  })

  it('drops a key once nobody watches it, and moves a client that watches another window', async () => {
    const { hub, calls, pushes } = setup()
    await hub.watch('a', FIVE)
    await hub.watch('b', FIVE)
    await hub.watch('a', HOUR)
    expect(hub.watchedKeys().sort()).toEqual(['1h|', '5m|'])
    hub.unwatch('b')
    expect(hub.watchedKeys()).toEqual(['1h|'])
    hub.unwatch('a')
    hub.unwatch('nobody')
    expect(hub.watchedKeys()).toEqual([])
    hub.start()
    const [queries, pushed] = [calls.length, pushes.length]
    await vi.advanceTimersByTimeAsync(3000)
    expect(calls).toHaveLength(queries)
    expect(pushes).toHaveLength(pushed)
    hub.stop()
  })

  it('reads a window older than the trades kept in whole minutes, where only minute rollups hold it', async () => {
    const { hub, calls } = setup({ oldestTradeAt: () => T0 + 86_400_000 })
    await hub.watch('a', FIVE)
    expect(calls[0]?.req.bucketS).toBe(60)
    const recent = setup({ oldestTradeAt: () => T0 - 86_400_000 })
    await recent.hub.watch('a', FIVE)
    expect(recent.calls[0]?.req.bucketS).toBe(1)
  })

  it('reads rate_interval_s at every tick', async () => {
    const { hub, calls, setRate } = setup()
    await hub.watch('a', FIVE)
    hub.start()
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls).toHaveLength(2)
    setRate(5)
    await vi.advanceTimersByTimeAsync(1000) // the tick already scheduled at 1 s
    expect(calls).toHaveLength(3)
    expect(calls[2]?.req.bucketS).toBe(5)
    await vi.advanceTimersByTimeAsync(4999)
    expect(calls).toHaveLength(3)
    await vi.advanceTimersByTimeAsync(1)
    expect(calls).toHaveLength(4)
    hub.stop()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(calls).toHaveLength(4)
  })

  it('reports a failing query, pushes nothing, and tries again at the next tick', async () => {
    const { hub, calls, pushes, errors } = setup({}, false)
    const w = hub.watch('a', FIVE)
    calls[0]?.reject(new Error('connection terminated'))
    await expect(w).rejects.toThrow('connection terminated')
    hub.start()
    await vi.advanceTimersByTimeAsync(1000)
    calls[1]?.reject(new Error('still down'))
    await vi.advanceTimersByTimeAsync(0)
    expect(errors.map((e) => e.message)).toEqual(['connection terminated', 'still down'])
    expect(pushes).toEqual([])
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls).toHaveLength(3)
    calls[2]?.resolve()
    await vi.advanceTimersByTimeAsync(0)
    expect(pushes.map(([ids]) => ids)).toEqual([['a']])
    hub.stop()
  })

  it('adds the lag inside the window, one point per bucket', async () => {
    const { hub, lag } = setup()
    lag.add(T0 - 3_600_000, 999) // before the hour
    lag.add(T0 - 25_000, 3)
    lag.add(T0 - 21_000, 8)
    lag.add(T0 - 15_000, 1)
    lag.add(T0, 4)
    const snap = await hub.watch('a', HOUR)
    // An hour reads minute rollups: one lag point per minute, the highest in it.
    expect(snap.kpis.bucketS).toBe(60)
    expect(snap.lag).toEqual([
      { at: T0 - 60_000, lag: 8 },
      { at: T0, lag: 4 },
    ])
    expect(snap.watch).toEqual(HOUR)
    expect(snap.at).toBe(T0)
  })

  it("pushes a newcomer's fresh snapshot to the key's other watchers, not back to the newcomer", async () => {
    const { hub, pushes } = setup()
    await hub.watch('a', FIVE)
    const snap = await hub.watch('b', FIVE)
    await vi.advanceTimersByTimeAsync(0)
    expect(pushes).toEqual([[['a'], snap]])
  })

  it('pushes to a client only while it still watches that key', async () => {
    const { hub, calls, pushes } = setup({}, false)
    const w = hub.watch('a', FIVE)
    calls[0]?.resolve()
    await w
    hub.start()
    await vi.advanceTimersByTimeAsync(1000)
    hub.watch('a', HOUR).catch(() => undefined) // a moves on while the 5m query runs
    calls[1]?.resolve()
    await vi.advanceTimersByTimeAsync(0)
    expect(pushes).toEqual([])
    hub.stop()
  })
})
