import { randomUUID } from 'node:crypto'
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer, type RawData } from 'ws'
import { z } from 'zod'
import type { CommandName } from '../../shared/channels'
import type { ServerFrame } from '../../shared/contract'
import { dispatch, toApiError } from '../api/dispatch'
import type { Core } from '../api/handlers'
import type { ClientPort } from '../api/core-services'
import { isAuthorized, splitUrl } from './auth'

/** What the transport needs of the core: the handlers, and a way to register a client for pushes. */
export type ServedCore = Pick<Core, CommandName | 'connect'>

export interface WsTransportOptions {
  core: ServedCore
  token: string
  /** the WebSocket's path on the HTTP server */
  path: string
  /** keep-alive period; a socket that misses a whole period's pong is terminated */
  pingMs?: number
  /** above this many buffered bytes a socket gets no snapshots until it catches up */
  maxBufferedBytes?: number
  /** requests one socket may have running at once */
  maxInFlight?: number
  /** a socket whose unsent output passes this many bytes is closed: it stopped reading */
  maxSocketBytes?: number
  /** sockets open at once; more are refused */
  maxClients?: number
  /** served over HTTPS: the page's Origin is https:// */
  secure?: boolean
  /** the Host headers to answer (see host-check.ts); default any */
  hostAllowed?: (host?: string) => boolean
}

export interface WsTransport {
  /** connected sockets */
  clients(): number
  /** snapshots skipped so far because a socket was behind */
  skippedSnapshots(): number
  /** sockets closed so far because their unsent output passed maxSocketBytes */
  overflowedSockets(): number
  /** terminates every socket and stops accepting new ones */
  close(): void
}

const MAX_PAYLOAD = 1024 * 1024

const frameSchema = z
  .object({
    id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    command: z.string().max(100),
    request: z.unknown().optional(),
  })
  .strict()

/**
 * Browser mode's transport for the typed API: one WebSocket per tab on the HTTP server's `path`.
 * The upgrade needs the token (cookie or ?token=) and our own Origin; each socket is a client of
 * the core, its frames go through the same dispatch() as Electron's IPC.
 */
export function attachWsTransport(server: Server, opts: WsTransportOptions): WsTransport {
  const { core, token, path } = opts
  const maxBuffered = opts.maxBufferedBytes ?? 4 * 1024 * 1024
  const maxInFlight = opts.maxInFlight ?? 64
  // A snapshot of a long window is a few hundred kB: 16 MiB is dozens of them unread.
  const maxSocketBytes = opts.maxSocketBytes ?? 16 * 1024 * 1024
  // a tab holds one socket; this is many tabs, far below what would exhaust file descriptors
  const maxClients = opts.maxClients ?? 32
  const scheme = opts.secure ? 'https' : 'http'
  const hostAllowed = opts.hostAllowed ?? (() => true)
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD })
  const alive = new WeakMap<WebSocket, boolean>()
  let skipped = 0
  let overflowed = 0
  let closed = false

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (closed) return refuse(socket, 503, 'Service Unavailable')
    if (!hostAllowed(req.headers.host)) return refuse(socket, 421, 'Misdirected Request')
    if (splitUrl(req.url).path !== path) return refuse(socket, 404, 'Not Found')
    if (!isAuthorized(req, token)) return refuse(socket, 401, 'Unauthorized')
    // A page of another site must not drive the API, even if it could somehow present the token.
    if (!req.headers.host || req.headers.origin !== `${scheme}://${req.headers.host}`)
      return refuse(socket, 403, 'Forbidden')
    if (wss.clients.size >= maxClients) return refuse(socket, 503, 'Service Unavailable')
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws))
  })

  function onSocket(ws: WebSocket): void {
    const clientId = randomUUID()
    let inFlight = 0
    alive.set(ws, true)
    ws.on('pong', () => alive.set(ws, true))
    // A protocol error (an oversized frame, say) closes the socket; it must never throw.
    ws.on('error', () => ws.terminate())

    const send = (frame: ServerFrame): void => {
      if (ws.readyState !== WebSocket.OPEN) return
      let text: string
      try {
        text = JSON.stringify(frame)
      } catch {
        // A value JSON cannot carry (a cycle, a bigint) is a bug in main, not a reason to crash.
        if (!('id' in frame)) return
        text = JSON.stringify({
          id: frame.id,
          ok: false,
          error: { message: 'the reply could not be encoded' },
        })
      }
      ws.send(text)
      // Replies and events queue in memory while the peer does not read; stop before that grows.
      if (ws.bufferedAmount > maxSocketBytes) {
        overflowed++
        ws.terminate()
      }
    }
    const port: ClientPort = {
      push(event, payload) {
        // A slow tab misses snapshots (the next one supersedes them anyway) rather than queueing
        // without bound; status, alerts and config are small and each one matters.
        if (event === 'snapshot' && ws.bufferedAmount > maxBuffered) {
          skipped++
          return
        }
        send({ event, payload })
      },
    }
    let disconnect: (() => void) | null
    try {
      disconnect = core.connect(clientId, port)
    } catch {
      ws.close(1011, 'the core refused the client')
      return
    }
    ws.on('close', () => {
      const d = disconnect
      disconnect = null
      d?.()
    })

    ws.on('message', (data: RawData, isBinary: boolean) => {
      const frame = parseFrame(data, isBinary)
      if ('error' in frame) return send({ id: frame.id, ok: false, error: { message: frame.error } })
      if (inFlight >= maxInFlight)
        return send({ id: frame.id, ok: false, error: { message: 'too many requests in flight' } })
      inFlight++
      dispatch(core, frame.command, frame.request, { clientId })
        .then(
          (value) => send({ id: frame.id, ok: true, value }),
          (err: unknown) => send({ id: frame.id, ok: false, error: toApiError(err) }),
        )
        .finally(() => inFlight--)
    })
  }

  const pingMs = opts.pingMs ?? 20_000
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate()
        continue
      }
      alive.set(ws, false)
      ws.ping()
    }
  }, pingMs)
  timer.unref()

  return {
    clients: () => wss.clients.size,
    skippedSnapshots: () => skipped,
    overflowedSockets: () => overflowed,
    close() {
      if (closed) return
      closed = true
      clearInterval(timer)
      for (const ws of wss.clients) ws.terminate()
      wss.close()
    },
  }
}

type ParsedFrame = { id: number; command: string; request: unknown } | { id: number; error: string }

/** A request frame, or the error to reply with (under the frame's id when it has a usable one). */
export function parseFrame(data: RawData, isBinary: boolean): ParsedFrame {
  if (isBinary) return { id: -1, error: 'binary frames are not accepted' }
  let json: unknown
  try {
    json = JSON.parse(rawText(data))
  } catch {
    return { id: -1, error: 'malformed JSON' }
  }
  const parsed = frameSchema.safeParse(json)
  if (parsed.success)
    return { id: parsed.data.id, command: parsed.data.command, request: parsed.data.request }
  const maybeId = z.object({ id: frameSchema.shape.id }).safeParse(json)
  const issue = parsed.error.issues[0]
  const where = issue?.path.join('.')
  return {
    id: maybeId.success ? maybeId.data.id : -1,
    error: `malformed request frame${where ? ` (${where})` : ''}: ${issue?.message ?? 'invalid'}`,
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return data.toString('utf8')
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.on('error', () => socket.destroy())
  const body = `${reason}\n`
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}
