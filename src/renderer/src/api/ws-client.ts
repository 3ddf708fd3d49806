import { COMMAND_NAMES, EVENT_NAMES, type CommandName, type EventName } from '@shared/channels'
import type { ApiError, RequestFrame, ServerFrame, TickflowApi } from '@shared/contract'
import type { WatchRequest } from '@shared/windows'

/**
 * Browser mode's transport: the same TickflowApi as Electron's preload, over one WebSocket to the
 * serve command's /api. It reconnects by itself, and re-sends the last watch after every reconnect
 * so the dashboard's snapshots resume without the UI doing anything.
 */

export type ConnectionState = 'connecting' | 'open' | 'reconnecting'

export interface WsApiOptions {
  /** the WebSocket class: the browser's by default; tests pass the `ws` package's */
  WebSocketImpl?: typeof WebSocket
  /** reconnect delays: `initial` after the first drop, doubling up to `max` (250 ms → 5 s) */
  backoffMs?: { initial?: number; max?: number }
  /** requests held while disconnected; beyond this they are refused with 'not connected' */
  maxQueued?: number
}

export type WsApi = TickflowApi & {
  connection(): ConnectionState
  /** called on every change of the connection state; returns its unsubscribe */
  onConnection(listener: (state: ConnectionState) => void): () => void
  /** closes the socket for good: no reconnects; anything pending is refused */
  close(): void
}

/** A command the core refused: its sentence, and the request field it is about if any. */
export class ApiCallError extends Error {
  readonly field?: string
  constructor(error: ApiError) {
    super(error.message)
    this.name = 'ApiCallError'
    if (error.field !== undefined) this.field = error.field
  }
}

interface Pending {
  id: number
  command: CommandName
  request: unknown
  resolve(value: unknown): void
  reject(err: Error): void
  /** the core answered ok:false (as opposed to the connection failing) */
  refused?(): void
}

const OPEN = 1

export function createWsApi(url: string, opts: WsApiOptions = {}): WsApi {
  const Impl = opts.WebSocketImpl ?? WebSocket
  const initialDelay = opts.backoffMs?.initial ?? 250
  const maxDelay = opts.backoffMs?.max ?? 5_000
  const maxQueued = opts.maxQueued ?? 100

  let socket: WebSocket | null = null
  let state: ConnectionState = 'connecting'
  let closed = false
  let retries = 0
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let nextId = 1
  const queue: Pending[] = []
  const inFlight = new Map<number, Pending>()
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>()
  const stateListeners = new Set<(state: ConnectionState) => void>()
  /** the watch to restore after a reconnect: the last one asked for that the core did not refuse */
  let sticky: WatchRequest | null = null

  const setState = (next: ConnectionState): void => {
    if (next === state) return
    state = next
    for (const l of [...stateListeners]) safely(() => l(next))
  }

  const emit = (event: EventName, payload: unknown): void => {
    for (const l of [...(listeners.get(event) ?? [])]) safely(() => l(payload))
  }

  const transmit = (p: Pending): void => {
    inFlight.set(p.id, p)
    try {
      const frame: RequestFrame = { id: p.id, command: p.command, request: p.request }
      socket!.send(JSON.stringify(frame))
    } catch (err) {
      inFlight.delete(p.id)
      p.reject(err instanceof Error ? err : new Error(String(err)))
    }
  }

  const isOpen = (): boolean => state === 'open' && socket !== null && socket.readyState === OPEN

  const receive = (data: unknown): void => {
    if (typeof data !== 'string') return
    let frame: ServerFrame
    try {
      frame = JSON.parse(data) as ServerFrame
    } catch {
      return
    }
    if (typeof frame !== 'object' || frame === null) return
    if ('id' in frame) {
      const p = inFlight.get(frame.id)
      if (!p) return // id -1: the server could not read one of our frames; nobody waits for it
      inFlight.delete(frame.id)
      if (frame.ok) return p.resolve(frame.value)
      // Only a request the contract refused (its error names a field) was never taken up; a
      // watch whose first query failed still stands in the core, so it stays sticky here too.
      if (frame.error.field !== undefined) p.refused?.()
      p.reject(new ApiCallError(frame.error))
    } else if ('event' in frame && (EVENT_NAMES as readonly string[]).includes(frame.event)) {
      emit(frame.event, frame.payload)
    }
  }

  const restoreWatch = (): void => {
    const watch = sticky
    if (!watch || queue.some((p) => p.command === 'watch')) return
    transmit({
      id: nextId++,
      command: 'watch',
      request: watch,
      // the reply is the window's first snapshot: hand it on like any pushed one
      resolve: (value) => emit('snapshot', value),
      reject: () => undefined,
      refused: () => {
        if (sticky === watch) sticky = null
      },
    })
  }

  const dropped = (): void => {
    for (const p of inFlight.values()) p.reject(new Error('connection lost'))
    inFlight.clear()
    if (closed) return
    setState('reconnecting')
    const delay = Math.min(maxDelay, initialDelay * 2 ** Math.min(retries, 16))
    retries++
    retryTimer = setTimeout(() => {
      retryTimer = null
      connect()
    }, delay)
  }

  const connect = (): void => {
    const ws = new Impl(url)
    socket = ws
    ws.onopen = () => {
      if (ws !== socket) return
      retries = 0
      setState('open')
      restoreWatch()
      for (const p of queue.splice(0)) transmit(p)
    }
    ws.onmessage = (ev: MessageEvent) => {
      if (ws === socket) receive(ev.data)
    }
    ws.onclose = () => {
      if (ws !== socket) return
      socket = null
      dropped()
    }
    // an error is always followed by a close, which does the work
    ws.onerror = () => undefined
  }

  const call = (command: CommandName, request: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (closed) return reject(new Error('the connection is closed'))
      const p: Pending = { id: nextId++, command, request, resolve, reject }
      if (command === 'watch') {
        const previous = sticky
        const mine = request as WatchRequest
        sticky = mine
        p.refused = () => {
          if (sticky === mine) sticky = previous
        }
      }
      if (isOpen()) transmit(p)
      else if (queue.length >= maxQueued) reject(new Error('not connected'))
      else queue.push(p)
    })

  // TypeScript cannot relate an object filled by a loop over COMMAND_NAMES to the mapped type the
  // loop covers, so this one cast says it; each method forwards its name and request untouched, and
  // the reply's value is whatever the core's handler for that command returned.
  const commands = Object.fromEntries(
    COMMAND_NAMES.map((name) => [name, (request?: unknown) => call(name, request)]),
  ) as Omit<TickflowApi, 'on'>

  connect()

  return {
    ...commands,
    on(event, listener) {
      if (!(EVENT_NAMES as readonly string[]).includes(event)) throw new Error(`unknown event: ${event}`)
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      const l = listener as (payload: unknown) => void
      set.add(l)
      return () => void set.delete(l)
    },
    connection: () => state,
    onConnection(listener) {
      stateListeners.add(listener)
      return () => void stateListeners.delete(listener)
    },
    close() {
      if (closed) return
      closed = true
      if (retryTimer) clearTimeout(retryTimer)
      const ws = socket
      socket = null
      ws?.close()
      const err = (): Error => new Error('the connection is closed')
      for (const p of [...queue.splice(0), ...inFlight.values()]) p.reject(err())
      inFlight.clear()
    },
  }
}

/** A listener that throws must not starve the others, nor go unseen. */
function safely(fn: () => void): void {
  try {
    fn()
  } catch (err) {
    console.error(err)
  }
}
