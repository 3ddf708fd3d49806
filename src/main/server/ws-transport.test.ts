import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { ServerFrame, WindowSnapshot } from '../../shared/contract'
import { startDashboardServer, type DashboardServer } from './http-server'
import { fakeBuild, fakeCore, until, type FakeCore } from '../../../test/helpers/server-support'
import { attachWsTransport, parseFrame, type WsTransport } from './ws-transport'

let build: Awaited<ReturnType<typeof fakeBuild>>
let core: FakeCore
let server: DashboardServer
const sockets: WebSocket[] = []

beforeEach(async () => {
  build = await fakeBuild()
  core = fakeCore()
  server = await startDashboardServer({ core, rendererDir: build.rendererDir })
})
afterEach(async () => {
  for (const ws of sockets.splice(0)) if (ws.readyState !== WebSocket.CONNECTING) ws.terminate()
  await server.close()
  await build.cleanup()
})

const origin = (): string => `http://127.0.0.1:${server.port}`

/** A socket that remembers every frame it gets; resolves once open. */
async function connect(
  opts: {
    cookie?: string | null
    origin?: string | null
    query?: string
    port?: number
    autoPong?: boolean
  } = {},
): Promise<{
  ws: WebSocket
  frames: ServerFrame[]
  next: (pred: (f: ServerFrame) => boolean) => Promise<ServerFrame>
}> {
  const port = opts.port ?? server.port
  const headers: Record<string, string> = {}
  const cookie = opts.cookie === undefined ? `tickflow_token=${server.token}` : opts.cookie
  if (cookie) headers.Cookie = cookie
  const o = opts.origin === undefined ? `http://127.0.0.1:${port}` : opts.origin
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api${opts.query ?? ''}`, {
    headers,
    autoPong: opts.autoPong ?? true,
    ...(o ? { origin: o } : {}),
  })
  sockets.push(ws)
  ws.on('error', () => undefined) // a refused upgrade rejects below
  const frames: ServerFrame[] = []
  ws.on('message', (d) => frames.push(JSON.parse(String(d)) as ServerFrame))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
  const next = async (pred: (f: ServerFrame) => boolean): Promise<ServerFrame> => {
    await until(() => frames.some(pred))
    return frames.find(pred)!
  }
  return { ws, frames, next }
}

const reply = (id: number) => (f: ServerFrame) => 'id' in f && f.id === id

describe('the WebSocket upgrade', () => {
  it('needs the token, from the cookie or ?token=', async () => {
    await expect(connect({ cookie: null })).rejects.toThrow('HTTP 401')
    await expect(connect({ cookie: 'tickflow_token=wrong' })).rejects.toThrow('HTTP 401')
    await expect(connect({ cookie: null, query: '?token=wrong' })).rejects.toThrow('HTTP 401')
    await connect({ cookie: null, query: `?token=${server.token}` })
  })

  it('needs our own Origin', async () => {
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow('HTTP 403')
    await expect(connect({ origin: `http://localhost:${server.port}` })).rejects.toThrow('HTTP 403')
    await expect(connect({ origin: null })).rejects.toThrow('HTTP 403')
    await connect({ origin: origin() })
  })

  it('lives on /api only', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/other`, {
      headers: { Cookie: `tickflow_token=${server.token}` },
      origin: origin(),
    })
    sockets.push(ws)
    ws.on('error', () => undefined)
    const status = await new Promise<number>((resolve) =>
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    )
    expect(status).toBe(404)
  })
})

describe('requests and replies', () => {
  it('replies under the request id, with the caller as context', async () => {
    const { ws, next } = await connect()
    ws.send(JSON.stringify({ id: 7, command: 'subscribe', request: { symbol: 'IC MARKETS:1' } }))
    ws.send(JSON.stringify({ id: 8, command: 'getAlerts' }))
    expect(await next(reply(7))).toEqual({ id: 7, ok: true, value: ['AAPL', 'IC MARKETS:1'] })
    expect(await next(reply(8))).toEqual({ id: 8, ok: true, value: [] })
    const [clientId] = [...core.ports.keys()]
    expect(core.calls.map((c) => c.ctx)).toEqual([{ clientId }, { clientId }])
  })

  it('gives each socket its own client id', async () => {
    await connect()
    await connect()
    expect(core.ports.size).toBe(2)
  })

  it('turns a bad request into an error reply naming the field', async () => {
    const { ws, next } = await connect()
    ws.send(JSON.stringify({ id: 1, command: 'subscribe', request: { symbol: 'no;semicolons' } }))
    const f = await next(reply(1))
    expect(f).toMatchObject({ id: 1, ok: false, error: { field: 'symbol' } })
    expect('error' in f && f.error.message).toMatch(/^symbol: symbol must be/)
    expect(core.calls).toEqual([])
  })

  it('answers an unknown command, and a handler that throws, with an error reply', async () => {
    const { ws, next } = await connect()
    ws.send(JSON.stringify({ id: 2, command: 'rmRf' }))
    ws.send(JSON.stringify({ id: 3, command: 'getStatus' }))
    expect(await next(reply(2))).toEqual({ id: 2, ok: false, error: { message: 'unknown command: rmRf' } })
    // a handler's own words stay in the log: the client gets their reference
    expect(await next(reply(3))).toEqual({
      id: 3,
      ok: false,
      error: {
        message: expect.stringMatching(/^internal error \(ref [0-9a-f]{8}\): the log has the details$/),
      },
    })
  })

  it('survives malformed frames', async () => {
    const { ws, next, frames } = await connect()
    ws.send('{not json')
    ws.send(JSON.stringify({ id: 4, request: {} }))
    ws.send(JSON.stringify([1, 2]))
    ws.send(Buffer.from('binary'), { binary: true })
    ws.send(JSON.stringify({ id: 5, command: 'getAlerts' }))
    await next(reply(5))
    expect(frames.filter(reply(-1))).toHaveLength(3)
    expect(frames.find(reply(-1))).toEqual({ id: -1, ok: false, error: { message: 'malformed JSON' } })
    expect(await next(reply(4))).toMatchObject({ id: 4, ok: false, error: { message: /command/ } })
  })

  it('closes a socket that sends more than the frame limit', async () => {
    const { ws } = await connect()
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.send('x'.repeat(2 * 1024 * 1024))
    expect(await closed).toBe(1009)
    await until(() => core.disconnected.length === 1)
  })
})

describe('events and the client lifecycle', () => {
  it('pushes the core events to the connected client', async () => {
    const { next } = await connect()
    const [port] = [...core.ports.values()]
    port!.push('alert', {
      id: 'a1',
      level: 'warning',
      message: 'lag is high',
    } as never)
    expect(await next((f) => 'event' in f)).toEqual({
      event: 'alert',
      payload: { id: 'a1', level: 'warning', message: 'lag is high' },
    })
  })

  it('refuses a Host that is not one of its loopback names', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, {
      headers: { Cookie: `tickflow_token=${server.token}`, Host: `evil.example:${server.port}` },
      origin: `http://evil.example:${server.port}`,
    })
    sockets.push(ws)
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.once('open', () => resolve(101))
    })
    expect(status).toBe(421)
  })

  it('disconnects the client when its socket closes, and on server close', async () => {
    const a = await connect()
    await connect()
    const ids = [...core.ports.keys()]
    a.ws.close()
    await until(() => core.disconnected.length === 1)
    expect(core.disconnected).toEqual([ids[0]])
    await server.close()
    await until(() => core.disconnected.length === 2)
    expect(server.transport.clients()).toBe(0)
  })
})

describe('backpressure and keep-alive', () => {
  let http: Server
  let transport: WsTransport
  let port: number
  afterEach(async () => {
    transport.close()
    await new Promise<void>((r) => http.close(() => r()))
  })

  async function bare(opts: {
    maxBufferedBytes?: number
    pingMs?: number
    maxSocketBytes?: number
    maxClients?: number
  }): Promise<void> {
    http = createServer()
    transport = attachWsTransport(http, { core, token: server.token, path: '/api', ...opts })
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()))
    port = (http.address() as AddressInfo).port
  }

  it('skips snapshots for a socket that is behind, never status or alerts', async () => {
    await bare({ maxBufferedBytes: -1 }) // every socket counts as behind
    const { frames, next } = await connect({ port })
    const [p] = [...core.ports.values()]
    p!.push('snapshot', {} as WindowSnapshot)
    p!.push('alert', { id: 'x' } as never)
    await next((f) => 'event' in f && f.event === 'alert')
    expect(frames.filter((f) => 'event' in f && f.event === 'snapshot')).toEqual([])
  })

  it('closes a socket whose unsent replies and events pass the bound, and only that one', async () => {
    await bare({ maxSocketBytes: 1024 * 1024 })
    const stuck = await connect({ port })
    const reading = await connect({ port })
    // the stuck client stops reading: the kernel's buffers fill, then the server's queue grows
    ;(stuck.ws as unknown as { _socket: { pause(): void } })._socket.pause()
    const [stuckPort, readingPort] = [...core.ports.values()]
    const big = { id: 'x'.repeat(256 * 1024) } as never
    for (let i = 0; i < 200 && transport.overflowedSockets() === 0; i++) {
      stuckPort!.push('alert', big)
      await new Promise((r) => setImmediate(r))
    }
    expect(transport.overflowedSockets()).toBe(1)
    await until(() => core.disconnected.length === 1)
    readingPort!.push('alert', { id: 'still here' } as never)
    await reading.next((f) => 'event' in f && (f.payload as { id?: string }).id === 'still here')
  })

  it('refuses sockets past the cap', async () => {
    await bare({ maxClients: 2 })
    await connect({ port })
    const second = await connect({ port })
    await expect(connect({ port })).rejects.toThrow('HTTP 503')
    second.ws.close()
    await until(() => transport.clients() === 1)
    await connect({ port })
  })

  it('terminates a socket that stops answering pings', async () => {
    await bare({ pingMs: 30 })
    const quiet = await connect({ port, autoPong: false })
    const lively = await connect({ port })
    await new Promise<void>((resolve) => quiet.ws.once('close', () => resolve()))
    await until(() => core.disconnected.length === 1)
    expect(lively.ws.readyState).toBe(WebSocket.OPEN)
  })
})

describe('parseFrame', () => {
  it('keeps a usable id for an error reply', () => {
    expect(parseFrame(Buffer.from('{"id":9,"command":1}'), false)).toMatchObject({ id: 9 })
    expect(parseFrame(Buffer.from('{"id":-3,"command":"x"}'), false)).toMatchObject({ id: -1 })
    expect(parseFrame(Buffer.from('{"id":1,"command":"x","extra":1}'), false)).toMatchObject({
      id: 1,
      error: expect.stringMatching(/unrecognized|extra/i),
    })
  })
})
