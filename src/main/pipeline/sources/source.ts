import type { SourceKind } from '../../../shared/status'
import { Emitter } from '../../base/emitter'
import { logListenerError } from '../../log/logger'

/**
 * The one interface every trade source implements. Sources hand RAW frame text to a sink;
 * parsing happens once, downstream (frame-parser), so recording is trivial and malformed
 * frames still reach `rejects`.
 */

export interface FrameSink {
  /** A raw text frame and the ms epoch at which our process received it. Returns false when the
   *  downstream buffer is above its high-water mark; a source that can wait (replay) then awaits drain(). */
  frame(raw: string, receivedAt: number): boolean
  /** Resolves once the sink is below its high-water mark again (immediately if it already is). */
  drain(): Promise<void>
}

export type { SourceKind }

export type SourceState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' | 'failed' | 'done'

export interface SourceStatus {
  kind: SourceKind
  state: SourceState
  /** Plain words for the UI and logs. Never holds the API token. */
  detail?: string
  /** How many times the source re-established its connection (0 for replay). */
  reconnects: number
  symbols: string[]
  /** Frames handed to the sink so far. */
  frames: number
}

export type StatusListener = (status: SourceStatus) => void

export interface TradeSource {
  readonly kind: SourceKind
  /** Starts delivering frames to sink. Rejects only for errors the caller must fix (bad file, bad settings). */
  start(sink: FrameSink): Promise<void>
  /** Stops delivering and releases sockets, timers and files. Safe to call twice. */
  stop(): Promise<void>
  subscribe(symbol: string): void
  unsubscribe(symbol: string): void
  symbols(): string[]
  status(): SourceStatus
  /** Called on every state, detail or symbol change (not per frame). Returns the unsubscribe function. */
  onStatus(listener: StatusListener): () => void
  /** Resolves when a finite source (replay) has delivered everything; rejects if it could not. */
  readonly finished?: Promise<void>
}

/** Holds a source's status and notifies listeners; a throwing listener cannot break the source. */
export class StatusHub {
  private current: SourceStatus
  // A UI listener bug must not stop the stream.
  private readonly listeners = new Emitter<SourceStatus>(logListenerError('source', 'status'))

  constructor(kind: SourceKind, symbols: string[] = []) {
    this.current = { kind, state: 'idle', reconnects: 0, symbols: [...symbols], frames: 0 }
  }

  get(frames: number): SourceStatus {
    return { ...this.current, symbols: [...this.current.symbols], frames }
  }

  /** Applies a change and notifies listeners. `detail: undefined` clears the detail. */
  set(patch: Partial<Omit<SourceStatus, 'kind' | 'frames'>>, frames: number): void {
    const next: SourceStatus = { ...this.current, ...patch }
    if ('detail' in patch && patch.detail === undefined) delete next.detail
    this.current = next
    const snapshot = this.get(frames)
    this.listeners.fire(snapshot)
  }

  on(listener: StatusListener): () => void {
    return this.listeners.on(listener)
  }
}
