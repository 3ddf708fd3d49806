import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest'
import { dispatch } from '../src/main/api/dispatch'
import { EventHub } from '../src/main/api/events'
import { createCore, type Core } from '../src/main/api/handlers'
import { resolveSettings } from '../src/main/config'
import { createServices } from '../src/main/services'
import type { AppConfig, EventPayloads, WindowSnapshot } from '../src/shared/contract'
import type { EventName } from '../src/shared/channels'
import { dropTestSchema, uniqueSchemaName } from './setup/test-database'
import { waitFor } from './helpers/harness'
import { testKafkaSettings } from './helpers/test-kafka'

// What the dashboard asks of the core beyond start/stop: settings, tests of connections, watched
// windows pushed per client, and alerts, on the real broker and PostgreSQL.
// A sequence on one core: the window test starts the pipeline and leaves it running, and the alert
// test after it needs those trades, then stops it. (The first two tests stand alone.) Starting a
// second pipeline would cost a stop, a start and a group join for nothing the alert test checks.
describe.sequential('the dashboard API over real services', () => {
  let core: Core
  let dir: string
  const schema = uniqueSchemaName('dash')
  const pushed: { client: string; event: EventName; payload: unknown }[] = []
  const port = (client: string) => ({
    push<E extends EventName>(event: E, payload: EventPayloads[E]): void {
      pushed.push({ client, event, payload })
    },
  })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-dash-'))
    const settings = resolveSettings(
      {
        ...testKafkaSettings(),
        databaseUrl: inject('databaseUrl'),
        pgSchema: schema,
        topic: `dash-${schema}`,
        dataDir: dir,
        demoRate: 200,
      },
      {},
    )
    core = createCore(await createServices(settings), new EventHub())
  })

  afterAll(async () => {
    await core.shutdown()
    await dropTestSchema(schema)
    await rm(dir, { recursive: true, force: true })
  })

  it('keeps the token to itself and checks a source change', async () => {
    const c = (await dispatch(core, 'setFinnhubToken', { token: 'sekrit-token-123' })) as AppConfig
    expect(c.finnhubToken).toBe('set')
    expect(JSON.stringify(c)).not.toContain('sekrit')
    expect(JSON.stringify(await dispatch(core, 'getConfig', undefined))).not.toContain('sekrit')
    expect(((await dispatch(core, 'setFinnhubToken', { token: null })) as AppConfig).finnhubToken).toBe(
      'not set',
    )
    await expect(dispatch(core, 'setSource', { source: 'replay', speed: 0 })).rejects.toThrow(/speed/)
    // A replay is one of the data dir's recordings, by name: never a path a client names.
    await mkdir(join(dir, 'recordings'))
    await writeFile(join(dir, 'recordings', 'today.jsonl'), '{}\n')
    expect(await dispatch(core, 'listRecordings', undefined)).toEqual([
      { name: 'today.jsonl', bytes: 3, modifiedAt: expect.any(Number) },
    ])
    await expect(dispatch(core, 'setSource', { source: 'replay', recording: '/etc/passwd' })).rejects.toThrow(
      /^recording: a recording is named by its file name/,
    )
    await expect(dispatch(core, 'chooseReplayFile', undefined)).rejects.toThrow(/no file dialog here/)
    const replay = (await dispatch(core, 'setSource', {
      source: 'replay',
      recording: 'today.jsonl',
    })) as AppConfig
    expect(replay).toMatchObject({
      replayFile: 'today.jsonl',
      replayRecording: 'today.jsonl',
    })
    const demo = (await dispatch(core, 'setSource', { source: 'demo', demoRate: 300 })) as AppConfig
    expect(demo).toMatchObject({ source: 'demo', demoRate: 300 })
  })

  it('tests connections and says why one fails', async () => {
    const kafka = (await dispatch(core, 'testConnection', {
      kind: 'kafka',
      brokers: inject('kafkaBrokers'),
    })) as {
      ok: boolean
      message: string
    }
    expect(kafka).toMatchObject({
      ok: true,
      message: expect.stringMatching(/connected to Kafka cluster \S+: 1 broker/),
    })
    const pg = (await dispatch(core, 'testConnection', { kind: 'postgres', url: inject('databaseUrl') })) as {
      ok: boolean
      message: string
    }
    expect(pg).toMatchObject({ ok: true, message: expect.stringMatching(/connected to PostgreSQL \d+/) })
    const bad = (await dispatch(core, 'testConnection', {
      kind: 'postgres',
      url: 'postgres://me:hunter2@127.0.0.1:1/nowhere',
    })) as { ok: boolean; message: string }
    expect(bad.ok).toBe(false)
    expect(bad.message).toMatch(/cannot connect to 127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/)
    expect(bad.message).not.toContain('hunter2')
  })

  it('pushes the watched window to each client, with per-symbol series and lag', async () => {
    const offA = core.connect('a', port('a'))
    const offB = core.connect('b', port('b'))
    // Two tabs pressing Start at once: one pipeline starts, the other hears why not.
    const starts = await Promise.allSettled([
      dispatch(core, 'startPipeline', undefined),
      dispatch(core, 'startPipeline', undefined),
    ])
    expect(starts.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect(String((starts.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason)).toMatch(
      /already running/,
    )
    // The source is fixed while a pipeline runs (the first test could only check it idle).
    await expect(dispatch(core, 'setSource', { source: 'demo', demoRate: 100 })).rejects.toThrow(
      /stop the pipeline/,
    )
    const first = (await dispatch(
      core,
      'watch',
      { window: { preset: '5m' } },
      { clientId: 'a' },
    )) as WindowSnapshot
    expect(first.kpis.to - first.kpis.from).toBe(300_000)
    await dispatch(core, 'watch', { window: { preset: 'run' }, symbol: 'AAPL' }, { clientId: 'b' })
    const snaps = (client: string): WindowSnapshot[] =>
      pushed
        .filter((p) => p.client === client && p.event === 'snapshot')
        .map((p) => p.payload as WindowSnapshot)
    await waitFor(
      'snapshots with trades of every symbol, and lag',
      () => snaps('a').at(-1),
      (s) => s !== undefined && s.kpis.tradesPerSecond.bySymbol.length === 4 && s.lag.length > 0,
    )
    // Each client gets its own window only.
    expect(snaps('a').every((s) => 'preset' in s.watch.window && s.watch.window.preset === '5m')).toBe(true)
    await waitFor(
      'b sees the run',
      () => snaps('b').at(-1),
      (s) => (s?.kpis.totalTrades ?? 0) > 0,
    )
    expect(snaps('b').every((s) => 'preset' in s.watch.window && s.watch.window.preset === 'run')).toBe(true)
    expect(snaps('b').at(-1)!.kpis.volumeTrend.symbol).toBe('AAPL')
    // Broadcasts reach both.
    expect(pushed.some((p) => p.client === 'a' && p.event === 'status')).toBe(true)
    expect(pushed.some((p) => p.client === 'b' && p.event === 'status')).toBe(true)

    // A disconnected client gets nothing more.
    offB()
    const count = snaps('b').length
    const seenByA = snaps('a').length
    await waitFor(
      'two more pushes to a',
      () => snaps('a').length,
      (n) => n >= seenByA + 2,
    )
    expect(snaps('b')).toHaveLength(count)
    offA()
  })

  it('follows the symbol list with symbols_subscribed until pinned, and raises and clears alerts', async () => {
    expect(core.pipeline()?.status().state, 'the pipeline the test before started').toBe('running')
    await dispatch(core, 'subscribe', { symbol: 'MSFT' })
    expect(((await dispatch(core, 'getConfig', undefined)) as AppConfig).thresholds.symbols_subscribed).toBe(
      5,
    )
    await expect(dispatch(core, 'subscribe', { symbol: 'MSFT' })).rejects.toThrow(/already/)
    await dispatch(core, 'setThreshold', { id: 'symbols_subscribed', value: 9 })
    const pinned = (await dispatch(core, 'getConfig', undefined)) as AppConfig
    expect(pinned).toMatchObject({ symbolsSubscribedPinned: true, thresholds: { symbols_subscribed: 9 } })
    await dispatch(core, 'unsubscribe', { symbol: 'MSFT' })
    expect(((await dispatch(core, 'getConfig', undefined)) as AppConfig).thresholds.symbols_subscribed).toBe(
      9,
    )

    // A one-second window expecting nine symbols of four: the data-loss alert rises…
    await dispatch(core, 'setThreshold', { id: 'data_loss_window_s', value: 1 })
    const alerts = (): Promise<{ rule: string; clearedAt: number | null }[]> =>
      dispatch(core, 'getAlerts', undefined) as Promise<{ rule: string; clearedAt: number | null }[]>
    await waitFor('a data-loss alert', alerts, (l) =>
      l.some((a) => a.rule === 'data_loss' && a.clearedAt === null),
    )
    // …and clears once the expectation follows the list again, over windows long enough for the
    // rarely traded FX symbol to show up in each.
    const unpinned = (await dispatch(core, 'pinSymbolsSubscribed', { pinned: false })) as AppConfig
    expect(unpinned.thresholds.symbols_subscribed).toBe(4)
    await dispatch(core, 'setThreshold', { id: 'data_loss_window_s', value: 30 })
    await waitFor('the alert cleared', alerts, (l) =>
      l.filter((a) => a.rule === 'data_loss').every((a) => a.clearedAt !== null),
    )
    await dispatch(core, 'stopPipeline', undefined)
  })
})
