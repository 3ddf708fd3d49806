import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest'
import { dispatch } from '../src/main/api/dispatch'
import { EventHub } from '../src/main/api/events'
import { createCore, type Core } from '../src/main/api/handlers'
import { resolveSettings } from '../src/main/config'
import { createServices } from '../src/main/services'
import type { ExportResult } from '../src/shared/contract'
import type { PipelineStatus } from '../src/shared/status'
import { dropTestSchema, uniqueSchemaName } from './setup/test-database'
import { waitFor } from './helpers/harness'
import { testKafkaSettings } from './helpers/test-kafka'

// The handlers every face calls, through the same validating door as IPC and browser mode.
describe('the typed API over real services', () => {
  let core: Core
  let dir: string
  const events = new EventHub()
  const statuses: PipelineStatus[] = []
  const schema = uniqueSchemaName('api')
  const suggested: string[] = []
  let dialogAnswer: string | null = null

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-api-'))
    const settings = resolveSettings(
      {
        ...testKafkaSettings(),
        databaseUrl: inject('databaseUrl'),
        pgSchema: schema,
        topic: `api-${schema}`,
        dataDir: dir,
        demoRate: 400,
      },
      {},
    )
    // The app's main process passes its save dialog; here a stand-in answers with a path or a cancel.
    core = createCore(await createServices(settings), events, {
      chooseExportPath: async (name) => {
        suggested.push(name)
        return dialogAnswer
      },
    })
    events.on('status', (s) => statuses.push(s))
  })

  afterAll(async () => {
    await core.shutdown()
    await dropTestSchema(schema)
    await rm(dir, { recursive: true, force: true })
  })

  it('starts the Demo, follows subscriptions, serves KPIs and exports CSV, then stops', async () => {
    const started = (await dispatch(core, 'startPipeline', {
      source: 'demo',
      symbols: ['AAPL', 'IC MARKETS:1'],
    })) as PipelineStatus
    expect(started.state).toBe('running')
    await expect(dispatch(core, 'startPipeline', { source: 'demo', symbols: ['AAPL'] })).rejects.toThrow(
      /already running/,
    )

    expect(await dispatch(core, 'subscribe', { symbol: 'BINANCE:BTCUSDT' })).toEqual([
      'AAPL',
      'IC MARKETS:1',
      'BINANCE:BTCUSDT',
    ])
    // The data-loss check compares against the live subscription count.
    expect(await dispatch(core, 'getThresholds', undefined)).toMatchObject({ symbols_subscribed: 3 })
    await waitFor(
      'BTC trades after subscribing',
      async () => (await core.pipeline()!.status()).counters.written,
      (n) => n > 200,
    )
    expect(await dispatch(core, 'unsubscribe', { symbol: 'AAPL' })).toEqual([
      'IC MARKETS:1',
      'BINANCE:BTCUSDT',
    ])

    const stopped = (await dispatch(core, 'stopPipeline', undefined)) as PipelineStatus
    expect(stopped.state).toBe('stopped')
    expect(stopped.counters.written).toBe(stopped.counters.received)
    expect(statuses.some((s) => s.state === 'running')).toBe(true)

    const now = Date.now()
    const k = (await dispatch(core, 'kpiSnapshot', { from: now - 120_000, to: now + 1_000 })) as {
      totalTrades: number
      symbols: { symbol: string }[]
    }
    expect(k.totalTrades).toBe(stopped.counters.written)
    expect(k.symbols.map((s) => s.symbol)).toContain('BINANCE:BTCUSDT')

    // The renderer names no path: main's dialog does, and a request carrying one is refused.
    const window = { from: now - 120_000, to: now + 1_000 }
    const path = join(dir, 'out', 'trades.csv')
    await expect(dispatch(core, 'exportCsv', { ...window, path })).rejects.toThrow(/path/)
    expect(await dispatch(core, 'exportCsv', window)).toBeNull() // the dialog was cancelled
    expect(suggested[0]).toMatch(/^tickflow-trades-\d{8}T\d{6}(\.\d{3})?Z-\d{8}T\d{6}(\.\d{3})?Z\.csv$/)
    dialogAnswer = path
    const res = (await dispatch(core, 'exportCsv', window)) as ExportResult
    expect(res).toMatchObject({ path, rows: stopped.counters.written })
    const lines = (await readFile(path, 'utf8')).trim().split('\r\n')
    expect(lines[0]).toBe('symbol,price,volume,conditions,traded_at,received_at,consumed_at,written_at')
    expect(lines).toHaveLength(res.rows + 1)
    expect(lines[1]).toMatch(/,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,/)

    // Browser mode's download streams the same core export; a KPI table names the missing symbols.
    let streamed = ''
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        streamed += chunk.toString()
        done()
      },
    })
    const loss = await core.streamCsv({ table: 'data-loss', ...window }, sink)
    const table = streamed.trim().split('\r\n')
    expect(table[0]).toBe(
      'window_start,symbols_seen,symbols_expected,symbols_missing,data_loss,partial,missing',
    )
    expect(table).toHaveLength(loss.rows + 1)
  })

  it('refuses bad input with a clear message and changes nothing', async () => {
    await expect(dispatch(core, 'subscribe', { symbol: 'AAPL; DROP' })).rejects.toThrow(/symbol/)
    await expect(dispatch(core, 'startPipeline', { source: 'demo', symbols: [] })).rejects.toThrow(
      /at least one/,
    )
    await expect(dispatch(core, 'setThreshold', { id: 'data_loss_window_s', value: 0 })).rejects.toThrow(
      /data_loss_window_s/,
    )
    await expect(dispatch(core, 'setThreshold', { id: 'no_such_knob', value: 1 })).rejects.toThrow(
      /unknown threshold/,
    )
    await expect(dispatch(core, 'kpiSnapshot', { from: 10, to: 5 })).rejects.toThrow(/end after it starts/)
    await expect(dispatch(core, 'noSuchCommand', {})).rejects.toThrow(/unknown command/)
    expect(await dispatch(core, 'getThresholds', undefined)).toMatchObject({ data_loss_window_s: 30 })
    expect(await dispatch(core, 'setThreshold', { id: 'data_loss_window_s', value: 60 })).toMatchObject({
      data_loss_window_s: 60,
    })
  })
})
