import { describe, expect, it } from 'vitest'
import { REDACTED, redactText, redactUrl, redactValue, secretsOf } from './redact'

const TOKEN = 'd0fin-Hub+tok/en"1'

describe('redactText', () => {
  it('masks a known secret in each of its spellings', () => {
    for (const form of [TOKEN, JSON.stringify(TOKEN).slice(1, -1), encodeURIComponent(TOKEN)]) {
      const out = redactText(`before ${form} after`, [TOKEN])
      expect(out, form).toBe(`before ${REDACTED} after`)
    }
    const query = new URLSearchParams({ t: TOKEN }).toString()
    expect(redactText(query, [TOKEN])).not.toContain('tok')
  })

  it('masks the password of any URL, keeping user and host', () => {
    expect(redactText('connect postgres://me:pa55@db:5432/x failed')).toBe(
      `connect postgres://me:${REDACTED}@db:5432/x failed`,
    )
    expect(redactText('"url":"postgresql://u:p%40ss@h/d","n":1')).toBe(
      `"url":"postgresql://u:${REDACTED}@h/d","n":1`,
    )
    expect(redactText('postgres://me@db/x and http://host:8080/path')).toBe(
      'postgres://me@db/x and http://host:8080/path',
    )
  })

  it('masks token= and password= assignments in queries, libpq strings and environment lines', () => {
    expect(redactText('wss://ws.finnhub.io/?token=abc123&x=1')).toBe(
      `wss://ws.finnhub.io/?token=${REDACTED}&x=1`,
    )
    expect(redactText('host=db password=hunter2 user=me')).toBe(`host=db password=${REDACTED} user=me`)
    expect(redactText('FINNHUB_TOKEN=abc KAFKA_SASL_PASSWORD=xyz')).toBe(
      `FINNHUB_TOKEN=${REDACTED} KAFKA_SASL_PASSWORD=${REDACTED}`,
    )
  })

  it('masks secret fields of JSON quoted inside a text, escaped or not', () => {
    expect(redactText('body {"password":"hunter2","user":"me"}')).toBe(
      `body {"password":"${REDACTED}","user":"me"}`,
    )
    expect(redactText('{"msg":"sent {\\"token\\":\\"abc\\"}"}')).toBe(
      `{"msg":"sent {\\"token\\":\\"${REDACTED}\\"}"}`,
    )
  })

  it('leaves ordinary text alone', () => {
    const text = 'Consumer has joined the group {"groupId":"tickflow-writer","memberId":"m-1"}'
    expect(redactText(text, ['not-in-it'])).toBe(text)
  })
})

describe('redactValue', () => {
  it('masks secret-named keys at any depth and secrets inside strings', () => {
    const out = redactValue(
      {
        message: `auth failed for ${TOKEN}`,
        nested: [{ password: 'x', sasl: { token: 't', username: 'alice' } }],
        databaseUrl: 'postgres://u:pw@h/d',
        n: 1,
      },
      [TOKEN],
    )
    expect(out).toEqual({
      message: `auth failed for ${REDACTED}`,
      nested: [{ password: REDACTED, sasl: { token: REDACTED, username: 'alice' } }],
      databaseUrl: `postgres://u:${REDACTED}@h/d`,
      n: 1,
    })
  })

  it('turns an error into its type, message and stack, masked', () => {
    const err = Object.assign(new Error(`could not reach postgres://u:pw@h/d with ${TOKEN}`), { code: 'E1' })
    const out = redactValue({ err }, [TOKEN]) as { err: Record<string, string> }
    expect(out.err.type).toBe('Error')
    expect(out.err.code).toBe('E1')
    expect(out.err.message).toBe(`could not reach postgres://u:${REDACTED}@h/d with ${REDACTED}`)
    expect(out.err.stack).toContain('could not reach')
    expect(JSON.stringify(out)).not.toContain(TOKEN)
    expect(JSON.stringify(out)).not.toContain(':pw@')
  })
})

describe('secretsOf', () => {
  it('collects the token and the Kafka and PostgreSQL passwords', () => {
    expect(
      secretsOf({
        finnhubToken: 'tok',
        kafkaSasl: { password: 'kpw' },
        databaseUrl: 'postgres://me:p%40ss@db/x',
      }),
    ).toEqual(['tok', 'kpw', 'p@ss'])
    expect(secretsOf({ databaseUrl: 'postgres://me@db/x' })).toEqual([])
  })
})

describe('redactUrl', () => {
  it('hides a password and keeps the rest', () => {
    expect(redactUrl('postgres://bob:s3cr%40t@db.example:6543/app?sslmode=require')).toBe(
      'postgres://bob:***@db.example:6543/app?sslmode=require',
    )
    expect(redactUrl('postgres://bob@h/app')).toBe('postgres://bob@h/app')
  })

  it('hides a token parameter (Finnhub puts its key there)', () => {
    const token = 'tok-SECRET-4f9a'
    expect(redactUrl(`wss://ws.finnhub.io?token=${token}`)).toBe('wss://ws.finnhub.io/?token=***')
    expect(redactUrl(`not a url?token=${token}&x=1`)).toBe('not a url?token=***&x=1')
  })

  it('hides both where a URL holds both, parsed or not', () => {
    expect(redactUrl('wss://u:pw@h/?token=t')).toBe('wss://u:***@h/?token=***')
    expect(redactUrl('not a url //u:pw@h?token=t')).toBe('not a url //u:***@h?token=***')
  })
})
