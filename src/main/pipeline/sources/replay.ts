import { stat } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { basename } from 'node:path'
import { decodeFrameLine, readLines } from './jsonl'
import { StatusHub, type FrameSink, type SourceStatus, type TradeSource } from './source'

/** 1 = as recorded, N = N times faster, 'max' = as fast as the sink takes it. */
export type ReplaySpeed = number | 'max'

export interface ReplayOptions {
  path: string
  speed?: ReplaySpeed
  /** Reported only: a replay plays every frame in its file. */
  symbols?: string[]
  /**
   * 'now' (default) stamps frames with the time this process replays them, so latency KPIs measure
   * this run; 'recorded' passes the original receive time on.
   */
  stamp?: 'now' | 'recorded'
}

export interface ReplayProgress {
  /** frames handed to the sink, bad lines included */
  frames: number
  /** lines that were not `{receivedAt, raw}` and went on as raw frames (to land in rejects) */
  badLines: number
  bytes: number
  totalBytes: number
}

const IGNORES_SUBSCRIPTIONS = 'replay plays every frame in the file; subscriptions are ignored'

function speedLabel(speed: ReplaySpeed): string {
  return speed === 'max' ? 'max speed' : `${speed}×`
}

/** Replays a JSONL recording (see jsonl.ts), streaming it, honouring the sink's backpressure. */
export class ReplaySource implements TradeSource {
  readonly kind = 'replay' as const
  /** Resolves at the end of the file or on stop(); rejects if the file cannot be read. */
  readonly finished: Promise<void>
  private readonly speed: ReplaySpeed
  private readonly hub: StatusHub
  private readonly subs: string[]
  private readonly progressNow: ReplayProgress = { frames: 0, badLines: 0, bytes: 0, totalBytes: 0 }
  private abort?: AbortController
  private running?: Promise<void>
  private settle!: { resolve: () => void; reject: (err: Error) => void }

  constructor(private readonly opts: ReplayOptions) {
    this.speed = opts.speed ?? 1
    if (this.speed !== 'max' && !(this.speed > 0 && Number.isFinite(this.speed))) {
      throw new Error(`replay speed must be a positive number or 'max', got ${String(this.speed)}`)
    }
    this.subs = [...(opts.symbols ?? [])]
    this.hub = new StatusHub('replay', this.subs)
    this.finished = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }))
    this.finished.catch(() => undefined) // failure is also in status(); nobody has to await this
  }

  /** Rejects when the file cannot be opened (a setting the caller must fix). */
  async start(sink: FrameSink): Promise<void> {
    if (this.abort) throw new Error('source already started')
    const abort = (this.abort = new AbortController())
    try {
      this.progressNow.totalBytes = (await stat(this.opts.path)).size
    } catch (err) {
      const detail = `cannot read the recording ${this.opts.path}: ${(err as Error).message}`
      this.hub.set({ state: 'failed', detail }, 0)
      const failure = new Error(detail, { cause: err })
      this.settle.reject(failure)
      throw failure
    }
    this.hub.set({ state: 'open', detail: this.describe() }, 0)
    this.running = this.run(sink, abort.signal).then(
      () => {
        if (abort.signal.aborted) return
        const { frames, badLines } = this.progressNow
        const bad = badLines ? ` (${badLines} bad lines passed on as raw frames)` : ''
        this.hub.set({ state: 'done', detail: `replayed ${frames} frames${bad}` }, frames)
        this.settle.resolve()
      },
      (err: unknown) => {
        if (abort.signal.aborted) return
        const detail = `replay failed: ${err instanceof Error ? err.message : String(err)}`
        this.hub.set({ state: 'failed', detail }, this.progressNow.frames)
        this.settle.reject(new Error(detail))
      },
    )
  }

  async stop(): Promise<void> {
    const abort = this.abort
    if (!abort || abort.signal.aborted) return
    const state = this.hub.get(0).state
    abort.abort()
    await this.running
    if (state === 'open') this.hub.set({ state: 'closed', detail: 'stopped' }, this.progressNow.frames)
    this.settle.resolve()
  }

  subscribe(symbol: string): void {
    if (!this.subs.includes(symbol)) this.subs.push(symbol)
    this.hub.set({ symbols: [...this.subs], detail: this.describe() }, this.progressNow.frames)
  }

  unsubscribe(symbol: string): void {
    const i = this.subs.indexOf(symbol)
    if (i >= 0) this.subs.splice(i, 1)
    this.hub.set({ symbols: [...this.subs], detail: this.describe() }, this.progressNow.frames)
  }

  symbols(): string[] {
    return [...this.subs]
  }

  progress(): ReplayProgress {
    return { ...this.progressNow }
  }

  status(): SourceStatus {
    const s = this.hub.get(this.progressNow.frames)
    // Progress changes per frame, so it is computed when asked rather than pushed.
    return s.state === 'open' ? { ...s, detail: this.describe() } : s
  }

  onStatus(listener: (s: SourceStatus) => void): () => void {
    return this.hub.on(listener)
  }

  private describe(): string {
    const { bytes, totalBytes, frames } = this.progressNow
    const pct = totalBytes > 0 ? Math.floor((100 * bytes) / totalBytes) : 100
    return `replaying ${basename(this.opts.path)} at ${speedLabel(this.speed)}: ${pct}%, ${frames} frames; ${IGNORES_SUBSCRIPTIONS}`
  }

  private async run(sink: FrameSink, signal: AbortSignal): Promise<void> {
    const speed = this.speed
    const recorded = this.opts.stamp === 'recorded'
    const p = this.progressNow
    let firstAt: number | undefined
    let wallStart = 0
    let lastAt = Date.now()
    try {
      for await (const { line, bytes } of readLines(this.opts.path, signal)) {
        p.bytes += bytes
        if (line.trim() === '') continue
        const rec = decodeFrameLine(line)
        let raw = line
        if (rec) {
          raw = rec.raw
          if (speed !== 'max') {
            // Gaps are measured from the first frame, so pacing errors never accumulate.
            if (firstAt === undefined) {
              firstAt = rec.receivedAt
              wallStart = performance.now()
            }
            const wait = wallStart + (rec.receivedAt - firstAt) / speed - performance.now()
            if (wait >= 1) await sleep(wait, undefined, { signal })
          }
          lastAt = recorded ? rec.receivedAt : Date.now()
        } else {
          p.badLines++
          if (!recorded) lastAt = Date.now()
        }
        p.frames++
        if (!sink.frame(raw, lastAt)) await sink.drain()
        if (signal.aborted) return
      }
    } catch (err) {
      if (signal.aborted) return
      throw err
    }
  }
}
