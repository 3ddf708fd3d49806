import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import type { ConnectionState } from './ws-client'
import { ApiCallError, createWsApi, type WsApi } from './ws-client'

interface Frame {
  id: number
  command: string
  request?: unknown
}
type Answer = (frame: Frame) => unknown

/** A stand-in for serve's /api: records the frames, replies with answer() unless it returns undefined. */
class FakeServer {
  frames: Frame[] = []
  private wss!: WebSocketServer
  constructor(private readonly answer: Answer) {}

  async start(port = 0): Promise<number> {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port })
    await new Promise<void>((r) => this.wss.once('listening', () => r()))
    this.wss.on('connection', (ws) =>
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Frame
        this.frames.push(frame)
        const reply = this.answer(frame)
        if (reply !== undefined) ws.send(JSON.stringify({ id: frame.id, ...(reply as object) }))
      }),
    )
    return (this.wss.address() as { port: number }).port
  }

  push(event: string, payload: unknown): void {
    for (const ws of this.wss.clients) ws.send(JSON.stringify({ event, payload }))
  }

  async stop(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate()
    await new Promise<void>((r) => this.wss.close(() => r()))
  }
}

const ok = (value: unknown): object => ({ ok: true, value })

async function until(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting for a condition')
    await new Promise((r) => setTimeout(r, 5))
  }
}

let server: FakeServer | null = null
let client: WsApi | null = null
afterEach(async () => {
  client?.close()
  await server?.stop()
  client = null
  server = null
})

async function setup(
  answer: Answer,
  opts: { maxQueued?: number } = {},
): Promise<{ port: number; api: WsApi }> {
  server = new FakeServer(answer)
  const port = await server.start()
  client = createWsApi(`ws://127.0.0.1:${port}/api`, {
    WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
    backoffMs: { initial: 10, max: 50 },
    ...opts,
  })
  return { port, api: client }
}

const WATCH = { window: { preset: '5m' as const } }
const WATCH_1H = { window: { preset: '1h' as const }, symbol: 'AAPL' }

describe('createWsApi', () => {
  it('sends increasing ids and resolves each reply by its id', async () => {
    const { api } = await setup((f) =>
      f.command === 'subscribe' ? ok(['AAPL', (f.request as { symbol: string }).symbol]) : ok([]),
    )
    expect(api.connection()).toBe('connecting')
    const [a, b] = await Promise.all([api.subscribe({ symbol: 'IC MARKETS:1' }), api.getAlerts()])
    expect(a).toEqual(['AAPL', 'IC MARKETS:1'])
    expect(b).toEqual([])
    expect(server!.frames).toEqual([
      { id: 1, command: 'subscribe', request: { symbol: 'IC MARKETS:1' } },
      { id: 2, command: 'getAlerts' },
    ])
    expect(api.connection()).toBe('open')
  })

  it('turns an error reply into a rejection carrying the field', async () => {
    const { api } = await setup(() => ({ ok: false, error: { message: 'symbol: bad', field: 'symbol' } }))
    const err: unknown = await api.subscribe({ symbol: '?' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiCallError)
    expect(err).toMatchObject({ message: 'symbol: bad', field: 'symbol' })
  })

  it('hands pushed events to their listeners until they unsubscribe', async () => {
    const { api } = await setup(() => ok(null))
    const got: unknown[] = []
    const off = api.on('alert', (a) => got.push(a))
    api.on('status', () => got.push('wrong event'))
    await api.getAlerts()
    server!.push('alert', { id: 'a1' })
    server!.push('nonsense', {})
    await until(() => got.length === 1)
    off()
    server!.push('alert', { id: 'a2' })
    await api.getAlerts() // a round trip: the second alert has arrived by now
    expect(got).toEqual([{ id: 'a1' }])
    expect(() => api.on('bogus' as 'alert', () => undefined)).toThrow('unknown event: bogus')
  })

  it('reconnects after the server restarts: open → reconnecting → open', async () => {
    const { port, api } = await setup(() => ok('pong'))
    const states: ConnectionState[] = []
    api.onConnection((s) => states.push(s))
    await api.getAlerts()
    await server!.stop()
    await until(() => api.connection() === 'reconnecting')
    await server!.start(port)
    await until(() => api.connection() === 'open')
    expect(states).toEqual(expect.arrayContaining(['open', 'reconnecting']))
    expect(states.slice(-2)).toEqual(['reconnecting', 'open'])
    expect(states.filter((s) => s === 'open')).toHaveLength(2)
    expect(await api.getAlerts()).toBe('pong')
  })

  it('re-sends the last watch after a reconnect and passes its reply on as a snapshot', async () => {
    const { port, api } = await setup((f) => ok(f.command === 'watch' ? { watch: f.request } : null))
    const snapshots: unknown[] = []
    api.on('snapshot', (s) => snapshots.push(s))
    await api.watch(WATCH)
    await api.watch(WATCH_1H)
    await server!.stop()
    server!.frames = []
    await server!.start(port)
    await until(() => snapshots.length === 1)
    expect(server!.frames).toEqual([{ id: expect.any(Number), command: 'watch', request: WATCH_1H }])
    expect(snapshots).toEqual([{ watch: WATCH_1H }])
  })

  it('does not keep a watch the core refused', async () => {
    const { port, api } = await setup((f) =>
      f.command === 'watch' && (f.request as typeof WATCH_1H).symbol
        ? { ok: false, error: { message: 'no such symbol', field: 'symbol' } }
        : ok(null),
    )
    await api.watch(WATCH)
    await expect(api.watch(WATCH_1H)).rejects.toThrow('no such symbol')
    await server!.stop()
    server!.frames = []
    await server!.start(port)
    await until(() => server!.frames.length === 1)
    expect(server!.frames[0]).toMatchObject({ command: 'watch', request: WATCH })
  })

  it('keeps a watch whose first query failed: the core still watches it', async () => {
    const { port, api } = await setup((f) =>
      f.command === 'watch' && (f.request as typeof WATCH_1H).symbol
        ? { ok: false, error: { message: 'KPI snapshot failed: connection lost' } }
        : ok(null),
    )
    await api.watch(WATCH)
    await expect(api.watch(WATCH_1H)).rejects.toThrow('KPI snapshot failed')
    await server!.stop()
    server!.frames = []
    await server!.start(port)
    await until(() => server!.frames.length === 1)
    expect(server!.frames[0]).toMatchObject({ command: 'watch', request: WATCH_1H })
  })

  it('queues requests made while disconnected and sends them once open', async () => {
    const { port, api } = await setup(() => ok('late'))
    await api.getAlerts()
    await server!.stop()
    await until(() => api.connection() === 'reconnecting')
    const pending = api.getConfig()
    await new Promise((r) => setTimeout(r, 30))
    await server!.start(port)
    expect(await pending).toBe('late')
  })

  it('refuses requests beyond the queue bound', async () => {
    const { port, api } = await setup(() => ok(1), { maxQueued: 2 })
    await api.getAlerts()
    await server!.stop()
    await until(() => api.connection() === 'reconnecting')
    const queued = [api.getConfig(), api.getConfig()]
    await expect(api.getConfig()).rejects.toThrow('not connected')
    await server!.start(port)
    expect(await Promise.all(queued)).toEqual([1, 1])
  })

  it('rejects requests in flight when the connection drops', async () => {
    const { api } = await setup((f) => (f.command === 'getAlerts' ? ok([]) : undefined))
    await api.getAlerts()
    const hanging = api.exportCsv({ from: 0, to: 1 })
    await until(() => server!.frames.length === 2)
    await server!.stop()
    await expect(hanging).rejects.toThrow('connection lost')
  })

  it('stops for good on close(), refusing what is pending', async () => {
    const { api } = await setup(() => undefined)
    await until(() => api.connection() === 'open')
    const states: ConnectionState[] = []
    api.onConnection((s) => states.push(s))
    const hanging = api.getStatus()
    await until(() => server!.frames.length === 1)
    api.close()
    await expect(hanging).rejects.toThrow('closed')
    await expect(api.getStatus()).rejects.toThrow('closed')
    await new Promise((r) => setTimeout(r, 60))
    expect(states).toEqual([])
  })
})
