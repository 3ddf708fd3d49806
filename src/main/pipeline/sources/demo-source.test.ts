import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { DEFAULT_SYMBOLS } from '../../../shared/symbols'
import { DemoSource } from './demo-source'
import { collectingSink, tradesIn, waitFor } from '../../../../test/helpers/source-helpers'

let demo: DemoSource | undefined
afterEach(async () => {
  await demo?.stop()
  demo = undefined
})

describe('DemoSource', () => {
  it('streams the default symbols from a local simulator, no token needed', async () => {
    demo = new DemoSource({ simulator: { tradesPerSecond: 3_000, seed: 1 } })
    const sink = collectingSink()
    await demo.start(sink)
    expect(demo.status()).toMatchObject({ kind: 'demo', state: 'open', symbols: DEFAULT_SYMBOLS })
    expect(demo.simulator()?.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/)
    await waitFor(
      () => new Set(tradesIn(sink.raws()).map((t) => t.s)).size === 4,
      'trades of all four symbols',
      10_000,
    )
    demo.unsubscribe('AAPL')
    demo.subscribe('MSFT')
    expect(demo.symbols()).toEqual(['AMZN', 'BINANCE:BTCUSDT', 'IC MARKETS:1', 'MSFT'])
    await waitFor(() => demo?.simulator()?.subscriptions()[0]?.includes('MSFT'), 'MSFT on the simulator')
  })

  it('stop() stops both the client and the simulator', async () => {
    demo = new DemoSource()
    await demo.start(collectingSink())
    const url = demo.simulator()?.url ?? ''
    await demo.stop()
    expect(demo.status().state).toBe('closed')
    expect(demo.simulator()).toBeUndefined()
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(url)
      ws.on('error', (err) => resolve(err.message))
      ws.on('open', () => resolve('open'))
    })
    expect(refused).toMatch(/ECONNREFUSED/)
  })
})
