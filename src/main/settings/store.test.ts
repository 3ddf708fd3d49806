import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { resolveSettings } from '../config'
import { openSettingsStore } from './store'

const TOKEN = 'tok-9c1e-secret'

describe('the settings store', () => {
  let dir: string
  let path: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-store-'))
    path = join(dir, 'settings.json')
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const files = async (): Promise<string[]> => (await readdir(dir)).sort()

  it('starts from defaults without a file', async () => {
    const store = await openSettingsStore(join(dir, 'not-yet'))
    expect(store.settings()).toEqual({})
    expect(store.warnings).toEqual([])
    expect(store.symbolsSubscribedPinned()).toBe(false)
  })

  it('round-trips every change, with the secrets in the secret box', async () => {
    const store = await openSettingsStore(dir)
    await store.update({
      source: 'replay',
      replayFile: '/data/today.jsonl',
      speed: 'max',
      symbols: ['MSFT', 'OANDA:EUR_USD'],
      brokers: ['kafka1:9092'],
      databaseUrl: 'postgres://me:db-pw@db.example/tickflow',
      kafkaSasl: { mechanism: 'scram-sha-256', username: 'me', password: 'kafka-pw' },
      finnhubToken: TOKEN,
      symbolsSubscribedPinned: true,
    })
    const again = await openSettingsStore(dir)
    expect(again.warnings).toEqual([])
    expect(again.settings()).toEqual({
      source: 'replay',
      replayFile: '/data/today.jsonl',
      speed: 'max',
      symbols: ['MSFT', 'OANDA:EUR_USD'],
      brokers: ['kafka1:9092'],
      databaseUrl: 'postgres://me:db-pw@db.example/tickflow',
      kafkaSasl: { mechanism: 'scram-sha-256', username: 'me', password: 'kafka-pw' },
      finnhubToken: TOKEN,
    })
    expect(again.symbolsSubscribedPinned()).toBe(true)

    const text = await readFile(path, 'utf8')
    for (const secret of [TOKEN, 'db-pw', 'kafka-pw']) expect(text).not.toContain(secret)
    expect(await readFile(join(dir, 'secrets.json'), 'utf8')).toContain(TOKEN)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(await files()).toEqual(['secrets.json', 'settings.json'])

    // What the faces do with it: flags and the environment still win for their run.
    const s = resolveSettings({ symbols: ['AAPL'], dataDir: dir }, {}, again.settings())
    expect(s).toMatchObject({ symbols: ['AAPL'], source: 'replay', finnhubToken: TOKEN })

    await again.update({ finnhubToken: null, databaseUrl: null })
    const third = await openSettingsStore(dir)
    expect(third.settings().finnhubToken).toBeUndefined()
    expect(third.settings().databaseUrl).toBeUndefined()
    expect(third.secrets.get('databasePassword')).toBeUndefined()
  })

  it('writes quick changes one after another, none lost', async () => {
    const store = await openSettingsStore(dir)
    await Promise.all([
      store.update({ symbols: ['A'] }),
      store.update({ finnhubToken: TOKEN }),
      store.update({ symbols: ['A', 'B'] }),
      store.update({ source: 'demo', demoRate: 7 }),
    ])
    const again = await openSettingsStore(dir)
    expect(again.settings()).toEqual({
      symbols: ['A', 'B'],
      finnhubToken: TOKEN,
      source: 'demo',
      demoRate: 7,
    })
    expect((await files()).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('loads a file an older version wrote with the dashboard window in it, and drops the window', async () => {
    const old = { symbols: ['OLD'], window: { window: { preset: '1h' }, symbol: 'OLD' } }
    await writeFile(path, JSON.stringify(old))
    const store = await openSettingsStore(dir)
    expect(store.warnings).toEqual([])
    expect(store.settings()).toEqual({ symbols: ['OLD'] })
    await store.update({ demoRate: 7 })
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ symbols: ['OLD'], demoRate: 7 })
    expect(await files()).toEqual(['settings.json'])
  })

  it('reads the old file after a crash mid-write, and clears what the crash left', async () => {
    await writeFile(path, JSON.stringify({ symbols: ['OLD'] }))
    // pid 999999999 is above any pid_max: that writer is gone
    await writeFile(join(dir, '.settings.json.999999999.0a1b.tmp'), '{"symbols": ["NE')
    const store = await openSettingsStore(dir)
    expect(store.settings()).toEqual({ symbols: ['OLD'] })
    expect(store.warnings).toEqual([])
    expect(await files()).toEqual(['settings.json'])
  })

  it('refuses a change it could not read back, and keeps the file', async () => {
    const store = await openSettingsStore(dir)
    await store.update({ partitions: 6 })
    await expect(store.update({ partitions: 0, symbols: ['X'] })).rejects.toThrow(/partitions/)
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ partitions: 6 })
    expect(store.settings()).toEqual({ partitions: 6 })
  })

  it('moves a corrupt file aside, starts from defaults and says so', async () => {
    await writeFile(path, '\u0000\u0013garbage', { mode: 0o644 })
    const store = await openSettingsStore(dir)
    expect(store.settings()).toEqual({})
    expect(store.warnings).toHaveLength(1)
    expect(store.warnings[0]).toMatch(
      /settings\.json was unusable \(it is not valid JSON.*\); moved it to settings\.json\.bad-\S+ and started from defaults/,
    )
    const [aside] = (await files()).filter((f) => f.startsWith('settings.json.bad-'))
    expect(await readFile(join(dir, aside!), 'utf8')).toBe('\u0000\u0013garbage')
    expect((await stat(join(dir, aside!))).mode & 0o777).toBe(0o600)
    // The next write starts a fresh file beside it.
    await store.update({ symbols: ['MSFT'] })
    expect((await openSettingsStore(dir)).warnings).toEqual([])
  })

  it('treats a half-written file as corrupt, without echoing the token it held', async () => {
    const full = JSON.stringify({ finnhubToken: TOKEN, symbols: ['AAPL', 'AMZN'] })
    await writeFile(path, full.slice(0, full.indexOf('AMZN')))
    const store = await openSettingsStore(dir)
    expect(store.settings()).toEqual({})
    expect(store.warnings.join('\n')).toMatch(/not valid JSON.*moved it to settings\.json\.bad-/)
    expect(store.warnings.join('\n')).not.toContain(TOKEN)
  })

  it('names what is wrong in a file that is not settings, still without the token', async () => {
    await writeFile(path, JSON.stringify({ finnhubToken: TOKEN, partitions: 0, topicc: 'x' }))
    const store = await openSettingsStore(dir)
    const warning = store.warnings.join('\n')
    expect(warning).toMatch(/partitions: .*Unrecognized key.*topicc.*moved it to settings\.json\.bad-/)
    expect(warning).not.toContain(TOKEN)
  })

  it('moves secrets a hand-written settings.json holds into the secret box', async () => {
    await writeFile(
      path,
      JSON.stringify({ finnhubToken: TOKEN, databaseUrl: 'postgres://me:db-pw@db/t', symbols: ['X'] }),
      { mode: 0o644 },
    )
    const store = await openSettingsStore(dir)
    expect(store.warnings).toEqual([`moved the secrets in ${path} to secrets.json (plain file, mode 600)`])
    expect(store.settings()).toEqual({
      finnhubToken: TOKEN,
      databaseUrl: 'postgres://me:db-pw@db/t',
      symbols: ['X'],
    })
    const text = await readFile(path, 'utf8')
    expect(text).not.toContain(TOKEN)
    expect(text).not.toContain('db-pw')
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect((await openSettingsStore(dir)).settings()).toEqual(store.settings())
  })
})
