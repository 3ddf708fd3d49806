import { afterEach, describe, expect, it } from 'vitest'
import { buildFinnhubUrl, FinnhubClient, type FinnhubClientOptions } from './finnhub-client'
import { startSimulator, type Simulator, type SimulatorOptions } from './simulator'
import type { SourceStatus } from './source'
import { collectingSink, sleep, tradesIn, waitFor } from '../../../../test/helpers/source-helpers'

const TOKEN = 'tok-SECRET-4f9a'
let sim: Simulator | undefined
let client: FinnhubClient | undefined

afterEach(async () => {
  await client?.stop()
  await sim?.stop()
  client = sim = undefined
})

async function setup(
  simOpts: SimulatorOptions = {},
  clientOpts: FinnhubClientOptions = {},
): Promise<{
  sim: Simulator
  client: FinnhubClient
  sink: ReturnType<typeof collectingSink>
  statuses: SourceStatus[]
}> {
  sim = await startSimulator({ pingIntervalMs: 0, tradesPerSecond: 2_000, ...simOpts })
  client = new FinnhubClient({ url: sim.url, backoff: { initialMs: 20, maxMs: 100 }, ...clientOpts })
  const statuses: SourceStatus[] = []
  client.onStatus((s) => statuses.push(s))
  const sink = collectingSink()
  await client.start(sink)
  return { sim, client, sink, statuses }
}

const symbolsOf = (raws: string[]): Set<string> => new Set(tradesIn(raws).map((t) => t.s))

describe('FinnhubClient', () => {
  it('subscribes on connect and follows subscribe/unsubscribe while running', async () => {
    const { sim, client, sink } = await setup({}, { symbols: ['AAPL'] })
    expect(client.status()).toMatchObject({ kind: 'finnhub', state: 'open', symbols: ['AAPL'] })
    await waitFor(() => tradesIn(sink.raws()).length > 20, 'AAPL trades')
    client.subscribe('BINANCE:BTCUSDT')
    await waitFor(() => sim.subscriptions()[0]?.length === 2, 'the second subscription')
    client.unsubscribe('AAPL')
    await waitFor(() => sim.subscriptions()[0]?.join() === 'BINANCE:BTCUSDT', 'the unsubscribe')
    const mark = sink.frames.length
    await waitFor(() => tradesIn(sink.raws().slice(mark)).length > 20, 'more trades')
    expect(symbolsOf(sink.raws().slice(mark))).toEqual(new Set(['BINANCE:BTCUSDT']))
    expect(client.symbols()).toEqual(['BINANCE:BTCUSDT'])
  })

  it('passes every frame to the sink unchanged and in order, malformed ones included', async () => {
    const sent: string[] = []
    const { sim, sink } = await setup(
      { onSent: (_t, raw) => sent.push(raw), pingIntervalMs: 25 },
      { symbols: ['AMZN'] },
    )
    await waitFor(() => sent.length > 30, 'trade frames')
    sim.injectRaw('{"type":"trade","data":[{"s":"AMZN","p":"oops"}]')
    await waitFor(() => sink.raws().includes('{"type":"ping"}'), 'a ping')
    await client?.stop()
    expect(sink.raws().filter((r) => r.includes('"trade"') && !r.includes('oops'))).toEqual(sent)
    expect(sink.raws()).toContain('{"type":"trade","data":[{"s":"AMZN","p":"oops"}]')
    for (const f of sink.frames) expect(Math.abs(f.receivedAt - Date.now())).toBeLessThan(60_000)
    expect(client?.status().frames).toBe(sink.frames.length)
  })

  it('reconnects after a drop and resubscribes everything, including symbols added meanwhile', async () => {
    const { sim, client, statuses } = await setup({}, { symbols: ['AAPL', 'AMZN'] })
    client.onStatus((s) => {
      if (s.state === 'reconnecting' && !client.symbols().includes('IC MARKETS:1'))
        client.subscribe('IC MARKETS:1')
    })
    sim.dropConnections()
    await waitFor(() => client.status().reconnects === 1 && client.status().state === 'open', 'the reconnect')
    await waitFor(() => sim.subscriptions()[0]?.length === 3, 'the resubscription')
    expect(sim.subscriptions()).toEqual([['AAPL', 'AMZN', 'IC MARKETS:1']])
    expect(statuses.map((s) => s.state)).toEqual(
      expect.arrayContaining(['connecting', 'open', 'reconnecting']),
    )
    expect(statuses.find((s) => s.state === 'reconnecting')?.detail).toMatch(
      /connection lost \(code 1006\); retrying in/,
    )
  })

  it('keeps reconnecting through repeated drops', async () => {
    const { client } = await setup({ dropEveryMs: 40 }, { symbols: ['AAPL'] })
    await waitFor(() => client.status().reconnects >= 3, 'three reconnects')
  })

  it('reports a refused token in words, never retries, and never shows the token', async () => {
    const lines: string[] = []
    const { sim, client, statuses } = await setup(
      { token: 'the-right-one' },
      { token: TOKEN, log: (l) => lines.push(l) },
    )
    expect(client.status()).toMatchObject({
      state: 'failed',
      detail: 'Finnhub refused the API token (HTTP 401)',
    })
    await sleep(300) // with a 20 ms backoff a retry loop would have made several attempts by now
    expect(sim.stats().handshakes).toBe(1)
    const everything = JSON.stringify({ statuses, lines, status: client.status() })
    expect(everything).not.toContain(TOKEN)
    expect(lines).toEqual(['[finnhub] Finnhub refused the API token (HTTP 401)'])
  })

  it('connects with the right token', async () => {
    const { client } = await setup({ token: TOKEN }, { token: TOKEN })
    expect(client.status().state).toBe('open')
    expect(client.status().detail).toMatch(/token=\*\*\*/)
    expect(client.status().detail).not.toContain(TOKEN)
  })

  it('retries a server that is down, with the token scrubbed from every detail', async () => {
    const s = await startSimulator({ pingIntervalMs: 0 })
    const url = s.url
    await s.stop()
    const statuses: SourceStatus[] = []
    client = new FinnhubClient({ url: `${url}/?token=${TOKEN}`, backoff: { initialMs: 10, maxMs: 20 } })
    client.onStatus((st) => statuses.push(st))
    await client.start(collectingSink())
    await waitFor(() => statuses.filter((st) => st.state === 'reconnecting').length >= 4, 'several retries')
    expect(client.status().detail).toMatch(/could not connect: connect ECONNREFUSED|connecting to/)
    expect(JSON.stringify(statuses)).not.toContain(TOKEN)
  })

  it('round-trips symbols with colons, dots, underscores and spaces', async () => {
    const symbols = ['IC MARKETS:1', 'OANDA:EUR_USD', 'BINANCE:BTCUSDT', 'BRK.B']
    const { sim, sink } = await setup({ tradesPerSecond: 5_000 }, { symbols })
    await waitFor(() => sim.subscriptions()[0]?.length === 4, 'four subscriptions')
    expect(sim.subscriptions()[0]).toEqual(symbols)
    await waitFor(() => symbolsOf(sink.raws()).size === 4, 'trades of all four', 10_000)
  })

  it('passes the server error frames on for an invalid symbol', async () => {
    const { sink } = await setup({ invalidSymbols: ['ZZZZ'] }, { symbols: ['ZZZZ'] })
    await waitFor(
      () => sink.raws().includes('{"type":"error","msg":"Invalid symbol ZZZZ"}'),
      'the error frame',
    )
  })

  it('reconnects when the connection goes silent', async () => {
    const { client } = await setup({ tradesPerSecond: 0 }, { idleTimeoutMs: 50 })
    await waitFor(() => client.status().reconnects >= 1, 'a reconnect after silence')
  })

  it('refuses invalid symbols and more than the symbol limit locally', () => {
    const c = new FinnhubClient({ url: 'ws://127.0.0.1:1', maxSymbols: 2, symbols: ['A'] })
    expect(() => c.subscribe('bad symbol ')).toThrow(/Invalid symbol "bad symbol "/)
    c.subscribe('B')
    expect(() => c.subscribe('C')).toThrow(/At most 2 symbols/)
    c.subscribe('B') // a repeat is a no-op
    expect(c.symbols()).toEqual(['A', 'B'])
  })

  it('stops cleanly while waiting to reconnect', async () => {
    const { sim, client } = await setup(
      {},
      { symbols: ['AAPL'], backoff: { initialMs: 10_000, maxMs: 10_000 } },
    )
    sim.dropConnections()
    await waitFor(() => client.status().state === 'reconnecting', 'reconnecting')
    await client.stop()
    expect(client.status()).toMatchObject({ state: 'closed', detail: 'stopped' })
  })
})

describe('URL helpers', () => {
  it('adds the token, and never echoes it in errors', () => {
    expect(buildFinnhubUrl('wss://ws.finnhub.io', 'a b')).toBe('wss://ws.finnhub.io/?token=a+b')
    expect(() => buildFinnhubUrl(`::nope?token=${TOKEN}`)).toThrow(
      /^Invalid Finnhub URL: ::nope\?token=\*\*\*$/,
    )
    expect(() => buildFinnhubUrl(`http://x/?token=${TOKEN}`)).toThrow(
      /must be ws:\/\/ or wss:\/\/: http:\/\/x\/\?token=\*\*\*/,
    )
  })
})
