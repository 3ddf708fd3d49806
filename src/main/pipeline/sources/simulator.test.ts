import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { finnhubTradeSchema } from '../../../shared/trade'
import { startSimulator, type Simulator, type SimulatorOptions } from './simulator'
import { tradesIn, waitFor } from '../../../../test/helpers/source-helpers'

let sim: Simulator | undefined
const sockets: WebSocket[] = []

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate()
  await sim?.stop()
  sim = undefined
})

async function start(opts: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator({ pingIntervalMs: 0, ...opts })
  return sim
}

/** Opens a raw socket and collects its text frames; resolves with the HTTP status on a refused handshake. */
function connect(url: string): Promise<{ ws: WebSocket; frames: string[] } | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    sockets.push(ws)
    const frames: string[] = []
    ws.on('message', (d) => frames.push(d.toString()))
    ws.on('open', () => resolve({ ws, frames }))
    ws.on('unexpected-response', (_req, res) => {
      res.resume()
      ws.terminate()
      resolve({ status: res.statusCode ?? 0 })
    })
    ws.on('error', (err) => reject(err))
  })
}

async function open(url: string): Promise<{ ws: WebSocket; frames: string[] }> {
  const c = await connect(url)
  if ('status' in c) throw new Error(`handshake refused with HTTP ${c.status}`)
  return c
}

const sub = (ws: WebSocket, symbol: string, type = 'subscribe'): void =>
  ws.send(JSON.stringify({ type, symbol }))

describe('simulator', () => {
  it('answers a missing or wrong token with HTTP 401 and accepts the right one', async () => {
    const s = await start({ token: 'sekret' })
    expect(await connect(s.url)).toEqual({ status: 401 })
    expect(await connect(`${s.url}?token=wrong`)).toEqual({ status: 401 })
    expect('ws' in (await connect(`${s.url}?token=sekret`))).toBe(true)
    expect(s.stats()).toMatchObject({ handshakes: 3, rejectedHandshakes: 2 })
  })

  it('accepts any token when none is configured', async () => {
    const s = await start()
    expect('ws' in (await connect(`${s.url}?token=anything`))).toBe(true)
    expect('ws' in (await connect(s.url))).toBe(true)
  })

  it('sends trades only for subscribed symbols, exactly as reported by onSent', async () => {
    const sentRaw: string[] = []
    const s = await start({
      tradesPerSecond: 2_000,
      onSent: (_t, raw) => sentRaw.push(raw),
      retainSent: true,
    })
    const { ws, frames } = await open(s.url)
    sub(ws, 'IC MARKETS:1')
    sub(ws, 'AMZN')
    await waitFor(() => tradesIn(frames).length >= 200, '200 trades')
    sub(ws, 'IC MARKETS:1', 'unsubscribe')
    await waitFor(() => s.subscriptions()[0]?.length === 1, 'the unsubscribe')
    const mark = frames.length
    await waitFor(() => tradesIn(frames.slice(mark)).length >= 200, '200 more trades')
    ws.close()
    await waitFor(() => s.stats().connections === 0, 'close')
    expect(frames).toEqual(sentRaw)
    const trades = tradesIn(frames)
    expect(new Set(trades.map((t) => t.s))).toEqual(new Set(['IC MARKETS:1', 'AMZN']))
    expect(tradesIn(frames.slice(mark)).every((t) => t.s === 'AMZN')).toBe(true)
    expect(s.sent).toEqual(trades)
    expect(s.stats().sentTrades).toBe(trades.length)
    for (const t of trades) expect(finnhubTradeSchema.safeParse(t).success).toBe(true)
  })

  it('never sends more than the configured rate allows', async () => {
    const s = await start({ tradesPerSecond: 5_000, tradesPerFrame: [5, 10] })
    const started = Date.now()
    const { ws } = await open(s.url)
    sub(ws, 'AAPL')
    await waitFor(() => s.stats().sentTrades > 500, 'some trades')
    const elapsed = (Date.now() - started) / 1000
    expect(s.stats().sentTrades).toBeLessThanOrEqual(5_000 * elapsed + 10)
  })

  it('makes frames bigger rather than more numerous at high rates', async () => {
    const s = await start({
      tradesPerSecond: 100_000,
      tradesPerFrame: [1, 1],
      tickMs: 20,
      maxFramesPerTick: 10,
    })
    const { ws } = await open(s.url)
    sub(ws, 'AAPL')
    await waitFor(() => s.stats().sentFrames > 20, 'frames')
    const { sentFrames, sentTrades } = s.stats()
    expect(sentTrades / sentFrames).toBeGreaterThanOrEqual(200)
  })

  it('sends error frames for invalid symbols, too many symbols and bad messages', async () => {
    const s = await start({ invalidSymbols: ['NOPE'], maxSymbols: 3 })
    const { ws, frames } = await open(s.url)
    sub(ws, 'bad symbol ')
    sub(ws, 'NOPE')
    for (const sym of ['A', 'B', 'C', 'D']) sub(ws, sym)
    sub(ws, 'A') // a repeat is not a new symbol
    ws.send('not json')
    ws.send(JSON.stringify({ type: 'news', symbol: 'A' }))
    await waitFor(() => frames.length >= 5, 'five error frames')
    expect(frames.map((f) => JSON.parse(f) as unknown)).toEqual([
      { type: 'error', msg: 'Invalid symbol bad symbol ' },
      { type: 'error', msg: 'Invalid symbol NOPE' },
      { type: 'error', msg: 'Subscribing to too many symbols' },
      { type: 'error', msg: 'Invalid message' },
      { type: 'error', msg: 'Invalid message type' },
    ])
    expect(s.subscriptions()).toEqual([['A', 'B', 'C']])
  })

  it('allows 50 symbols and refuses the 51st by default', async () => {
    const s = await start()
    const { ws, frames } = await open(s.url)
    for (let i = 0; i < 51; i++) sub(ws, `SYM${i}`)
    await waitFor(() => frames.length >= 1, 'the error frame')
    expect(JSON.parse(frames[0] ?? '')).toEqual({ type: 'error', msg: 'Subscribing to too many symbols' })
    expect(s.subscriptions()[0]).toHaveLength(50)
  })

  it('pings, injects raw frames and drops connections on demand', async () => {
    const s = await start({ pingIntervalMs: 20 })
    const a = await open(s.url)
    const b = await open(s.url)
    await waitFor(() => a.frames.includes('{"type":"ping"}'), 'a ping')
    expect(s.injectRaw('{"type":"trade","data":[{"s":1}]')).toBe(2)
    await waitFor(() => b.frames.includes('{"type":"trade","data":[{"s":1}]'), 'the injected frame')
    const closed = new Promise<number>((r) => a.ws.once('close', (code) => r(code)))
    expect(s.dropConnections()).toBe(2)
    expect(await closed).toBe(1006)
    await waitFor(() => s.stats().connections === 0, 'no connections')
  })

  it('drops connections periodically when asked to', async () => {
    const s = await start({ dropEveryMs: 30 })
    const { ws } = await open(s.url)
    await new Promise((r) => ws.once('close', r))
    await waitFor(() => s.stats().connections === 0, 'the server side to close too')
  })

  it('stops listening on stop()', async () => {
    const s = await start()
    await open(s.url)
    await s.stop()
    sim = undefined
    await expect(connect(s.url)).rejects.toThrow(/ECONNREFUSED/)
  })
})
