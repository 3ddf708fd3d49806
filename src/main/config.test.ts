import { describe, expect, it } from 'vitest'
import { flagSecretWarnings, parseFlags } from './config'

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
