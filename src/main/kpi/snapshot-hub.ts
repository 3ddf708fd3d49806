import type { WindowSnapshot } from '../../shared/contract'
import type { KpiSnapshot, KpiSnapshotRequest } from '../../shared/kpi'
import {
  bucketSecondsFor,
  needsMinutes,
  resolveWindow,
  watchKey,
  type RunSpan,
  type WatchRequest,
} from '../../shared/windows'
import { Emitter } from '../base/emitter'
import { logListenerError } from '../log/logger'
import type { LagHistory } from './lag-history'

export interface SnapshotHubOptions {
  /** the real kpiSnapshot(pool, req) in production */
  query(req: KpiSnapshotRequest): Promise<KpiSnapshot>
  /** the current threshold, read at every tick (caching thresholds is the caller's concern) */
  rateIntervalS(): number
  /** the subscription, so data-loss buckets can name the missing symbols */
  symbols(): string[]
  run(): RunSpan | null
  lag: LagHistory
  now?: () => number
  /** a failing query is reported here, not thrown; the next tick tries again */
  onError?(err: Error): void
  /** the oldest trade kept (null: unknown): older windows are read in minutes (needsMinutes) */
  oldestTradeAt?(): number | null
}

export type SnapshotListener = (clientIds: string[], snap: WindowSnapshot) => void

/** How many tick costs costs() keeps: ten minutes at 1 Hz. */
export const COST_HISTORY = 600

interface KeyState {
  req: WatchRequest
  clients: Set<string>
  inFlight: Promise<WindowSnapshot> | null
  /** clients whose watch() call returns the in-flight result: it is not pushed to them as well */
  awaiting: Set<string>
}

/**
 * Pushes one KPI snapshot per rate_interval_s for each window some client watches. Clients that
 * watch the same thing (watchKey) share one query, and a key whose query is still running when the
 * next tick comes is skipped rather than queued, so a slow database sheds ticks instead of piling
 * up queries.
 */
export class SnapshotHub {
  private readonly keys = new Map<string, KeyState>()
  private readonly clientKeys = new Map<string, string>()
  // one broken face must not stop the others
  private readonly listeners = new Emitter<{ clientIds: string[]; snap: WindowSnapshot }>(
    logListenerError('kpi', 'snapshot'),
  )
  private readonly now: () => number
  private timer: NodeJS.Timeout | null = null
  private running = false
  private skips = 0
  private tickCosts: number[] = []

  constructor(private readonly opts: SnapshotHubOptions) {
    this.now = opts.now ?? Date.now
  }

  /** Replaces the client's previous watch and resolves with a fresh snapshot of the new one. */
  watch(clientId: string, req: WatchRequest): Promise<WindowSnapshot> {
    this.unwatch(clientId)
    const key = watchKey(req)
    let state = this.keys.get(key)
    if (!state) {
      state = { req, clients: new Set(), inFlight: null, awaiting: new Set() }
      this.keys.set(key, state)
    }
    state.clients.add(clientId)
    this.clientKeys.set(clientId, key)
    state.awaiting.add(clientId)
    // An in-flight query for the same key already answers the same question.
    return state.inFlight ?? this.launch(state)
  }

  unwatch(clientId: string): void {
    const key = this.clientKeys.get(clientId)
    if (key === undefined) return
    this.clientKeys.delete(clientId)
    const state = this.keys.get(key)
    if (!state) return
    state.clients.delete(clientId)
    state.awaiting.delete(clientId)
    if (state.clients.size === 0) this.keys.delete(key)
  }

  /** Keys currently watched (for tests and diagnostics). */
  watchedKeys(): string[] {
    return [...this.keys.keys()]
  }

  onSnapshot(listener: SnapshotListener): () => void {
    return this.listeners.on(({ clientIds, snap }) => listener(clientIds, snap))
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.schedule()
  }

  stop(): void {
    this.running = false
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  /** ms from each tick's start until its queries settled and were pushed (the bench's kpi_push_cost_ms). */
  costs(): number[] {
    return [...this.tickCosts]
  }

  /** Ticks at which a key was skipped because its previous query was still running. */
  skipped(): number {
    return this.skips
  }

  /** One round: a query per watched key that is not still busy with the previous one. */
  async tick(): Promise<void> {
    const t0 = this.now()
    const launched: Promise<WindowSnapshot>[] = []
    for (const state of this.keys.values()) {
      if (state.inFlight) this.skips += 1
      else launched.push(this.launch(state))
    }
    if (launched.length === 0) return
    await Promise.allSettled(launched)
    this.tickCosts.push(this.now() - t0)
    if (this.tickCosts.length > COST_HISTORY) this.tickCosts.splice(0, this.tickCosts.length - COST_HISTORY)
  }

  private schedule(): void {
    const rate = this.opts.rateIntervalS()
    // Re-read every tick, so a new rate_interval_s takes effect without a restart.
    const delayMs = Number.isFinite(rate) && rate > 0 ? rate * 1000 : 1000
    this.timer = setTimeout(() => {
      if (!this.running) return
      void this.tick()
      this.schedule()
    }, delayMs)
    this.timer.unref()
  }

  /** Runs the key's query; on success pushes to its watchers, on failure reports it. */
  private launch(state: KeyState): Promise<WindowSnapshot> {
    const p = this.snapshot(state.req)
    state.inFlight = p
    p.then(
      (snap) => {
        if (state.inFlight === p) state.inFlight = null
        const awaiting = state.awaiting
        state.awaiting = new Set()
        // Recipients as of now: a client that moved on meanwhile gets nothing stale.
        const to = this.keys.get(watchKey(state.req)) === state ? [...state.clients] : []
        this.push(
          to.filter((c) => !awaiting.has(c)),
          snap,
        )
      },
      (err: unknown) => {
        if (state.inFlight === p) state.inFlight = null
        state.awaiting = new Set()
        this.opts.onError?.(err instanceof Error ? err : new Error(String(err)))
      },
    )
    return p
  }

  private async snapshot(req: WatchRequest): Promise<WindowSnapshot> {
    const at = this.now()
    const run = this.opts.run()
    const { from, to } = resolveWindow(req.window, at, run)
    const minutes = needsMinutes(from, this.opts.oldestTradeAt?.() ?? null)
    const bucketS = bucketSecondsFor(to - from, this.opts.rateIntervalS(), minutes)
    const kpis = await this.opts.query({
      from,
      to,
      ...(req.symbol === undefined ? {} : { symbol: req.symbol }),
      bucketS,
      symbols: this.opts.symbols(),
    })
    // The query's own bucket width (never narrower than its rate_interval_s) keeps lag on the KPIs' axis.
    const lag = this.opts.lag.range(from, to, (kpis.bucketS || bucketS) * 1000)
    return { watch: req, at, kpis, lag, run }
  }

  private push(clientIds: string[], snap: WindowSnapshot): void {
    if (clientIds.length === 0) return
    this.listeners.fire({ clientIds, snap })
  }
}
