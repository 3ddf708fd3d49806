import { describe, expect, it } from 'vitest'
import { isPostmasterOf } from './embedded-files'

describe('isPostmasterOf', () => {
  const dir = '/var/lib/tickflow/postgres'
  it('accepts our postmaster, also from a path with spaces', () => {
    expect(isPostmasterOf(`/opt/pg/bin/postgres -D ${dir} -p 5433 -c listen_addresses=127.0.0.1`, dir)).toBe(
      true,
    )
    expect(isPostmasterOf(`/home/me/my app/node_modules/pg/bin/postgres -D ${dir}`, dir)).toBe(true)
  })
  it("rejects another cluster's server, a backend, and other programs holding a reused pid", () => {
    expect(isPostmasterOf('/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main', dir)).toBe(
      false,
    )
    expect(isPostmasterOf(`/opt/pg/bin/postgres -D ${dir}-old -p 1`, dir)).toBe(false)
    expect(isPostmasterOf('postgres: checkpointer', dir)).toBe(false)
    expect(isPostmasterOf(`vim -D ${dir}`, dir)).toBe(false)
    expect(isPostmasterOf(`/usr/bin/mypostgres -D ${dir}`, dir)).toBe(false)
  })
})
