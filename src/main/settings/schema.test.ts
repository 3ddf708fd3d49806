import { describe, expect, it } from 'vitest'
import { joinSecrets, splitSecrets, storedSettingsSchema } from './schema'

describe('the stored settings document', () => {
  it('keeps only what was chosen: no defaults are written into the file', () => {
    expect(storedSettingsSchema.parse({ symbols: ['MSFT'] })).toEqual({ symbols: ['MSFT'] })
    expect(storedSettingsSchema.safeParse({ topicc: 'x' }).success).toBe(false)
  })

  it('takes the secrets out and puts them back', () => {
    const password = 'p%40ss/w:rd@1'
    const doc = {
      finnhubToken: 'tok',
      kafkaSasl: { mechanism: 'plain' as const, username: 'me', password: 'kpw' },
      databaseUrl: `postgres://me:${encodeURIComponent(password)}@db.example:5432/tickflow`,
      symbols: ['AAPL'],
      symbolsSubscribedPinned: true,
    }
    const { doc: plain, secrets } = splitSecrets(doc)
    expect(plain).toEqual({
      kafkaSasl: { mechanism: 'plain', username: 'me' },
      databaseUrl: 'postgres://me@db.example:5432/tickflow',
      symbols: ['AAPL'],
      symbolsSubscribedPinned: true,
    })
    expect(secrets).toEqual({ finnhubToken: 'tok', kafkaSaslPassword: 'kpw', databasePassword: password })
    const joined = joinSecrets(plain, (name) => secrets[name] ?? undefined)
    const { symbolsSubscribedPinned: _pinned, ...settings } = doc
    expect(joined).toEqual(settings)
    expect(new URL(joined.databaseUrl!).password).toBe(encodeURIComponent(password))
  })
})
