import { createServer, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { performance } from 'node:perf_hooks'
import { WebSocketServer, type WebSocket } from 'ws'
import type { FinnhubTrade } from '../../../shared/trade'
import { MAX_SYMBOLS, SYMBOL_PATTERN } from '../../../shared/symbols'
import { Market } from './simulator-market'

/** A Finnhub-protocol WebSocket server: the Demo source, the benchmark's load and the tests' counterpart. */

export interface SimulatorOptions {
  /** 0 (default) picks a free port */
  port?: number
  host?: string
  /** Required `token` query parameter; undefined accepts any (or none). A wrong one gets HTTP 401. */
  token?: string
  seed?: number
  /** Aggregate trades per second sent to each connection, across its subscribed symbols. */
  tradesPerSecond?: number
  /** Inclusive [min, max] trades per frame. */
  tradesPerFrame?: [number, number]
  /** 0 disables pings. */
  pingIntervalMs?: number
  /** Drop every connection this often, as the real server does now and then. */
  dropEveryMs?: number
  maxSymbols?: number
  /** Syntactically valid symbols to answer with "Invalid symbol", like an unknown ticker. */
  invalidSymbols?: string[]
  /** Emission timer period. Trades owed are computed from elapsed time, so the rate does not drift. */
  tickMs?: number
  /** Above this many frames per tick, frames get bigger instead of more numerous. */
  maxFramesPerTick?: number
  /** A slow client's socket buffer above this skips frames (counted in stats) instead of growing memory. */
  maxBufferedBytes?: number
  /** Called with every trade frame actually sent. */
  onSent?: (trades: FinnhubTrade[], raw: string) => void
  /** Keep every sent trade in `sent` (tests only: it grows without bound). */
  retainSent?: boolean
  /** Clock for trade timestamps. */
  now?: () => number
}

export interface SimulatorStats {
  handshakes: number
  rejectedHandshakes: number
  /** open connections now */
  connections: number
  sentTrades: number
  sentFrames: number
  /** owed trades not sent because a client was too slow or the event loop stalled */
  skippedTrades: number
  pings: number
  errorsSent: number
  injectedFrames: number
}

export interface Simulator {
  readonly url: string
  readonly port: number
  /** every sent trade, in order, when retainSent is set */
  readonly sent: FinnhubTrade[]
  stats(): SimulatorStats
  /** subscribed symbols of each open connection */
  subscriptions(): string[][]
  setRate(tradesPerSecond: number): void
  /** Sends text as-is to every open connection; returns how many it reached. */
  injectRaw(text: string): number
  /** Abruptly drops every connection; returns how many. */
  dropConnections(): number
  stop(): Promise<void>
}

interface Client {
  ws: WebSocket
  symbols: Set<string>
  symbolList: string[]
  owed: number
  nextSize: number
  lastTick: number
}

const PING = JSON.stringify({ type: 'ping' })

function errorFrame(msg: string): string {
  return JSON.stringify({ type: 'error', msg })
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1'
  const [minSize, maxSize] = options.tradesPerFrame ?? [1, 8]
  if (!(minSize >= 1 && maxSize >= minSize))
    throw new Error('tradesPerFrame must be [min, max] with 1 <= min <= max')
  const tickMs = options.tickMs ?? 20
  const maxFramesPerTick = options.maxFramesPerTick ?? 200
  const maxBuffered = options.maxBufferedBytes ?? 16 * 1024 * 1024
  const maxSymbols = options.maxSymbols ?? MAX_SYMBOLS
  const invalid = new Set(options.invalidSymbols ?? [])
  const now = options.now ?? Date.now
  const market = new Market(options.seed ?? 1)
  let rate = options.tradesPerSecond ?? 20
  const clients = new Set<Client>()
  const sent: FinnhubTrade[] = []
  const stats: SimulatorStats = {
    handshakes: 0,
    rejectedHandshakes: 0,
    connections: 0,
    sentTrades: 0,
    sentFrames: 0,
    skippedTrades: 0,
    pings: 0,
    errorsSent: 0,
    injectedFrames: 0,
  }

  const sendError = (client: Client, msg: string): void => {
    stats.errorsSent++
    client.ws.send(errorFrame(msg))
  }

  const onMessage = (client: Client, text: string): void => {
    let msg: { type?: unknown; symbol?: unknown }
    try {
      msg = JSON.parse(text) as typeof msg
    } catch {
      return sendError(client, 'Invalid message')
    }
    if (typeof msg !== 'object' || msg === null) return sendError(client, 'Invalid message')
    const symbol = msg.symbol
    if (msg.type !== 'subscribe' && msg.type !== 'unsubscribe')
      return sendError(client, 'Invalid message type')
    if (typeof symbol !== 'string' || !SYMBOL_PATTERN.test(symbol) || invalid.has(symbol)) {
      return sendError(client, `Invalid symbol ${String(symbol)}`)
    }
    if (msg.type === 'unsubscribe') client.symbols.delete(symbol)
    else if (client.symbols.has(symbol)) return
    else if (client.symbols.size >= maxSymbols) return sendError(client, 'Subscribing to too many symbols')
    else client.symbols.add(symbol)
    client.symbolList = [...client.symbols]
  }

  const wss = new WebSocketServer({ noServer: true })
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket only\n')
  })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    stats.handshakes++
    const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token')
    if (options.token !== undefined && token !== options.token) {
      stats.rejectedHandshakes++
      const body = 'Invalid API key\n'
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
          `Content-Length: ${body.length}\r\n\r\n${body}`,
      )
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const client: Client = { ws, symbols: new Set(), symbolList: [], owed: 0, nextSize: 0, lastTick: 0 }
      client.nextSize = market.frameSize(minSize, maxSize)
      client.lastTick = performance.now()
      clients.add(client)
      stats.connections = clients.size
      ws.on('message', (data, isBinary) => {
        if (!isBinary) onMessage(client, data.toString())
      })
      ws.on('error', () => ws.terminate())
      ws.on('close', () => {
        clients.delete(client)
        stats.connections = clients.size
      })
    })
  })

  const emit = (client: Client, size: number): void => {
    const trades = market.nextFrame(client.symbolList, size, now())
    const raw = JSON.stringify({ type: 'trade', data: trades })
    client.ws.send(raw)
    stats.sentFrames++
    stats.sentTrades += trades.length
    if (options.retainSent) for (const t of trades) sent.push(t)
    options.onSent?.(trades, raw)
  }

  const tick = (): void => {
    const t = performance.now()
    // Bigger frames at high rates keep the per-frame cost (and the timer's work) bounded.
    const avgSize = (minSize + maxSize) / 2
    const scale = Math.max(1, Math.ceil((rate * tickMs) / 1000 / avgSize / maxFramesPerTick))
    for (const client of clients) {
      const elapsed = (t - client.lastTick) / 1000
      client.lastTick = t
      if (client.symbolList.length === 0 || client.ws.readyState !== client.ws.OPEN) {
        client.owed = 0
        continue
      }
      client.owed += rate * elapsed
      // After a stall, send at most one second's worth at once and count the rest as skipped.
      const cap = Math.max(rate, maxSize * scale)
      if (client.owed > cap) {
        stats.skippedTrades += Math.floor(client.owed - cap)
        client.owed = cap
      }
      while (client.owed >= client.nextSize * scale) {
        const size = client.nextSize * scale
        client.owed -= size
        client.nextSize = market.frameSize(minSize, maxSize)
        if (client.ws.bufferedAmount > maxBuffered) stats.skippedTrades += size
        else emit(client, size)
      }
    }
  }

  const broadcast = (text: string): number => {
    let n = 0
    for (const c of clients) {
      if (c.ws.readyState !== c.ws.OPEN) continue
      c.ws.send(text)
      n++
    }
    return n
  }

  const dropConnections = (): number => {
    const n = clients.size
    for (const c of clients) c.ws.terminate()
    return n
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('simulator has no TCP address')
  const timers = [setInterval(tick, tickMs)]
  if (options.pingIntervalMs !== 0) {
    timers.push(setInterval(() => (stats.pings += broadcast(PING)), options.pingIntervalMs ?? 15_000))
  }
  if (options.dropEveryMs) timers.push(setInterval(dropConnections, options.dropEveryMs))

  return {
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    port: address.port,
    sent,
    stats: () => ({ ...stats }),
    subscriptions: () => [...clients].map((c) => [...c.symbolList]),
    setRate: (tps: number) => {
      rate = Math.max(0, tps)
    },
    injectRaw: (text: string) => {
      const n = broadcast(text)
      stats.injectedFrames += n
      return n
    },
    dropConnections,
    stop: async () => {
      for (const timer of timers) clearInterval(timer)
      dropConnections()
      wss.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
