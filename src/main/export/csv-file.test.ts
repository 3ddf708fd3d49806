import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isPartialOf, partialName, partialsOf, writeFileAtomically } from './csv-file'

describe('writeFileAtomically', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-csvfile-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('names its temp file beside the target, hidden and unique', () => {
    const a = partialName('/x/out.csv')
    expect(a).toMatch(/^\/x\/\.out\.csv\.[0-9a-f]{12}\.partial$/)
    expect(a).not.toBe(partialName('/x/out.csv'))
    expect(isPartialOf('/x/out.csv', a.slice(3))).toBe(true)
    expect(isPartialOf('/x/other.csv', a.slice(3))).toBe(false)
  })

  it('renames the finished file into place, replacing an older one, and counts its bytes', async () => {
    const path = join(dir, 'sub', 'out.csv')
    await writeFileAtomically(path, async (out) => pipeline(Readable.from(['old']), out))
    const res = await writeFileAtomically(path, async (out) => {
      await pipeline(Readable.from(['a,b\r\n', '1,2\r\n']), out)
      return 1
    })
    expect(res).toEqual({ value: 1, bytes: 10 })
    expect(await readFile(path, 'utf8')).toBe('a,b\r\n1,2\r\n')
    expect(await partialsOf(path)).toEqual([])
  })

  it('on a cancel midway removes the temp file and leaves the target as it was', async () => {
    const path = join(dir, 'out.csv')
    await writeFile(path, 'before')
    const abort = new AbortController()
    async function* rows(): AsyncGenerator<string> {
      for (let i = 0; ; i++) {
        if (i === 100) abort.abort(new Error('cancelled'))
        yield `${i}\r\n`
        await new Promise((r) => setImmediate(r))
      }
    }
    const run = writeFileAtomically(path, (out) =>
      pipeline(Readable.from(rows()), out, { signal: abort.signal }),
    )
    await expect(run).rejects.toThrow()
    expect(await readFile(path, 'utf8')).toBe('before')
    expect(await readdir(dir)).toEqual(['out.csv'])
  })

  it('on an error before any byte leaves no file at all', async () => {
    const path = join(dir, 'never.csv')
    await expect(
      writeFileAtomically(path, async () => {
        throw new Error('the database is gone')
      }),
    ).rejects.toThrow('the database is gone')
    expect(await readdir(dir)).toEqual([])
  })
})
