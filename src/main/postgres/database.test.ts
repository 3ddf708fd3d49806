import net from 'node:net'
import os from 'node:os'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { describeConnectError, describeTarget, openDatabase, typeParsers } from './database'

describe('describeTarget', () => {
  it('names the server and database, without the user or password', () => {
    expect(describeTarget('postgres://bob:pw@db.example:6543/app')).toBe('db.example:6543/app')
    expect(describeTarget('postgres://127.0.0.1/x')).toBe('127.0.0.1:5432/x')
  })
  it('never repeats the password in a cause', () => {
    expect(describeConnectError(new Error('password hunter2 rejected'), 'hunter2')).toBe(
      'password *** rejected',
    )
    const agg = Object.assign(new AggregateError([new Error('connect ECONNREFUSED ::1:5')], ''), {
      code: 'ECONNREFUSED',
    })
    expect(describeConnectError(agg)).toBe('connect ECONNREFUSED ::1:5')
  })
})

describe('type parsers', () => {
  const parse = (oid: number, text: string): unknown =>
    (typeParsers.getTypeParser(oid, 'text') as (t: string) => unknown)(text)
  it('reads timestamptz as ms epoch whatever the offset', () => {
    expect(parse(1184, '2024-01-02 10:00:00.123+00')).toBe(Date.UTC(2024, 0, 2, 10, 0, 0, 123))
    expect(parse(1184, '2024-01-02 05:00:00.123-05')).toBe(Date.UTC(2024, 0, 2, 10, 0, 0, 123))
    expect(parse(1184, '2024-01-02 15:30:00.123+05:30')).toBe(Date.UTC(2024, 0, 2, 10, 0, 0, 123))
    expect(parse(1114, '2024-01-02 10:00:00.5')).toBe(Date.UTC(2024, 0, 2, 10, 0, 0, 500))
  })
  it('reads int8 and numeric as numbers, and refuses an int8 beyond 2^53', () => {
    expect(parse(20, '42')).toBe(42)
    expect(parse(20, '-9007199254740991')).toBe(-9007199254740991)
    expect(() => parse(20, '9007199254740993')).toThrow(/does not fit a JS number/)
    expect(parse(1700, '171.46')).toBe(171.46)
    expect(parse(25, 'text')).toBe('text')
  })
  it('leaves pg global parsers alone', () => {
    expect(pg.types.getTypeParser(20, 'text')('42')).toBe('42')
  })
})

describe('openDatabase on an unreachable server', () => {
  it('fails with one line naming host:port and the cause, without the password', async () => {
    const server = net.createServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as net.AddressInfo).port
    await new Promise<void>((r) => server.close(() => r()))
    const err = await openDatabase({
      databaseUrl: `postgres://u:topsecret@127.0.0.1:${port}/db`,
      dataDir: os.tmpdir(),
    }).then(
      () => null,
      (e: unknown) => e as Error,
    )
    expect(err).toBeInstanceOf(Error)
    expect(err?.message).toMatch(
      new RegExp(`^cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}/db: .*ECONNREFUSED`),
    )
    expect(String(err?.stack)).not.toMatch(/\n/)
    expect(`${err?.message} ${err?.stack}`).not.toContain('topsecret')
  })
})
