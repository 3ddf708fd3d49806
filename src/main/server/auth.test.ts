import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { dashboardToken } from './auth'

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

  it('replaces a file that holds no token', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-token-'))
    await writeFile(join(dir, 'dashboard-token'), 'short\n')
    const { token } = await dashboardToken(dir)
    expect(token).not.toBe('short')
    expect((await readFile(join(dir, 'dashboard-token'), 'utf8')).trim()).toBe(token)
  })
})
