import { describe, expect, it } from 'vitest'
import { refusePostgresUrl, testConnection } from './connection-test'

const CONFIGURED = 'postgres://tickflow@db.internal:5433/tickflow?sslmode=require'

describe('a typed PostgreSQL URL', () => {
  it('may be anything for the configured database’s host and port', () => {
    expect(
      refusePostgresUrl('postgres://other@DB.internal:5433/x?sslrootcert=/etc/ca.pem', CONFIGURED),
    ).toBeNull()
    expect(refusePostgresUrl('postgresql://db.internal:5433/x', CONFIGURED)).toBeNull()
  })

  it('names its user and password, and no parameters, for any other host', () => {
    expect(refusePostgresUrl('postgres://me:pw@elsewhere:5432/db', CONFIGURED)).toBeNull()
    // same host, other port: another server
    expect(refusePostgresUrl('postgres://db.internal:5432/db', CONFIGURED)).toMatch(/user and password/)
    expect(refusePostgresUrl('postgres://me@elsewhere/db', CONFIGURED)).toMatch(
      /no password from the environment/,
    )
    expect(
      refusePostgresUrl('postgres://me:pw@elsewhere/db?sslkey=/home/me/.ssh/id_rsa', CONFIGURED),
    ).toMatch(/parameters are taken for the configured database only/)
    expect(refusePostgresUrl('postgres:///db?host=/var/run/postgresql')).toMatch(/give the host/)
    expect(refusePostgresUrl('mysql://me:pw@h/db')).toMatch(/not a PostgreSQL URL/)
    expect(refusePostgresUrl('not a url')).toMatch(/not a URL/)
  })

  it('is not tried at all when refused, so no file is read and no password sent', async () => {
    const saved = process.env['PGPASSWORD']
    process.env['PGPASSWORD'] = 'from-the-environment'
    try {
      const r = await testConnection({ kind: 'postgres', url: 'postgres://me@127.0.0.1:1/x' })
      expect(r).toEqual({
        ok: false,
        message: expect.stringMatching(/^not tried: give the user and password/),
      })
    } finally {
      if (saved === undefined) delete process.env['PGPASSWORD']
      else process.env['PGPASSWORD'] = saved
    }
  })
})
