import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { REDACTED } from '../log/redact'
import { readJsonFile } from './json-file'

describe('reading one of our JSON files', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-json-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('keeps secrets out of the warning even when a schema message repeats its input', async () => {
    // Our schemas do not repeat values today; a future custom message must not leak one either.
    const echo = z.string().refine(() => false, { error: (i) => `rejected "${String(i.input)}"` })
    const schema = z.object({ finnhubToken: echo, databaseUrl: echo })
    const path = join(dir, 'settings.json')
    await writeFile(
      path,
      JSON.stringify({ finnhubToken: 'tok-123456', databaseUrl: 'postgres://me:pw-98765@db/t' }),
    )
    const read = await readJsonFile(path, schema, Date.UTC(2026, 0, 2, 3, 4, 5, 6))
    expect(read.data).toBeNull()
    expect(read.warnings[0]).toContain(`finnhubToken: rejected "${REDACTED}"`)
    expect(read.warnings[0]).toContain(`postgres://me:${REDACTED}@db/t`)
    expect(read.warnings[0]).not.toMatch(/tok-123456|pw-98765/)
    expect(await readdir(dir)).toEqual(['settings.json.bad-20260102T030405.006Z'])
  })

  it('calls an empty file empty', async () => {
    const path = join(dir, 'settings.json')
    await writeFile(path, '')
    expect((await readJsonFile(path, z.object({}))).warnings[0]).toMatch(/\(it is empty\)/)
  })
})
