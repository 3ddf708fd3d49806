import { describe, expect, it } from 'vitest'
import { flagSecretWarnings, parseFlags, resolveSettings } from './config'

describe('flagSecretWarnings', () => {
  it('warns of a password or token on the command line, and of nothing else', () => {
    const flags = parseFlags([
      '--database-url',
      'postgres://me:hunter2@db/tickflow',
      '--finnhub-url',
      'wss://ws.finnhub.io?token=abc',
    ]).settings
    const out = flagSecretWarnings(flags)
    expect(out).toEqual([
      expect.stringMatching(/^--database-url holds a password: .*`ps`.*DATABASE_URL or PGPASSWORD instead$/),
      expect.stringMatching(/^--finnhub-url holds a token: .*FINNHUB_TOKEN/),
    ])
    expect(out.join(' ')).not.toMatch(/hunter2|abc/)
    const clean = ['--database-url', 'postgres://me@db/tickflow', '--finnhub-url', 'wss://ws.finnhub.io']
    expect(flagSecretWarnings(parseFlags(clean).settings)).toEqual([])
  })
})

describe('recording and replay files', () => {
  const resolved = (argv: string[]): { recordFile?: string; replayFile?: string } =>
    resolveSettings({ ...parseFlags(argv).settings, dataDir: '/data' }, {})

  it('puts a bare name in the recordings folder, where the dashboard lists it', () => {
    expect(resolved(['--record', 'today.jsonl'])).toMatchObject({
      recordFile: '/data/recordings/today.jsonl',
    })
    expect(resolved(['--source', 'replay', '--replay-file', 'today.jsonl'])).toMatchObject({
      replayFile: '/data/recordings/today.jsonl',
    })
  })

  it("keeps a path as the user's shell gave it", () => {
    expect(resolved(['--record', './today.jsonl'])).toMatchObject({ recordFile: './today.jsonl' })
    expect(resolved(['--source', 'replay', '--replay-file', '/etc/x.jsonl'])).toMatchObject({
      replayFile: '/etc/x.jsonl',
    })
  })
})
