import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { classArchive, classArchiveKey, type ClassArchiveOptions } from './class-archive'

let dir: string
let opts: ClassArchiveOptions

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickflow-cds-'))
  const java = join(dir, 'java')
  const jars = [join(dir, 'kafka.jar'), join(dir, 'log4j.jar')]
  for (const f of [java, ...jars]) await writeFile(f, f)
  opts = { cacheDir: join(dir, 'cache'), java, javaVersion: '17.0.15', jars, dump: true }
})
afterEach(() => rm(dir, { recursive: true, force: true }))

/** What the JVM does with -XX:ArchiveClassesAtExit=<file> when it exits. */
async function jvmDumps(flags: string[]): Promise<string> {
  const file = flags.find((f) => f.startsWith('-XX:ArchiveClassesAtExit='))!.split('=')[1]!
  await writeFile(file, 'archive')
  return file
}

const cdsFiles = (): Promise<string[]> => readdir(join(dir, 'cache', 'kafka', 'cds'))

describe('the broker class archive', () => {
  it('is dumped by the first start, kept after its clean exit, and mapped by the next', async () => {
    const first = await classArchive(opts)
    expect(first.flags).toEqual([
      expect.stringMatching(
        /^-XX:ArchiveClassesAtExit=.*\/kafka\/cds\/broker-[0-9a-f]{16}\.jsa\.\d+-[0-9a-f]+\.partial$/,
      ),
      '-Xlog:cds=off',
      '-Xlog:cds+dynamic=off',
    ])
    await jvmDumps(first.flags)
    await first.settle({ code: 143, signal: null }) // SIGTERM, handled by the JVM: a clean stop
    const [kept] = await cdsFiles()
    expect(kept).toMatch(/^broker-[0-9a-f]{16}\.jsa$/)

    const next = await classArchive(opts)
    expect(next.flags[0]).toBe(`-XX:SharedArchiveFile=${join(dir, 'cache', 'kafka', 'cds', kept!)}`)
  })

  it('drops the dump of a JVM that was killed or failed', async () => {
    for (const exit of [{ code: null, signal: 'SIGKILL' as const }, { code: 1, signal: null }, null]) {
      const a = await classArchive(opts)
      const partial = await jvmDumps(a.flags)
      await a.settle(exit)
      expect(existsSync(partial)).toBe(false)
      expect(await cdsFiles()).toEqual([])
    }
  })

  it('only maps one that exists when it may not dump (a detached broker)', async () => {
    expect((await classArchive({ ...opts, dump: false })).flags).toEqual([])
  })

  it('is keyed to the JVM and the jar set, and a new one replaces the old', async () => {
    const key = await classArchiveKey(opts)
    expect(await classArchiveKey({ ...opts, javaVersion: '17.0.16' })).not.toBe(key)
    expect(await classArchiveKey({ ...opts, jars: opts.jars.slice(1) })).not.toBe(key)
    await utimes(opts.jars[0]!, new Date(), new Date(Date.now() - 60_000))
    expect(await classArchiveKey(opts)).not.toBe(key)

    const old = await classArchive({ ...opts, javaVersion: '17.0.14' })
    await jvmDumps(old.flags)
    await old.settle({ code: 0, signal: null })
    const a = await classArchive(opts)
    await jvmDumps(a.flags)
    await a.settle({ code: 0, signal: null })
    expect(await cdsFiles()).toEqual([`broker-${await classArchiveKey(opts)}.jsa`])
  })
})
