import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest'
import { dispatch } from '../src/main/api/dispatch'
import { EventHub } from '../src/main/api/events'
import { createCore, type Core } from '../src/main/api/handlers'
import { resolveSettings } from '../src/main/config'
import { createServices } from '../src/main/services'
import { openSettingsStore } from '../src/main/settings/store'
import type { AppConfig } from '../src/shared/contract'
import { dropTestSchema, uniqueSchemaName } from './setup/test-database'
import { testKafkaSettings } from './helpers/test-kafka'

const TOKEN = 'fh-7d2b-sekrit'

// The user's changes outlive the core: a face rebuilt on the same data dir finds them again.
describe('settings persist across restarts of the core', () => {
  let dir: string
  const schema = uniqueSchemaName('persist')
  const cores: Core[] = []
  const said: unknown[] = []

  // What every face does at start: open the store, resolve flags > env > store, build the core on it.
  const startCore = async (opts: { recordRuns?: boolean } = {}): Promise<Core> => {
    const store = await openSettingsStore(dir)
    expect(store.warnings).toEqual([])
    const settings = resolveSettings(
      {
        ...testKafkaSettings(),
        databaseUrl: inject('databaseUrl'),
        pgSchema: schema,
        topic: `persist-${schema}`,
        dataDir: dir,
      },
      {},
      store.settings(),
    )
    const events = new EventHub()
    events.on('config', (c) => said.push(c))
    events.on('status', (s) => said.push(s))
    const core = createCore(await createServices(settings), events, { store, ...opts })
    cores.push(core)
    return core
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-persist-'))
  })

  afterAll(async () => {
    for (const core of cores) await core.shutdown().catch(() => undefined)
    await dropTestSchema(schema)
    await rm(dir, { recursive: true, force: true })
  })

  it('comes back with the source, symbols, thresholds and token', async () => {
    const first = await startCore()
    await mkdir(join(dir, 'recordings'))
    await writeFile(join(dir, 'recordings', 'today.jsonl'), '')
    await dispatch(first, 'setSource', { source: 'replay', recording: 'today.jsonl', speed: 'max' })
    await dispatch(first, 'setFinnhubToken', { token: TOKEN })
    await dispatch(first, 'subscribe', { symbol: 'OANDA:EUR_USD' })
    await dispatch(first, 'unsubscribe', { symbol: 'AMZN' })
    await dispatch(first, 'setThreshold', { id: 'data_loss_window_s', value: 45 })
    await dispatch(first, 'setThreshold', { id: 'symbols_subscribed', value: 7 })
    await first.shutdown()
    // The token went to the secret box only.
    expect(await readFile(join(dir, 'settings.json'), 'utf8')).not.toContain(TOKEN)
    expect(await readFile(join(dir, 'secrets.json'), 'utf8')).toContain(TOKEN)

    const second = await startCore()
    const config = (await dispatch(second, 'getConfig', undefined)) as AppConfig
    expect(config).toMatchObject({
      source: 'replay',
      replayFile: 'today.jsonl',
      replayRecording: 'today.jsonl',
      speed: 'max',
      finnhubToken: 'set',
      symbols: ['AAPL', 'BINANCE:BTCUSDT', 'IC MARKETS:1', 'OANDA:EUR_USD'],
      symbolsSubscribedPinned: true,
      thresholds: { data_loss_window_s: 45, symbols_subscribed: 7 },
    })
    expect(JSON.stringify(config)).not.toContain(TOKEN)
    // Two quick changes (two tabs, say) both land. The pin outlived the restart: new symbols
    // leave the typed value alone...
    await Promise.all([
      dispatch(second, 'subscribe', { symbol: 'MSFT' }),
      dispatch(second, 'subscribe', { symbol: 'NVDA' }),
    ])
    expect(await dispatch(second, 'getThresholds', undefined)).toMatchObject({ symbols_subscribed: 7 })
    // ...until it is unpinned, and then that too is kept.
    await dispatch(second, 'pinSymbolsSubscribed', { pinned: false })
    expect(await dispatch(second, 'getThresholds', undefined)).toMatchObject({ symbols_subscribed: 6 })
    await dispatch(second, 'setFinnhubToken', { token: null })
    await second.shutdown()

    const third = await startCore()
    expect(await dispatch(third, 'getConfig', undefined)).toMatchObject({
      finnhubToken: 'not set',
      symbolsSubscribedPinned: false,
      symbols: ['AAPL', 'BINANCE:BTCUSDT', 'IC MARKETS:1', 'OANDA:EUR_USD', 'MSFT', 'NVDA'],
    })
    await third.shutdown()

    // Nor did it reach a config or status pushed to the renderer.
    expect(said.length).toBeGreaterThan(0)
    expect(JSON.stringify(said)).not.toContain(TOKEN)
  })

  it('resumes a run that no Stop ended, with its source and symbols, when startOnOpen is on', async () => {
    const first = await startCore()
    await dispatch(first, 'setBehaviour', { startOnOpen: true })
    // A Start's own source and symbols are not the saved ones: the resumed run must use them.
    const run = { source: 'demo' as const, symbols: ['MSFT', 'IC MARKETS:1'] }
    await dispatch(first, 'startPipeline', run)
    // Recorded at the start, atomically: a crash from here on (nothing more written) resumes too.
    const stored = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')) as Record<string, unknown>
    expect(stored.resumeRun).toEqual(run)
    await first.shutdown() // a quit: drains, and leaves the run recorded

    const second = await startCore()
    await second.startOnOpen({ always: false })
    expect(second.pipeline()?.status()).toMatchObject({ state: 'running', symbols: run.symbols })
    await dispatch(second, 'stopPipeline', undefined) // the user's Stop: nothing to resume
    await second.shutdown()

    const third = await startCore()
    await third.startOnOpen({ always: false })
    expect(third.pipeline()).toBeNull()
    // A Stop pressed while the start still runs (its topic, its consumer's join) ends it for good.
    const starting = dispatch(third, 'startPipeline', run)
    await dispatch(third, 'stopPipeline', undefined)
    await starting
    await third.shutdown()

    // Nor does a run of the CLI's, which Ctrl-C ends: it records none.
    const cli = await startCore({ recordRuns: false })
    await dispatch(cli, 'startPipeline', run)
    await cli.shutdown()

    const fourth = await startCore()
    await fourth.startOnOpen({ always: false })
    expect(fourth.pipeline()).toBeNull()
    await fourth.shutdown()
  })
})
