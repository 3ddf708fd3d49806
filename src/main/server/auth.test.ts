import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { authCookie, dashboardToken } from './auth'

describe('the dashboard token of a data dir', () => {
  let dir: string | undefined
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('is made once, kept private, and the same after a restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-token-'))
    const first = await dashboardToken(join(dir, 'data'))
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(first.made).toBe(true)
    expect((await stat(join(dir, 'data', 'dashboard-token'))).mode & 0o777).toBe(0o600)
    expect(await dashboardToken(join(dir, 'data'))).toEqual({ ...first, made: false })
  })

  it('comes with a host name of its own under localhost, kept for bookmarks', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-token-'))
    const first = await dashboardToken(dir)
    expect(first.hostName).toMatch(/^tf-[0-9a-f]{12}\.localhost$/)
    expect((await stat(join(dir, 'dashboard-host'))).mode & 0o777).toBe(0o600)
    expect((await dashboardToken(dir)).hostName).toBe(first.hostName)
    // A new token, a new name: the old name's cookie is of no use to anyone.
    const rotated = await dashboardToken(dir, { rotate: true })
    expect(rotated.hostName).not.toBe(first.hostName)
    expect((await dashboardToken(dir)).hostName).toBe(rotated.hostName)
    // Another data dir, another name.
    expect((await dashboardToken(join(dir, 'other'))).hostName).not.toBe(rotated.hostName)
  })

  it('is replaced on request, and the new one is kept', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-token-'))
    const old = await dashboardToken(dir)
    const rotated = await dashboardToken(dir, { rotate: true })
    expect(rotated.made).toBe(true)
    expect(rotated.token).not.toBe(old.token)
    expect((await readFile(join(dir, 'dashboard-token'), 'utf8')).trim()).toBe(rotated.token)
    expect((await stat(join(dir, 'dashboard-token'))).mode & 0o777).toBe(0o600)
    expect((await dashboardToken(dir)).token).toBe(rotated.token)
  })

  it('keeps the token for the host that set it: the cookie has no Domain', () => {
    const cookie = authCookie('t0ken', true)
    expect(cookie).not.toMatch(/domain/i)
    expect(cookie).toBe('tickflow_token=t0ken; HttpOnly; SameSite=Strict; Path=/; Secure')
  })

  it('replaces a file that holds no token', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-token-'))
    await writeFile(join(dir, 'dashboard-token'), 'short\n')
    const { token } = await dashboardToken(dir)
    expect(token).not.toBe('short')
    expect((await readFile(join(dir, 'dashboard-token'), 'utf8')).trim()).toBe(token)
  })
})
